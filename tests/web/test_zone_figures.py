"""The figures the overview, /topics and /priorities keep in the page cache (computed at
start-up for every zone) are those of a direct computation over the zone's items only.

A random store holds three teams' items with random labels; a second store holds only the
``cards`` team's items and labels. A team user of ``cards`` on the first store must see exactly
what the second store gives with no zone at all: trends, volumes, pillar scores, the topics
report and the drivers analysis (the same functions, run on data that never held another
team's items), and the precomputation must have filled them before the first request.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from otklik.auth import add_user, create_token
from otklik.classify import DEFAULT_TAXONOMY, read_taxonomy
from otklik.drivers import context_of, run
from otklik.ledger import make_engine, upgrade
from otklik.metrics import Grain, Period, compute, topic_report
from otklik.pillars import PILLARS, pillar_scores
from otklik.web import create_app
from otklik.web.state import TTLCache, WebState
from tests.seeding import seed_labelled
from tests.web.conftest import settings_for

TEAMS = ("cards", "payments", "digital")
ZONE = "cards"


def _items(seed: int = 16) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(item, label) pairs: random teams, channels, scores, months, topics and pillars."""
    rng = random.Random(seed)
    taxonomy, _ = read_taxonomy(DEFAULT_TAXONOMY)
    assert taxonomy is not None
    topics = taxonomy.topic_ids()[:5]
    found = []
    for i in range(3000):
        scale = rng.choice(["nps", "nps", "csat5", None])
        score = None
        if scale == "nps":
            score = float(rng.randint(0, 10))
        elif scale == "csat5":
            score = float(rng.randint(1, 5))
        day = date(2025, 4, 1) + timedelta(days=rng.randrange(91))
        item = {
            "external_id": f"r{i}",
            "kind": "survey" if scale else rng.choice(["review", "complaint"]),
            "scale": scale,
            "score": score,
            "channel": rng.choice(["app", "web", "call", None]),
            "owner_team": rng.choice(TEAMS),
            "occurred_at": datetime(day.year, day.month, day.day, rng.randrange(24)),
        }
        label = {
            "sentiment": rng.choice(["negative", "neutral", "positive"]),
            "topics": rng.sample(topics, rng.choice([0, 1, 2, 2])),
            "tags": {"pillars": rng.sample(PILLARS, rng.randint(0, 2))},
        }
        found.append((item, label))
    return found


