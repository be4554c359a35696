"""State shared through the store, on SQLite and PostgreSQL: rate buckets, counters, locks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import pytest
from sqlalchemy import Engine

from otklik.errors import PolicyRefused
from otklik.jobs import StoreRateLimiter, bump_counter, prune_rate_buckets, read_counter
from otklik.surveys import Inviter, LinkSigner, create_survey, load_policy
from otklik.web.state import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_refills_at_its_rate(engine: Engine) -> None:
    clock = Clock()
    limiter = StoreRateLimiter(engine, 6, clock=clock)  # 6 at once, then one every 10 s
    assert [limiter.hit("a") for _ in range(6)] == [None] * 6
    assert limiter.hit("a") == pytest.approx(10.0)
    assert limiter.hit("b") is None  # another key has its own bucket
    clock.now += 5  # half a token back: still refused, 5 s to wait
    assert limiter.hit("a") == pytest.approx(5.0)
    clock.now += 5
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(10.0)
    clock.now += 3600  # idle buckets: full again, and pruned after an hour
    assert prune_rate_buckets(engine, now=clock.now + 1) == 2
    assert [limiter.hit("a") for _ in range(6)] == [None] * 6


def test_parallel_hits_are_counted_once_each(engine: Engine) -> None:
    clock = Clock()  # frozen: no refill while the threads run
    limiters = [StoreRateLimiter(engine, 20, clock=clock) for _ in range(4)]  # 4 "workers"
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda i: limiters[i % 4].hit("link"), range(60)))
    assert sum(1 for o in outcomes if o is None) == 20


def test_a_counter_clears_every_workers_cache(engine: Engine) -> None:
    assert read_counter(engine) == 0
    made: list[int] = []
    caches = [
        TTLCache(60.0, version=lambda: read_counter(engine), version_every_s=0.0) for _ in range(2)
    ]

    def value() -> int:
        made.append(1)
        return len(made)

    assert [cache.get("k", value) for cache in caches] == [1, 2]
    assert [cache.get("k", value) for cache in caches] == [1, 2]  # cached
    assert bump_counter(engine) == 1 and bump_counter(engine) == 2  # another worker wrote
    assert [cache.get("k", value) for cache in caches] == [3, 4]


def test_two_invitations_at_once_pass_the_policy_once(engine: Engine) -> None:
    survey = create_survey(engine, name="after-payment", type="nps")
    inviter = Inviter(
        engine, signer=LinkSigner("s" * 48), policy=load_policy(None), public_url="http://x"
    )

    def invite(_: int) -> str:
        try:
            inviter.invite(survey_id=survey.id, customer_id="c-1")
        except PolicyRefused:
            return "refused"
        return "invited"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(invite, range(12)))
    assert outcomes == ["invited"] + ["refused"] * 11


def test_the_hourly_prune_drops_what_has_expired(engine: Engine) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import insert, select

    from otklik.auth import add_user
    from otklik.config import load_settings
    from otklik.jobs import StepContext
    from otklik.jobs.steps import periodic_named
    from otklik.ledger import LoginFailure, UserSession

    settings = load_settings(login_window_s=300)
    now = datetime.now(UTC).replace(tzinfo=None)
    user = add_user(engine, email="a@example.org", role="admin", password="a-long-password-1")
    with engine.begin() as conn:
        conn.execute(
            insert(UserSession),
            [
                {
                    "user_id": user.id,
                    "token_hash": "a" * 64,
                    "created_at": now,
                    "expires_at": now - timedelta(minutes=1),
                },
                {
                    "user_id": user.id,
                    "token_hash": "b" * 64,
                    "created_at": now,
                    "expires_at": now + timedelta(hours=1),
                },
            ],
        )
        conn.execute(
            insert(LoginFailure),
            [
                {
                    "key_hash": "old",
                    "failures": 9,
                    "first_at": now - timedelta(hours=1),
                    "last_at": now - timedelta(seconds=301),
                },
                {"key_hash": "new", "failures": 9, "first_at": now, "last_at": now},
            ],
        )
    StoreRateLimiter(engine, 5, clock=lambda: 1.0).hit("ancient")
    StoreRateLimiter(engine, 5).hit("recent")
    prune = periodic_named("prune")
    assert prune is not None
    expected = {"sessions": 1, "login_blocks": 1, "rate_buckets": 1}
    if engine.dialect.name == "postgresql":
        expected["finished_jobs"] = 0
    assert prune.run(StepContext(engine, settings)) == expected
    with engine.connect() as conn:
        assert conn.execute(select(UserSession.token_hash)).scalars().all() == ["b" * 64]
        assert conn.execute(select(LoginFailure.key_hash)).scalars().all() == ["new"]
