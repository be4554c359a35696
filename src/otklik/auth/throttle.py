"""Login throttling that a third party cannot turn into a lockout.

Failed sign-ins are counted in the store (``login_failures``, so every worker process sees the
same counts) under two keys, each a SHA-256 so that what people type as an e-mail is not kept:

* the pair (account, source address): after ``attempts`` failures, each further try from that
  source for that account must wait ``base_delay_s · 2^(failures − attempts)`` seconds after the
  last failure, at most ``window_s``;
* the source address alone: the same, after ``source_attempts`` failures for any accounts
  (one address guessing many accounts).

There is no per-account lock: failures from one address never delay the account's owner at
another address. A counter is forgotten ``window_s`` seconds after its last failure, and a
successful sign-in clears its pair (not its source: signing in to one's own account does not
reset a guessing address). Refused tries are not verified, so they do not count as failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from otklik.auth.principal import secret_hash
from otklik.errors import OtklikError
from otklik.ledger import LoginFailure

__all__ = ["LoginThrottle", "LoginThrottled"]


class LoginThrottled(OtklikError):
    """Too many failed sign-ins from this source (for this account); ``retry_after_s`` says
    how many whole seconds to wait."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LoginThrottle:
    """Counts failures per (account, source) pair and per source; see the module docstring."""

    engine: Engine
    attempts: int = 5
    window_s: float = 300.0
    base_delay_s: float = 5.0
    source_attempts: int | None = None  # default: 4 × attempts

    def _keys(self, email: str, source: str) -> dict[str, int]:
        """Each key's hash → the failures it may have before delays start."""
        account = email.strip().lower()
        return {
            secret_hash(f"pair\0{account}\0{source}"): self.attempts,
            secret_hash(f"source\0{source}"): self.source_attempts or 4 * self.attempts,
        }

    def _delay(self, failures: int, free: int) -> float:
        if failures < free:
            return 0.0
        return min(self.window_s, self.base_delay_s * 2.0 ** min(failures - free, 30))

    def check(self, email: str, source: str, *, now: datetime | None = None) -> None:
        """Raise :class:`LoginThrottled` while this account may not be tried from ``source``."""
        at = now or _now()
        keys = self._keys(email, source)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(LoginFailure.key_hash, LoginFailure.failures, LoginFailure.last_at).where(
                    LoginFailure.key_hash.in_(list(keys)),
                    LoginFailure.last_at > at - timedelta(seconds=self.window_s),
                )
            ).all()
        wait = 0.0
        for key, failures, last_at in rows:
            until = last_at + timedelta(seconds=self._delay(failures, keys[key]))
            wait = max(wait, (until - at).total_seconds())
        if wait > 0:
            raise LoginThrottled(max(1, math.ceil(wait)))

    def failed(self, email: str, source: str, *, now: datetime | None = None) -> None:
        """Count a failed sign-in under both keys."""
        at = now or _now()
        stale = at - timedelta(seconds=self.window_s)
        with self.engine.begin() as conn:
            conn.execute(delete(LoginFailure).where(LoginFailure.last_at <= stale))
        for key in self._keys(email, source):
            self._count(key, at)

    def _count(self, key: str, at: datetime) -> None:
        bump = (
            update(LoginFailure)
            .where(LoginFailure.key_hash == key)
            .values(failures=LoginFailure.failures + 1, last_at=at)
        )
        for _ in range(2):  # a concurrent first failure may insert the row between the two
            with self.engine.begin() as conn:
                if conn.execute(bump).rowcount:
                    return
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(LoginFailure).values(
                            key_hash=key, failures=1, first_at=at, last_at=at
                        )
                    )
                return
            except IntegrityError:
                continue

    def succeeded(self, email: str, source: str) -> None:
        """Forget the pair's failures (the source's stay)."""
        pair = next(iter(self._keys(email, source)))
        with self.engine.begin() as conn:
            conn.execute(delete(LoginFailure).where(LoginFailure.key_hash == pair))
