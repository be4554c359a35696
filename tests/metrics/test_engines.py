"""Every metric gives the same numbers on SQLite, PostgreSQL, DuckDB and Spark, and those numbers
are the ones computed independently from the rows (tests/metrics/oracle.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import pytest

from otklik.errors import MetricError
from otklik.metrics import CATALOGUE, MetricSource, Slice, TableRole, compare, compute, connect
from otklik.metrics.compute import last_moment
from tests.metrics.conftest import (
    DUCKDB_DEPRECATION,
    ITEM_TYPES,
    SPARK_SOCKETS,
    Data,
    arrow,
)
from tests.metrics.oracle import BASES, assert_matches, expected_churn, expected_items

ITEM_METRICS = [name for name, spec in CATALOGUE.items() if spec.table is TableRole.ITEMS]
_EDGE = datetime(2024, 3, 4, 10, 30, 0, 250000)  # the dataset's edge contacts
GROUPINGS: list[dict[str, Any]] = [
    {"by": "all"},
    {"by": "month", "segments": ["channel"]},
    {"by": "week"},
    {"by": "quarter", "segments": ["kind", "channel"]},
]
EXTRA: list[tuple[str, dict[str, Any]]] = [
    (
        "nps",
        {
            "by": "month",
            "filters": {"kind": "survey"},
            "start": datetime(2024, 1, 15),
            "end": datetime(2024, 4, 1),
        },
    ),
    ("nps", {"by": "day", "filters": {"channel": [None, "app"]}}),
    ("nps", {"by": "year", "segments": ["channel"]}),
    ("csat", {"by": "month", "scale": "csat10"}),
    ("csat", {"by": "all", "top_box": 5}),
    ("csi", {"by": "month", "scale": "rating5"}),
    ("fcr", {"by": "all", "filters": {"channel": "call"}}),
    ("fcr", {"by": "week", "window_days": 3}),
    ("repeat_rate", {"by": "month", "window_days": 30, "segments": ["channel"]}),
    # Ranges: the window sorts only the contacts from start to end + window (issue 16); a
    # repeat just past end, exactly at end + window, in another channel, ties at start.
    ("fcr", {"by": "all", "start": _EDGE, "end": _EDGE + timedelta(days=7)}),
    ("fcr", {"by": "day", "start": _EDGE, "end": _EDGE + timedelta(microseconds=1)}),
    (
        "repeat_rate",
        {
            "by": "week",
            "window_days": 3,
            "start": datetime(2024, 3, 1),
            "end": datetime(2024, 3, 5),
            "segments": ["channel"],
        },
    ),
    (
        "fcr",
        {
            "by": "month",
            "start": datetime(2024, 1, 15),
            "end": datetime(2024, 4, 1),
            "filters": {"channel": "call"},
        },
    ),
]
CASES = [(m, g) for m in ITEM_METRICS for g in GROUPINGS] + EXTRA
MONTHS = [(datetime(2024, m, 1), datetime(2024, m + 1, 1)) for m in range(1, 7)]
CHURN_CASES: list[tuple[str, dict[str, Any], list[tuple[datetime, datetime]]]] = [
    (metric, kwargs, periods)
    for metric in ("churn_rate", "revenue_churn")
    for kwargs, periods in (
        ({"by": "month", "start": datetime(2024, 1, 1), "end": datetime(2024, 7, 1)}, MONTHS),
        (
            {"by": "all", "start": datetime(2024, 1, 1), "end": datetime(2024, 4, 1)},
            [(datetime(2024, 1, 1), datetime(2024, 4, 1))],
        ),
        (
            {
                "by": "quarter",
                "start": datetime(2024, 1, 1),
                "end": datetime(2024, 7, 1),
                "segments": ["segment"],
            },
            [
                (datetime(2024, 1, 1), datetime(2024, 4, 1)),
                (datetime(2024, 4, 1), datetime(2024, 7, 1)),
            ],
        ),
    )
]


def _label(case: tuple[str, dict[str, Any]]) -> str:
    metric, kwargs = case
    return metric + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items() if k != "start")


def _expected_items(data: Data, metric: str, kwargs: dict[str, Any]) -> Any:
    return expected_items(metric, data.items, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[_label(c) for c in CASES])
def test_item_metrics_match_the_rows(
    source: MetricSource, data: Data, case: tuple[str, dict[str, Any]]
) -> None:
    metric, kwargs = case
    rows = compute(metric, source, **kwargs)
    assert rows, "the dataset has data for every case"
    assert_matches(rows, _expected_items(data, metric, kwargs))


@pytest.mark.parametrize("case", CHURN_CASES, ids=[_label(c[:2]) for c in CHURN_CASES])
def test_churn_matches_the_customers(source: MetricSource, data: Data, case: Any) -> None:
    metric, kwargs, periods = case
    rows = compute(metric, source, **kwargs)
    expected = expected_churn(
        metric, data.customers, periods, by=kwargs["by"], segments=kwargs.get("segments", ())
    )
    assert_matches(rows, expected)


RESPONSE_CASES: list[dict[str, Any]] = [
    {"by": "all"},
    {"by": "month", "segments": ["channel"]},
    {"by": "all", "segments": ["mechanic"]},
    {"by": "quarter", "segments": ["survey", "mechanic"]},
    {"by": "all", "segments": ["channel"], "filters": {"survey_type": "nps"}},
]


@pytest.mark.parametrize("kwargs", RESPONSE_CASES, ids=[_label(("rr", c)) for c in RESPONSE_CASES])
def test_response_rate_matches_the_invitations(
    source: MetricSource, data: Data, kwargs: dict[str, Any]
) -> None:
    rows = compute("response_rate", source, **kwargs)
    assert rows
    assert_matches(
        rows, expected_items("response_rate", data.invitations, time_column="sent_at", **kwargs)
    )


def test_response_rate_tells_mechanics_apart(source: MetricSource, data: Data) -> None:
    result = compare(
        "response_rate",
        source,
        Slice.segment("mechanic", "link"),
        Slice.segment("mechanic", "success-screen"),
    )
    for side, mechanic in ((result.a, "link"), (result.b, "success-screen")):
        [expected] = expected_items(
            "response_rate", data.invitations, time_column="sent_at", filters={"mechanic": mechanic}
        )
        assert (side.value, side.n) == pytest.approx(expected[2:4])
    assert result.test == "two-proportion z-test" and result.significant
    assert result.difference == pytest.approx(result.b.value - result.a.value)


@DUCKDB_DEPRECATION
def test_response_rate_is_a_clear_error_without_invitations(data: Data) -> None:
    con = ibis.duckdb.connect()
    con.con.from_arrow(arrow(data.items, ITEM_TYPES)).create("feedback_items")
    with (
        connect(con) as source,
        pytest.raises(MetricError, match=r"needs survey invitations.*once surveys exist"),
    ):
        compute("response_rate", source)
    con.disconnect()


SPARK_CASES: list[tuple[str, dict[str, Any]]] = [
    (m, {"by": "month", "segments": ["channel"]}) for m in ITEM_METRICS
] + [
    ("fcr", {"by": "all", "filters": {"channel": "call"}}),
    ("nps", {"by": "week", "start": datetime(2024, 1, 15), "end": datetime(2024, 4, 1)}),
]


@pytest.mark.spark
@SPARK_SOCKETS
def test_spark_gives_the_same_numbers(spark_source: MetricSource, data: Data) -> None:
    for metric, kwargs in SPARK_CASES:
        assert_matches(
            compute(metric, spark_source, **kwargs), _expected_items(data, metric, kwargs)
        )
    for metric, kwargs, periods in CHURN_CASES[:2]:
        expected = expected_churn(metric, data.customers, periods, by=kwargs["by"])
        assert_matches(compute(metric, spark_source, **kwargs), expected)
    rows = compute("response_rate", spark_source, by="quarter")
    assert_matches(
        rows, expected_items("response_rate", data.invitations, by="quarter", time_column="sent_at")
    )


ZONED = [(m, g) for m in ITEM_METRICS for g in GROUPINGS if g["by"] != "all"]


@pytest.mark.parametrize("case", ZONED, ids=[_label(c) for c in ZONED])
def test_periods_in_a_zone_match_the_rows(
    source: MetricSource, data: Data, case: tuple[str, dict[str, Any]]
) -> None:
    """In UTC+9 a period holds the rows whose time + 9 h falls in it: the oracle's UTC periods
    of the rows moved 9 hours later (windows and censoring move with them)."""
    metric, kwargs = case
    rows = compute(metric, source, timezone="Etc/GMT-9", **kwargs)
    moved = [{**row, "occurred_at": row["occurred_at"] + timedelta(hours=9)} for row in data.items]
    assert_matches(rows, expected_items(metric, moved, **kwargs))


DST = [(m, g) for m, g in ZONED if m not in ("fcr", "repeat_rate")]


@pytest.mark.parametrize("case", DST, ids=[_label(c) for c in DST])
def test_periods_across_a_dst_change_match_the_rows(
    source: MetricSource, data: Data, case: tuple[str, dict[str, Any]]
) -> None:
    """Europe/Berlin (the data spans the change of 31 March 2024): a row's period is that of
    its local wall-clock time. (Repeat windows are absolute, so FCR is left to the fixed zone
    above.)"""
    metric, kwargs = case
    berlin = ZoneInfo("Europe/Berlin")
    rows = compute(metric, source, timezone=berlin, **kwargs)

    def local(moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC).astimezone(berlin).replace(tzinfo=None)

    moved = [{**row, "occurred_at": local(row["occurred_at"])} for row in data.items]
    assert_matches(rows, expected_items(metric, moved, **kwargs))


@pytest.mark.parametrize(
    ("metric", "filters"),
    [("fcr", {}), ("repeat_rate", {"channel": "call"}), ("nps", {"channel": [None, "app"]})],
)
def test_last_moment_is_the_latest_row_counted(
    source: MetricSource, data: Data, metric: str, filters: dict[str, Any]
) -> None:
    """What KPIs ask to find their latest period without computing every period."""
    moments = [
        row["occurred_at"]
        for row in data.items
        if BASES[metric](row, {})
        and all(row.get(f) in (v if isinstance(v, list) else [v]) for f, v in filters.items())
    ]
    assert moments
    found = last_moment(metric, source, filters=filters)
    assert found is not None
    assert abs(found - max(moments)) < timedelta(milliseconds=1)  # SQLite: to the millisecond
    assert last_moment(metric, source, filters={"channel": "no such channel"}) is None
