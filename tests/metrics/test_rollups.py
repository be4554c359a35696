"""The rollup gives exactly the engine's numbers, stays fresh and steps aside when it must."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from otklik.errors import MetricError
from otklik.ledger import make_engine, write_items
from otklik.metrics import CATALOGUE, compute, connect, enable_rollups

ROLLED = [name for name, spec in CATALOGUE.items() if spec.rollup]
KIND = {
    "enps": "employee",
    "exit_nps": "exit",
    "aht": "contact",
    "transfer_rate": "contact",
    "agent_hangup_rate": "contact",
}


def _queries(metric: str) -> list[dict[str, Any]]:
    return [
        {"by": "all"},
        {"by": "month", "segments": ["channel"]},
        {"by": "week", "filters": {"channel": ["app", None]}},
        {
            "by": "quarter",
            "segments": ["kind"],
            "start": date(2024, 1, 15),
            "end": date(2024, 5, 1),
        },
        {"by": "year", "filters": {"kind": KIND.get(metric, "survey")}},
    ]


def _numbers(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            r.period,
            tuple(r.segment.items()),
            r.n,
            r.flags,
            *(
                pytest.approx(v, rel=1e-12, abs=1e-12) if v is not None else None
                for v in (r.value, r.ci_low, r.ci_high)
            ),
        )
        for r in rows
    ]


def test_rollup_covers_the_additive_metrics() -> None:
    assert set(ROLLED) == {
        "nps",
        "enps",
        "exit_nps",
        "csat",
        "csi",
        "ces",
        "ces_easy",
        "aht",
        "transfer_rate",
        "agent_hangup_rate",
    }


@pytest.mark.parametrize("metric", ROLLED)
def test_rollup_equals_engine(sqlite_copy: str, metric: str) -> None:
    with connect(sqlite_copy) as source:
        cube = enable_rollups(source, dimensions=["channel"])
        for kwargs in _queries(metric):
            engine_rows = compute(metric, source, rollups=False, **kwargs)
            rolled = compute(metric, source, **kwargs)
            assert _numbers(rolled) == _numbers(engine_rows), kwargs
        assert cube.builds == 1  # one scan served every query


def test_rollup_refreshes_incrementally_and_rebuilds(sqlite_copy: str) -> None:
    engine = make_engine(sqlite_copy)
    with connect(sqlite_copy) as source:
        cube = enable_rollups(source)
        before = compute("nps", source, by="month")
        write_items(
            engine,
            run_id=None,
            source="late",
            items=[
                {
                    "external_id": f"late{i}",
                    "kind": "survey",
                    "scale": "nps",
                    "score": 10.0,
                    "channel": "app",
                    "occurred_at": datetime(2024, 2, 3, 12),
                }
                for i in range(5)
            ],
        )
        after = compute("nps", source, by="month")
        assert cube.builds == 1 and cube.increments == 1
        february = {r.period: r for r in after}[date(2024, 2, 1)]
        assert february.n == {r.period: r for r in before}[date(2024, 2, 1)].n + 5
        assert _numbers(after) == _numbers(compute("nps", source, by="month", rollups=False))
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM feedback_items WHERE source = 'late'")
        assert _numbers(compute("nps", source, by="month")) == _numbers(before)
        # rows went away: the triggers marked their days, which alone were scanned again
        assert cube.builds == 1 and cube.increments == 2
    engine.dispose()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"segments": ["team"]},
        {"top_box": 5},
        {"start": datetime(2024, 1, 1, 12)},
        {"filters": {"product": "x"}},
    ],
)
def test_queries_the_rollup_cannot_answer_go_to_the_engine(
    sqlite_copy: str, kwargs: dict[str, Any]
) -> None:
    with connect(sqlite_copy) as source:
        cube = enable_rollups(source)
        compute("csat", source, **kwargs)
        assert cube.builds == 0


def test_rollup_refuses_what_is_not_additive(sqlite_copy: str) -> None:
    with connect(sqlite_copy) as source:
        with pytest.raises(MetricError, match="not additive"):
            enable_rollups(source, metrics=["aht_median"])
        with pytest.raises(MetricError, match="cannot roll up by"):
            enable_rollups(source, dimensions=["customer_id"])
