"""The rollup cube's count of items: an item that commits with an id below the cube's top (a
transaction that took its id before another one committed a higher id) is not found by
``max(id)``, only by the number of items; the cube must see it, on SQLite (``count(*)``) and
on PostgreSQL (the trigger-kept ``metric_rollup_counts`` of migration 0022, which must equal
``count(*)`` through every kind of write)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, Engine, insert, text

from otklik.ledger import FeedbackItem, make_engine, upgrade, write_items
from otklik.metrics import compute, connect, enable_rollups
from tests.metrics.test_rollups import _numbers
from tests.metrics.test_stored_rollups import _load

DAY = datetime(2024, 3, 5, 12, 0)


def _item(conn: Connection, score: float, item_id: int | None = None) -> int:
    values: dict[str, Any] = {
        "source": "late",
        "external_id": f"late-{score}-{item_id}",
        "kind": "survey",
        "scale": "nps",
        "score": score,
        "channel": "app",
        "occurred_at": DAY,
    }
    if item_id is not None:
        values["id"] = item_id
    return int(
        conn.execute(insert(FeedbackItem).values(values).returning(FeedbackItem.id)).one()[0]
    )


def _nps(source: Any, *, rollups: bool = True) -> list[tuple[Any, ...]]:
    return _numbers(compute("nps", source, by="month", timezone="UTC", rollups=rollups))


def _march(engine: Engine) -> tuple[int, int, int]:
    """March 2024's NPS answers counted by hand: (n, promoters, detractors)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*), sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END), "
                "sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END) FROM feedback_items "
                "WHERE scale = 'nps' AND score IS NOT NULL AND kind IN ('survey', 'review') "
                "AND occurred_at >= '2024-03-01' AND occurred_at < '2024-04-01'"
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _march_from(source: Any) -> tuple[int, float | None]:
    [row] = [
        r
        for r in compute("nps", source, by="month", timezone="UTC")
        if str(r.period).startswith("2024-03")
    ]
    return row.n, row.value


def test_an_item_stored_below_the_cubes_top_id_is_counted(engine: Engine) -> None:
    _load(engine)
    with engine.begin() as conn:
        top = int(conn.execute(text("SELECT max(id) FROM feedback_items")).scalar_one())
        _item(conn, 10.0, top + 1000)
    with connect(engine) as source:
        cube = enable_rollups(source, dimensions=("channel",), timezone="UTC", store=engine)
        before = _march_from(source)
        assert cube.builds == 1
        # A detractor stored later with an id below the cube's top: max(id) does not move.
        with engine.begin() as conn:
            _item(conn, 0.0, top + 500)
        n, promoters, detractors = _march(engine)
        after = _march_from(source)
        assert after == (n, pytest.approx(100 * (promoters - detractors) / n))
        assert after[0] == before[0] + 1
        assert cube.builds == 2  # the count disagreed after the top-up: built again
        assert _nps(source) == _nps(source, rollups=False)


@pytest.mark.postgres
def test_a_transaction_that_commits_out_of_id_order(pg_url: str) -> None:
    """Two writers: the first takes an id and commits after the second's higher id has been
    rolled up (what ``max(id)`` alone misses)."""
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        _load(engine)
        with connect(engine) as source:
            cube = enable_rollups(source, dimensions=("channel",), timezone="UTC", store=engine)
            with engine.connect() as slow:
                slow.begin()
                first = _item(slow, 0.0)  # a detractor, not committed yet
                with engine.begin() as conn:
                    second = _item(conn, 10.0)
                assert second > first
                seen = _march_from(source)  # the cube now covers ids up to `second`
                slow.commit()
            n, promoters, detractors = _march(engine)
            assert seen[0] == n - 1
            assert _march_from(source) == (
                n,
                pytest.approx(100 * (promoters - detractors) / n),
            )
            assert _nps(source) == _nps(source, rollups=False)
            assert cube.builds == 2
    finally:
        engine.dispose()


def _kept(engine: Engine) -> tuple[int, int]:
    """(sum of metric_rollup_counts, count(*) of feedback_items)."""
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT coalesce(sum(items), 0) FROM metric_rollup_counts"))
        counted = conn.execute(text("SELECT count(*) FROM feedback_items"))
        return int(kept.scalar_one()), int(counted.scalar_one())


@pytest.mark.postgres
def test_the_kept_count_is_count_star_through_every_write(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        assert _kept(engine) == (0, 0)
        _load(engine)  # write_items in batches of 500
        loaded = _kept(engine)[1]
        assert loaded > 0 and _kept(engine) == (loaded, loaded)
        # The same external ids again: nothing inserted, nothing counted.
        write_items(
            engine,
            run_id=None,
            source="test",
            items=[{"external_id": "x0", "kind": "survey", "occurred_at": DAY}],
        )
        assert _kept(engine) == (loaded, loaded)
        # A raw COPY, a multi-row DELETE, a rolled-back insert.
        dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
        with (
            psycopg.connect(dsn) as raw,
            raw.cursor() as cursor,
            cursor.copy(
                "COPY feedback_items (source, external_id, kind, occurred_at) FROM STDIN"
            ) as copy,
        ):
            for i in range(7):
                copy.write_row(("copy", f"c{i}", "survey", DAY))
        assert _kept(engine) == (loaded + 7, loaded + 7)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM feedback_items WHERE id % 10 = 3"))
        with engine.connect() as conn:
            conn.begin()
            _item(conn, 5.0)
            conn.rollback()
        kept, counted = _kept(engine)
        assert kept == counted and counted < loaded + 7
        # Folding the rows into slot 0 keeps the sum, and skips a running writer's row.
        with connect(engine) as source:
            cube = enable_rollups(source, dimensions=("channel",), timezone="UTC", store=engine)
            with engine.connect() as running:
                running.begin()
                _item(running, 9.0)
                cube._fold_counts()
                running.commit()
        with engine.connect() as conn:
            slots = conn.execute(text("SELECT count(*) FROM metric_rollup_counts")).scalar_one()
        assert slots == 2  # slot 0 and the writer that was running
        assert _kept(engine) == (counted + 1, counted + 1)
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE feedback_items CASCADE"))
        assert _kept(engine) == (0, 0)
        with engine.begin() as conn:
            _item(conn, 1.0)
        assert _kept(engine) == (1, 1)
    finally:
        engine.dispose()
