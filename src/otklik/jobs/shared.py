"""State several processes share through the store, so N web workers behave like one.

* :class:`StoreRateLimiter`: the token bucket of :class:`otklik.web.ratelimit.RateLimiter`,
  kept in ``rate_buckets`` and updated by one atomic upsert (no read-then-write race);
* :func:`bump_counter` / :func:`read_counter`: named counters (``data_version``), so a worker's
  caches notice another worker's writes;
* :func:`serialize_on`: a lock held until the caller's transaction ends, for check-then-write
  sequences (the contact policy: two invitations to one customer at the same moment).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from otklik.config import Settings

__all__ = [
    "DATA_VERSION",
    "StoreRateLimiter",
    "bump_counter",
    "prune_rate_buckets",
    "read_counter",
    "serialize_on",
    "shared_state",
]

DATA_VERSION = "data_version"

_HIT = text(
    """
    INSERT INTO rate_buckets (key, tokens, at, admitted)
    VALUES (:key, :burst - 1, :now, :yes)
    ON CONFLICT (key) DO UPDATE SET
      tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END,
      admitted = CASE WHEN {refill} >= 1 THEN :yes ELSE :no END,
      at = :now
    RETURNING tokens, admitted
    """.format(
        refill="(CASE WHEN rate_buckets.tokens + (:now - rate_buckets.at) * :rate > :burst "
        "THEN :burst ELSE rate_buckets.tokens + (:now - rate_buckets.at) * :rate END)"
    )
)


class StoreRateLimiter:
    """``hit(key)`` is None while ``key`` is within its rate, else the seconds to wait; the
    same contract as the in-memory limiter, counted across every process on the store."""

    def __init__(
        self,
        engine: Engine,
        per_minute: int,
        *,
        prefix: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if per_minute < 1:
            raise ValueError("a rate limit needs at least 1 request a minute")
        self.engine = engine
        self.per_minute = per_minute
        self.prefix = prefix
        self.clock = clock
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)

    def hit(self, key: str) -> float | None:
        params = {
            "key": (self.prefix + key)[:200],
            "burst": self._burst,
            "rate": self._rate,
            "now": self.clock(),
            "yes": True,
            "no": False,
        }
        with self.engine.begin() as conn:
            tokens, admitted = conn.execute(_HIT, params).one()
        if admitted:
            return None
        return (1.0 - float(tokens)) / self._rate


def prune_rate_buckets(engine: Engine, *, now: float, idle_s: float = 3600.0) -> int:
    """Forget buckets idle for ``idle_s`` (they would be full again anyway)."""
    with engine.begin() as conn:
        result = conn.execute(
            text("DELETE FROM rate_buckets WHERE at < :cut"), {"cut": now - idle_s}
        )
    return int(result.rowcount or 0)


def bump_counter(engine: Engine, name: str = DATA_VERSION) -> int:
    with engine.begin() as conn:
        value = conn.execute(
            text(
                "INSERT INTO store_counters (name, value) VALUES (:name, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = store_counters.value + 1 "
                "RETURNING value"
            ),
            {"name": name},
        ).scalar_one()
    return int(value)


def read_counter(engine: Engine, name: str = DATA_VERSION) -> int:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT value FROM store_counters WHERE name = :name"), {"name": name}
        ).scalar()
    return int(value or 0)


def serialize_on(conn: Connection, key: str) -> None:
    """Hold a lock on ``key`` until ``conn``'s transaction ends (PostgreSQL: an advisory lock
    on the key; SQLite: the database's write lock, taken before anything is read)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    else:
        conn.execute(text("UPDATE store_counters SET value = value WHERE 0 = 1"))


def shared_state(engine: Engine, settings: Settings) -> bool:
    """Whether the web app keeps its limits and cache versions in the store
    (``OTKLIK_SHARED_STATE``: ``store``; ``auto`` on PostgreSQL)."""
    if settings.shared_state == "auto":
        return engine.dialect.name == "postgresql"
    return settings.shared_state == "store"