def _fill(engine: Engine, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    seed_labelled(engine, [item for item, _ in pairs], [label for _, label in pairs])


@dataclass
class Stores:
    everything: Engine
    zone_only: Engine
    url: str


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    folder = tmp_path_factory.mktemp("zones")
    pairs = _items()
    url = f"sqlite:///{folder / 'all.db'}"
    everything, zone_only = make_engine(url), make_engine(f"sqlite:///{folder / 'zone.db'}")
    for engine, chosen in (
        (everything, pairs),
        (zone_only, [pair for pair in pairs if pair[0]["owner_team"] == ZONE]),
    ):
        upgrade(engine)
        _fill(engine, chosen)
    add_user(everything, email="team@example.org", role="team", password="p" * 12, team=ZONE)
    add_user(everything, email="admin@example.org", role="admin", password="p" * 12, team=None)
    yield Stores(everything, zone_only, url)
    everything.dispose()
    zone_only.dispose()


def _cached(state: WebState, kind: str) -> dict[Any, Any]:
    return {
        key: value
        for key, (_, value) in dict(state.cache._data).items()
        if isinstance(key, tuple) and key[0] == kind
    }


def _zone_key(key: tuple[Any, ...]) -> bool:
    """Whether a cache key is the zone's: its filters name the team, or its owner is it."""
    return any(
        part == ZONE or ("owner_team" in str(part) and f"'{ZONE}'" in str(part)) for part in key[1:]
    )


def test_precomputed_team_figures_equal_a_computation_over_the_team_items(
    stores: Stores, tmp_path: Path
) -> None:
    app = create_app(settings_for(stores.url, web_prewarm=True))
    with TestClient(app, base_url="https://testserver") as client:
        app.state.prewarm.join()
        state: WebState = app.state.web
        # Filled at start-up for the team's zone and for everyone, before any request.
        for kind in ("trends", "channels", "pillars", "topics", "drivers"):
            keys = list(_cached(state, kind))
            assert any(_zone_key(key) for key in keys), kind
            assert any(not _zone_key(key) for key in keys), kind

        [(trend_key, trends)] = [
            (k, v) for k, v in _cached(state, "trends").items() if _zone_key(k)
        ]
        begin, stop = trend_key[2], trend_key[3]
        for trend in trends:
            direct = [
                row
                for row in compute(
                    trend.metric, stores.zone_only, by="month", start=begin, end=stop
                )
                if row.n > 0
            ]
            assert trend.rows == direct
        [channels] = [v for k, v in _cached(state, "channels").items() if _zone_key(k)]
        counted: dict[str | None, int] = {}
        for item, _ in _items():
            if item["owner_team"] == ZONE and begin <= item["occurred_at"].date() < stop:
                counted[item["channel"]] = counted.get(item["channel"], 0) + 1
        assert sorted(channels, key=str) == sorted(counted.items(), key=str)
        [pillars] = [v for k, v in _cached(state, "pillars").items() if _zone_key(k)]
        period = Period(f"{begin}..{stop - timedelta(days=1)}", begin, stop)
        assert (
            pillars.points == pillar_scores(stores.zone_only, period=period, grain=Grain.ALL).points
        )

        taxonomy, _ = read_taxonomy(DEFAULT_TAXONOMY)
        assert taxonomy is not None
        last_month = Period.parse("2025-06")  # the month of the zone's latest item
        direct_topics = topic_report(
            stores.zone_only, topics=taxonomy.topic_ids(), period=last_month, timezone="UTC"
        )
        [cached_topics] = [v for k, v in _cached(state, "topics").items() if _zone_key(k)]
        assert cached_topics.to_dict() == direct_topics.to_dict()
        direct_drivers = run(
            stores.zone_only, context_of(state.settings), period=last_month, filters={}
        )
        [cached_drivers] = [v for k, v in _cached(state, "drivers").items() if _zone_key(k)]
        cached, direct = cached_drivers.to_dict(), _json(direct_drivers.to_dict())
        assert cached.pop("segment") == {"owner_team": ZONE}  # the zone, said in the report
        direct.pop("segment")
        assert any(row["impact"] is not None for row in direct["drivers"])
        assert _json(cached) == direct

        # The team user's API answers are those figures (from the cache, nothing recomputed).
        token = create_token(stores.everything, email="team@example.org")
        bearer = {"Authorization": f"Bearer {token}"}
        body = client.get("/api/v1/topics", headers=bearer).json()
        body.pop("titles")
        assert body == _json(direct_topics.to_dict())
        body = client.get("/api/v1/drivers", headers=bearer).json()
        assert body.pop("segment") == {"owner_team": ZONE}
        assert body == direct
        for page in ("/", "/topics", "/priorities"):
            assert client.get(page, headers=bearer).status_code == 200


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def test_a_longer_expiry_for_one_entry_keeps_it_until_a_write() -> None:
    cache = TTLCache(0.0)  # every entry expires at once, unless it asks for longer
    made = iter(range(100))
    assert cache.get("heavy", lambda: next(made), ttl_s=3600.0) == 0
    assert cache.get("heavy", lambda: next(made), ttl_s=3600.0) == 0  # kept
    assert cache.get("light", lambda: next(made)) == 1
    assert cache.get("light", lambda: next(made)) == 2  # expired: computed again
    cache.clear()  # a write drops the long-lived entry too
    assert cache.get("heavy", lambda: next(made), ttl_s=3600.0) == 3


def test_a_missing_figure_is_computed_once_when_asked_twice_at_once() -> None:
    cache = TTLCache(60.0)
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> str:
        calls.append("first")
        started.set()
        release.wait()
        return "figure"

    def failing() -> str:
        raise ValueError("the store is gone")

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(cache.get("k", slow)))
    first.start()
    started.wait()  # the first caller is computing it now

    def again() -> str:
        calls.append("second")
        return "x"

    second = threading.Thread(target=lambda: results.append(cache.get("k", again)))
    second.start()
    release.set()
    first.join()
    second.join()
    assert results == ["figure", "figure"] and calls == ["first"]
    with pytest.raises(ValueError):  # a failure is not kept: the next caller tries again
        cache.get("bad", failing)
    assert cache.get("bad", lambda: "fine") == "fine"
