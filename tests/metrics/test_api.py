"""The public surface: periods, validation, comparisons, declared engines, row shapes."""

from __future__ import annotations

import importlib
import inspect
from datetime import date, datetime
from typing import Any, cast

import numpy as np
import pytest
from ibis.backends import BaseBackend
from scipy import stats

import otklik.metrics
from otklik.errors import ConfigError, MetricError, StoreError, UnsupportedOperation
from otklik.metrics import (
    CATALOGUE,
    Capabilities,
    MetricSource,
    Slice,
    compare,
    compute,
    connect,
    parse_period,
    to_sql,
)
from otklik.metrics.periods import Grain, period_start, periods_between
from tests.metrics.conftest import DUCKDB_DEPRECATION, Data

MODULES = [
    "backends",
    "catalogue",
    "collect",
    "compare",
    "compute",
    "expressions",
    "groups",
    "periods",
    "query",
    "results",
    "rollups",
    "spec",
    "stats",
]


def test_package_all_is_its_public_surface() -> None:
    names = {
        key
        for key, value in vars(otklik.metrics).items()
        if not key.startswith("_") and not inspect.ismodule(value)
    }
    assert set(otklik.metrics.__all__) == names


@pytest.mark.parametrize("name", MODULES)
def test_module_all_lists_what_it_defines(name: str) -> None:
    module = importlib.import_module(f"otklik.metrics.{name}")
    assert set(module.__all__) <= set(vars(module))
    defined = {
        key
        for key, value in vars(module).items()
        if not key.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }
    assert defined <= set(module.__all__)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2024", (date(2024, 1, 1), date(2025, 1, 1))),
        ("2024-Q4", (date(2024, 10, 1), date(2025, 1, 1))),
        ("2024-02", (date(2024, 2, 1), date(2024, 3, 1))),
        ("2024-W01", (date(2024, 1, 1), date(2024, 1, 8))),
        ("2021-W01", (date(2021, 1, 4), date(2021, 1, 11))),
        ("2024-02-29", (date(2024, 2, 29), date(2024, 3, 1))),
        ("2024-01-30..2024-02-02", (date(2024, 1, 30), date(2024, 2, 3))),
    ],
)
def test_parse_period(text: str, span: tuple[date, date]) -> None:
    assert parse_period(text) == span


@pytest.mark.parametrize("text", ["2024-13", "2023-02-29", "last month", "2024-02-02..2024-02-01"])
def test_parse_period_errors(text: str) -> None:
    with pytest.raises(MetricError):
        parse_period(text)


def test_periods() -> None:
    assert period_start(date(2024, 1, 7), Grain.WEEK) == date(2024, 1, 1)  # Sunday → Monday
    assert period_start(date(2024, 12, 31), Grain.QUARTER) == date(2024, 10, 1)
    assert periods_between(date(2023, 11, 15), date(2024, 2, 1), Grain.MONTH) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]


