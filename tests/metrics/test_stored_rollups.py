"""Rollups kept in the store: a fresh process answers from them with exactly the engine's
numbers, on random queries, before and after imports, corrections and deletions, on SQLite and
PostgreSQL; team zones (an ``owner_team`` filter) hold on rollup answers too."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text, update

from otklik.ledger import FeedbackItem, write_items
from otklik.ledger.models_rollups import MetricRollup, MetricRollupChange
from otklik.metrics import CATALOGUE, Rollups, compute, connect, enable_rollups
from otklik.metrics.query import make_query
from tests.metrics import dataset
from tests.metrics.test_rollups import _numbers

ROLLED = sorted(name for name, spec in CATALOGUE.items() if spec.rollup)
DIMENSIONS = ("channel", "owner_team")
VALUES: dict[str, list[str | None]] = {
    "kind": ["survey", "review", "contact", "employee", "exit"],
    "channel": ["app", "web", "call", "store", None],
    "owner_team": ["digital", "care", None],
}
GRAINS = ["all", "day", "week", "month", "quarter", "year"]
TEAMS = ("digital", "care", None)


def _load(engine: Engine) -> None:
    rng = random.Random(7)
    rows = []
    for i, row in enumerate(dataset.items()):
        rows.append({**row, "owner_team": TEAMS[i % 3] if rng.random() < 0.7 else None})
    for offset in range(0, len(rows), 500):
        write_items(engine, run_id=None, source="test", items=rows[offset : offset + 500])


def _random_query(rng: random.Random, metric: str) -> dict[str, Any]:
    fields = ["kind", *DIMENSIONS]
    segments = rng.sample(fields, rng.choice((0, 0, 1, 1, 2)))
    spec = CATALOGUE[metric]
    kinds = [k for k in spec.kinds or VALUES["kind"] if k not in spec.excluded_kinds]
    values = {**VALUES, "kind": kinds}
    filters: dict[str, Any] = {}
    for name in rng.sample(fields, rng.choice((0, 1, 1, 2))):
        filters[name] = rng.sample(values[name], min(len(values[name]), rng.choice((1, 1, 2))))
    kwargs: dict[str, Any] = {"by": rng.choice(GRAINS), "segments": segments, "filters": filters}
    if rng.random() < 0.6:
        first = date(2023, 12, 20) + timedelta(days=rng.randrange(200))
        kwargs["start"] = first
        if rng.random() < 0.7:
            kwargs["end"] = first + timedelta(days=rng.randrange(1, 150))
    return kwargs


def _check(engine: Engine, zone: str, rng: random.Random, count: int) -> Rollups:
    """``count`` random queries in a fresh source (a new process): each from the stored
    rollups equals the engine's answer."""
    with connect(engine) as source:
        cube = enable_rollups(source, dimensions=DIMENSIONS, timezone=zone, store=engine)
        answered = 0
        for _ in range(count):
            metric = rng.choice(ROLLED)
            kwargs = _random_query(rng, metric)
            direct = compute(metric, source, rollups=False, timezone=zone, **kwargs)
            rolled = compute(metric, source, timezone=zone, **kwargs)
            assert _numbers(rolled) == _numbers(direct), (metric, kwargs)
            query = make_query(CATALOGUE[metric], timezone=zone, **kwargs)
            answered += cube.covers(query)
        assert answered == count  # every one of them came from the rollups
    return cube


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(MetricRollup)).scalar_one())