@pytest.mark.parametrize(
    ("metric", "kwargs", "message"),
    [
        ("nps", {"by": "fortnight"}, "cannot group by"),
        ("nps", {"segments": ["customer_id"]}, "no field 'customer_id'"),
        ("nps", {"filters": {"kind": "employee"}}, "use enps"),
        ("aht", {"filters": {"kind": "survey"}}, "defined over kind contact"),
        ("nps", {"window_days": 3}, "no repeat window"),
        ("fcr", {"window_days": 0}, "at least 1 day"),
        ("csat", {"scale": "nps"}, "cannot use scale"),
        ("csat", {"top_box": 6}, "outside csat5"),
        ("churn_rate", {}, "needs its start"),
        ("nps", {"start": date(2024, 2, 1), "end": date(2024, 1, 1)}, "range is empty"),
        ("npss", {}, "did you mean nps"),
    ],
)
def test_bad_requests_are_one_clear_error(
    sqlite_source: MetricSource, metric: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(MetricError, match=message):
        compute(metric, sqlite_source, **kwargs)


def test_rows_have_the_documented_shape(sqlite_source: MetricSource) -> None:
    row = compute("nps", sqlite_source, by="month", segments=["channel"])[0]
    assert row.to_dict().keys() == {
        "metric",
        "period",
        "segment",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "flags",
        "scope",
        "timezone",
    }
    assert row.to_dict()["period"] == "2023-12-01"
    assert compute("nps", sqlite_source)[0].to_dict()["period"] == "all"
    assert compute("nps", sqlite_source, filters={"channel": "nowhere"}) == []


def test_compare_periods_is_welch_on_the_raw_values(
    sqlite_source: MetricSource, data: Data
) -> None:
    result = compare("aht", sqlite_source, Slice.period("2024-01"), Slice.period("2024-03"))

    def times(month: int) -> np.ndarray:
        return np.array(
            [
                r["handle_time_s"]
                for r in data.items
                if r["kind"] == "contact"
                and r["handle_time_s"] is not None
                and r["occurred_at"].year == 2024
                and r["occurred_at"].month == month
            ]
        )

    expected = stats.ttest_ind(times(3), times(1), equal_var=False)
    assert result.test == "Welch t-test"
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.difference == pytest.approx(times(3).mean() - times(1).mean(), rel=1e-9)
    assert result.a.n == len(times(1)) and result.b.n == len(times(3))
    assert result.to_dict()["significant"] == (expected.pvalue < 0.05)


def test_compare_segments_and_churn(sqlite_source: MetricSource) -> None:
    result = compare(
        "csat",
        sqlite_source,
        Slice.segment("channel", "app"),
        Slice.segment("channel", "web"),
        start=date(2024, 1, 1),
    )
    assert result.test == "two-proportion z-test"
    a, b = result.a.value, result.b.value
    assert a is not None and b is not None
    assert result.difference == pytest.approx(b - a)
    churn = compare("churn_rate", sqlite_source, Slice.period("2024-Q1"), Slice.period("2024-Q2"))
    assert churn.a.n > 0 and churn.p_value is not None
    nps = compare("nps", sqlite_source, Slice.period("2024-01"), Slice.period("2024-02"))
    assert nps.test == "NPS adjusted Wald z-test"


@pytest.mark.parametrize(
    ("metric", "a", "b", "message"),
    [
        ("aht_median", Slice.period("2024-01"), Slice.period("2024-02"), "no significance test"),
        ("nps", Slice.period("2024-Q1"), Slice.period("2024-03"), "overlap"),
        ("nps", Slice.period("2030-01"), Slice.period("2030-02"), "no data"),
    ],
)
def test_compare_refusals(
    sqlite_source: MetricSource, metric: str, a: Slice, b: Slice, message: str
) -> None:
    with pytest.raises(MetricError, match=message):
        compare(metric, sqlite_source, a, b)


class _FakeBackend:
    name = "clickhouse"  # an engine otklik has not declared


def test_undeclared_engines_and_missing_operations_are_refused(sqlite_source: MetricSource) -> None:
    with pytest.raises(UnsupportedOperation, match="not declared"):
        MetricSource(cast(BaseBackend, _FakeBackend()))
    limited = MetricSource(
        sqlite_source.con,
        capabilities=Capabilities("sqlite", window_functions=False, timestamp_shift="sqlite_text"),
    )
    for metric in ("aht_median", "fcr"):
        with pytest.raises(UnsupportedOperation, match="window functions"):
            compute(metric, limited)
    assert compute("aht", limited)[0].n > 0


def test_connect_errors(tmp_path: Any) -> None:
    with pytest.raises(StoreError, match="no store at"):
        connect(f"sqlite:///{tmp_path / 'none.db'}")
    with pytest.raises(ConfigError, match="in-memory"):
        connect("sqlite://")
    with pytest.raises(ConfigError, match="cannot open"):
        connect("mysql://u@h/db")


@DUCKDB_DEPRECATION
def test_duckdb_file_url(tmp_path: Any) -> None:
    import duckdb

    path = tmp_path / "cx.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE feedback_items AS SELECT * FROM (VALUES "
            "('survey', 'nps', 10.0, TIMESTAMP '2024-01-02 10:00:00'), "
            "('survey', 'nps', 3.0, TIMESTAMP '2024-01-03 10:00:00')) "
            "AS t(kind, scale, score, occurred_at)"
        )
    (row,) = compute("nps", f"duckdb:///{path}")
    assert (row.value, row.n) == (0.0, 2)


def test_missing_ledger_table_is_a_metric_error(tmp_path: Any) -> None:
    import sqlite3

    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(MetricError, match="otklik init"):
        compute("nps", f"sqlite:///{tmp_path / 'empty.db'}")


def test_to_sql_shows_the_query(sqlite_source: MetricSource) -> None:
    sql = to_sql("nps", sqlite_source, by="month", segments=["channel"])
    assert "feedback_items" in sql and "GROUP BY" in sql
    assert "LEAD" in to_sql("fcr", sqlite_source).upper()


def test_catalogue_guardrails_are_metrics() -> None:
    for spec in CATALOGUE.values():
        assert spec.guardrails, spec.name
        assert set(spec.guardrails) <= set(CATALOGUE), spec.name
        assert spec.pros and spec.cons and spec.gaming


def test_times_are_half_open_at_midnight(sqlite_source: MetricSource, data: Data) -> None:
    # The dataset has a 10 at exactly 2024-02-01 00:00 and a 0 one microsecond before.
    january = compute("nps", sqlite_source, start=date(2024, 1, 1), end=date(2024, 2, 1))[0]
    at_midnight = [r for r in data.items if r["occurred_at"] == datetime(2024, 2, 1)]
    in_january = [
        r
        for r in data.items
        if r["scale"] == "nps"
        and r["score"] is not None
        and r["kind"] not in ("employee", "exit")
        and datetime(2024, 1, 1) <= r["occurred_at"] < datetime(2024, 2, 1)
    ]
    assert at_midnight and january.n == len(in_january)