@pytest.mark.parametrize("zone", ["Europe/Moscow", "America/New_York"])
def test_stored_rollups_equal_the_engine_through_imports_corrections_and_deletions(
    engine: Engine, zone: str
) -> None:
    rng = random.Random(f"rollups-{zone}")
    _load(engine)
    first = _check(engine, zone, rng, 25)
    assert (first.builds, first.loads, first.saves) == (1, 0, 1)
    assert _stored(engine) == 1

    again = _check(engine, zone, rng, 10)  # a new process: loaded, nothing to scan
    assert (again.builds, again.increments, again.loads, again.saves) == (0, 0, 1, 0)

    # A new import (some rows on days the cube has, one on a new day)…
    late = [
        {
            "external_id": f"late{i}",
            "kind": "survey",
            "scale": "nps",
            "score": float(i % 11),
            "channel": ("app", "web", None)[i % 3],
            "owner_team": TEAMS[i % 3],
            "occurred_at": datetime(2024, 2, 3, 21, 30) + timedelta(hours=7 * i),
        }
        for i in range(30)
    ]
    write_items(engine, run_id=None, source="late", items=late)
    # …corrections through the ORM (routing's owner change) and raw SQL (a score, a channel,
    # an item moved to another day), and deletions.
    with engine.begin() as conn:
        conn.execute(
            update(FeedbackItem)
            .where(FeedbackItem.channel == "app", FeedbackItem.id % 7 == 0)
            .values(owner_team="digital", owner_team_source="routing")
        )
        conn.execute(text("UPDATE feedback_items SET score = 10 WHERE id IN (3, 40, 41)"))
        conn.execute(text("UPDATE feedback_items SET channel = 'store' WHERE id = 77"))
        moved = conn.execute(text("SELECT occurred_at FROM feedback_items WHERE id = 12"))
        assert moved.scalar_one() is not None
        conn.execute(
            update(FeedbackItem)
            .where(FeedbackItem.id == 12)
            .values(occurred_at=datetime(2024, 5, 17, 23, 50))
        )
        conn.execute(text("DELETE FROM feedback_items WHERE id IN (5, 6, 300)"))
        # Not a field a metric reads: no day is marked.
        before = conn.execute(select(func.count()).select_from(MetricRollupChange)).scalar_one()
        conn.execute(text("UPDATE feedback_items SET text = 'changed' WHERE id = 9"))
        after = conn.execute(select(func.count()).select_from(MetricRollupChange)).scalar_one()
        assert after == before
    topped = _check(engine, zone, rng, 25)
    assert (topped.builds, topped.increments, topped.loads) == (0, 1, 1)
    settled = _check(engine, zone, rng, 10)
    assert (settled.builds, settled.increments, settled.saves) == (0, 0, 0)


def test_team_zone_holds_on_rollup_answers(engine: Engine) -> None:
    """A team sees only its items: the rollup's answer for owner_team=care counts exactly the
    items owned by care (counted here by hand)."""
    _load(engine)
    with engine.connect() as conn:
        promoters, detractors, n = conn.execute(
            text(
                "SELECT sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END), "
                "sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END), count(*) FROM feedback_items "
                "WHERE owner_team = 'care' AND scale = 'nps' AND score IS NOT NULL "
                "AND kind IN ('survey', 'review')"
            )
        ).one()
    with connect(engine) as source:
        cube = enable_rollups(source, dimensions=DIMENSIONS, timezone="UTC", store=engine)
        [row] = compute("nps", source, filters={"owner_team": "care"}, timezone="UTC")
        assert cube.builds == 1
    assert row.n == n
    assert row.value == pytest.approx(100 * (promoters - detractors) / n)


def test_a_changed_definition_is_a_new_cube(engine: Engine) -> None:
    """The stored cube's key covers the zone and the dimensions (and the code of the metric
    definitions): another zone or other dimensions never read a cube built for something
    else."""
    _load(engine)
    keys = set()
    for zone, dimensions in (("UTC", DIMENSIONS), ("Europe/Moscow", DIMENSIONS), ("UTC", ())):
        with connect(engine) as source:
            cube = enable_rollups(source, dimensions=dimensions, timezone=zone, store=engine)
            cube.refresh()
            assert (cube.builds, cube.loads) == (1, 0)
            keys.add(cube.key)
    assert len(keys) == 3 and _stored(engine) == 3
