"""Periods are cut in the reporting time zone, identically on SQLite, PostgreSQL, DuckDB and
Spark, exact across DST changes; expected values are worked out by hand (local times below)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import pytest

from otklik.cli import main
from otklik.errors import ConfigError
from otklik.ledger import make_engine, upgrade, write_customers, write_items
from otklik.metrics import MetricSource, Slice, compare, compute, connect, enable_rollups
from otklik.metrics.periods import Period, as_utc_naive, utc_offsets
from tests.conftest import postgres_schema
from tests.metrics.conftest import (
    CUSTOMER_TYPES,
    DUCKDB_DEPRECATION,
    ITEM_TYPES,
    SPARK_SOCKETS,
    arrow,
)


def _utc(zone: str, *parts: int) -> datetime:
    """A local wall-clock time in ``zone`` as the naive UTC the ledger stores."""
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


# (zone of the wall clock, wall-clock time, NPS score, channel)
ANSWERS: list[tuple[str, tuple[int, ...], float, str]] = [
    # The issue's example: answers given in Moscow (UTC+3, no DST since 2014).
    ("Europe/Moscow", (2025, 1, 31, 20, 0), 10, "msk"),
    ("Europe/Moscow", (2025, 2, 1, 0, 30), 2, "msk"),
    ("Europe/Moscow", (2025, 2, 1, 2, 10), 3, "msk"),
    ("Europe/Moscow", (2025, 2, 1, 12, 0), 9, "msk"),
    ("Europe/Moscow", (2025, 2, 28, 23, 30), 10, "msk"),
    # Berlin around the change to summer time (2025-03-30 02:00 CET → 03:00 CEST).
    ("Europe/Berlin", (2025, 3, 30, 0, 30), 10, "ber"),  # CET, UTC 03-29 23:30
    ("Europe/Berlin", (2025, 3, 30, 23, 30), 0, "ber"),  # CEST, UTC 03-30 21:30
    ("Europe/Berlin", (2025, 3, 31, 0, 30), 9, "ber"),  # CEST, UTC 03-30 22:30: next ISO week
    # São Paulo, UTC−3, and its last DST start (2018-11-04 00:00 → 01:00, UTC−2).
    ("America/Sao_Paulo", (2018, 11, 3, 23, 30), 10, "sao"),  # UTC 11-04 02:30
    ("America/Sao_Paulo", (2018, 11, 4, 1, 30), 0, "sao"),  # UTC−2: UTC 11-04 03:30
    ("America/Sao_Paulo", (2025, 2, 28, 23, 0), 10, "sao"),  # UTC 03-01 02:00
    ("America/Sao_Paulo", (2025, 3, 1, 0, 30), 5, "sao"),  # UTC 03-01 03:30
    # New York on New Year's Eve: another year and quarter than in UTC.
    ("America/New_York", (2024, 12, 31, 22, 0), 10, "nyc"),  # UTC 2025-01-01 03:00
    ("America/New_York", (2025, 1, 1, 0, 30), 0, "nyc"),  # UTC 2025-01-01 05:30
]


def _items() -> list[dict[str, Any]]:
    blank = dict.fromkeys(ITEM_TYPES)
    return [
        {
            **blank,
            "id": i + 1,
            "source": "tz",
            "external_id": f"tz{i}",
            "kind": "survey",
            "scale": "nps",
            "score": float(score),
            "channel": channel,
            "occurred_at": _utc(zone, *wall),
        }
        for i, (zone, wall, score, channel) in enumerate(ANSWERS)
    ]


def _customers() -> list[dict[str, Any]]:
    """Three Moscow customers; one leaves on 01.03.2025 00:30 Moscow time (UTC 02-28 21:30)."""
    blank = dict.fromkeys(CUSTOMER_TYPES)
    started = _utc("Europe/Moscow", 2024, 12, 1, 12, 0)
    return [
        {
            **blank,
            "id": 1,
            "source": "crm",
            "customer_id": "c1",
            "started_at": started,
            "content_hash": "h1",
        },
        {
            **blank,
            "id": 2,
            "source": "crm",
            "customer_id": "c2",
            "started_at": started,
            "churned_at": _utc("Europe/Moscow", 2025, 3, 1, 0, 30),
            "content_hash": "h2",
        },
        {
            **blank,
            "id": 3,
            "source": "crm",
            "customer_id": "c3",
            "started_at": started,
            "content_hash": "h3",
        },
    ]


def _store(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    strip = ("id", "source", "import_run_id")
    write_items(
        engine,
        run_id=None,
        source="tz",
        items=[{k: v for k, v in row.items() if k not in strip} for row in _items()],
    )
    write_customers(
        engine,
        run_id=None,
        source="crm",
        customers=[{k: v for k, v in row.items() if k not in strip} for row in _customers()],
    )
    engine.dispose()


@pytest.fixture(scope="module")
def tz_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricSource]:
    path: Path = tmp_path_factory.mktemp("tz") / "otklik.db"
    _store(f"sqlite:///{path}")
    with connect(f"sqlite:///{path}") as source:
        yield source


@pytest.fixture(scope="module")
def tz_postgres() -> Iterator[MetricSource]:
    with postgres_schema("tz") as url:
        _store(url)
        engine = make_engine(url)
        try:
            with connect(engine) as source:
                yield source
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def tz_duckdb() -> Iterator[MetricSource]:
    con = ibis.duckdb.connect()
    con.con.from_arrow(arrow(_items(), ITEM_TYPES)).create("feedback_items")
    con.con.from_arrow(arrow(_customers(), CUSTOMER_TYPES)).create("customers")
    yield connect(con)
    con.disconnect()


@pytest.fixture(scope="module")
def tz_spark(spark: Any) -> MetricSource:
    spark.createDataFrame(arrow(_items(), ITEM_TYPES)).createOrReplaceTempView("tz_items")
    spark.createDataFrame(arrow(_customers(), CUSTOMER_TYPES)).createOrReplaceTempView(
        "tz_customers"
    )
    return connect(
        ibis.pyspark.connect(spark),
        tables={"feedback_items": "tz_items", "customers": "tz_customers"},
    )


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("duckdb", marks=DUCKDB_DEPRECATION),
        pytest.param("spark", marks=[pytest.mark.spark, SPARK_SOCKETS]),
    ]
)
def tz_source(request: pytest.FixtureRequest) -> MetricSource:
    found: MetricSource = request.getfixturevalue(f"tz_{request.param}")
    return found


def _by_period(rows: list[Any]) -> dict[date, tuple[float | None, int]]:
    return {row.period: (row.value, row.n) for row in rows}


def test_the_issue_example_moscow_months(tz_source: MetricSource) -> None:
    moscow = compute(
        "nps", tz_source, by="month", filters={"channel": "msk"}, timezone="Europe/Moscow"
    )
    # January: one 10 → +100 (n 1); February: 2, 3, 9, 10 → (2 − 2)/4 = 0 (n 4).
    assert _by_period(moscow) == {date(2025, 1, 1): (100.0, 1), date(2025, 2, 1): (0.0, 4)}
    utc = compute("nps", tz_source, by="month", filters={"channel": "msk"}, timezone="UTC")
    # In UTC the answers of 01.02 before 03:00 Moscow time fall in January: 10, 2, 3.
    assert _by_period(utc)[date(2025, 1, 1)] == (pytest.approx(-100 / 3), 3)


def test_berlin_days_and_weeks_across_the_dst_change(tz_source: MetricSource) -> None:
    days = compute("nps", tz_source, by="day", filters={"channel": "ber"}, timezone="Europe/Berlin")
    # 30 March: 10 and 0 → 0 (n 2); 31 March: 9 → +100 (n 1).
    assert _by_period(days) == {date(2025, 3, 30): (0.0, 2), date(2025, 3, 31): (100.0, 1)}
    weeks = compute(
        "nps", tz_source, by="week", filters={"channel": "ber"}, timezone="Europe/Berlin"
    )
    # ISO weeks starting Monday 24 March (10, 0) and Monday 31 March (9).
    assert _by_period(weeks) == {date(2025, 3, 24): (0.0, 2), date(2025, 3, 31): (100.0, 1)}
    utc_days = compute("nps", tz_source, by="day", filters={"channel": "ber"}, timezone="UTC")
    # UTC: 29 March (10); 30 March (0 and 9: one promoter, one detractor).
    assert _by_period(utc_days) == {date(2025, 3, 29): (100.0, 1), date(2025, 3, 30): (0.0, 2)}


def test_negative_offsets_and_a_historical_dst_start(tz_source: MetricSource) -> None:
    days = compute(
        "nps",
        tz_source,
        by="day",
        filters={"channel": "sao"},
        timezone="America/Sao_Paulo",
        start=date(2018, 11, 1),
        end=date(2018, 11, 10),
    )
    assert _by_period(days) == {date(2018, 11, 3): (100.0, 1), date(2018, 11, 4): (-100.0, 1)}
    months = compute(
        "nps",
        tz_source,
        by="month",
        filters={"channel": "sao"},
        timezone="America/Sao_Paulo",
        start=date(2025, 1, 1),
    )
    assert _by_period(months) == {date(2025, 2, 1): (100.0, 1), date(2025, 3, 1): (-100.0, 1)}
    years = compute(
        "nps", tz_source, by="year", filters={"channel": "nyc"}, timezone="America/New_York"
    )
    assert _by_period(years) == {date(2024, 1, 1): (100.0, 1), date(2025, 1, 1): (-100.0, 1)}
    quarters = compute(
        "nps", tz_source, by="quarter", filters={"channel": "nyc"}, timezone="America/New_York"
    )
    assert _by_period(quarters) == {date(2024, 10, 1): (100.0, 1), date(2025, 1, 1): (-100.0, 1)}


def test_churn_months_in_the_zone(tz_source: MetricSource) -> None:
    rows = compute(
        "churn_rate",
        tz_source,
        by="month",
        start=date(2025, 2, 1),
        end=date(2025, 4, 1),
        timezone="Europe/Moscow",
    )
    # The customer who left at 00:30 on 1 March Moscow time is March's churn: 1 of 3.
    assert _by_period(rows) == {date(2025, 2, 1): (0.0, 3), date(2025, 3, 1): (100 / 3, 3)}


def test_dates_in_a_range_are_local_midnights(tz_source: MetricSource) -> None:
    rows = compute(
        "nps",
        tz_source,
        filters={"channel": "msk"},
        start=date(2025, 2, 1),
        end=date(2025, 3, 1),
        timezone="Europe/Moscow",
    )
    assert (rows[0].value, rows[0].n) == (0.0, 4)


def test_compare_reads_periods_in_the_zone(tz_sqlite: MetricSource) -> None:
    result = compare(
        "nps",
        tz_sqlite,
        Slice.period("2025-01"),
        Slice.period("2025-02"),
        filters={"channel": "msk"},
        timezone="Europe/Moscow",
    )
    assert (result.a.n, result.b.n) == (1, 4)


def test_the_rollup_keeps_local_days(tz_sqlite: MetricSource, tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    _store(f"sqlite:///{path}")
    with connect(f"sqlite:///{path}") as source:
        enable_rollups(source, dimensions=["channel"], timezone="Europe/Moscow")
        query = {"by": "month", "filters": {"channel": "msk"}}
        cube = compute("nps", source, timezone="Europe/Moscow", **query)
        engine = compute("nps", source, timezone="Europe/Moscow", rollups=False, **query)
        assert _by_period(cube) == _by_period(engine)
        assert source.rollups.builds == 1
        # Another zone is not what the cube holds: the engine answers it.
        other = compute("nps", source, timezone="UTC", **query)
        assert _by_period(other)[date(2025, 1, 1)][1] == 3


def test_the_setting_is_the_default(
    tz_sqlite: MetricSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_TIMEZONE", "Europe/Moscow")
    rows = compute("nps", tz_sqlite, by="month", filters={"channel": "msk"})
    assert _by_period(rows)[date(2025, 1, 1)] == (100.0, 1)
    monkeypatch.setenv("OTKLIK_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="OTKLIK_TIMEZONE"):
        compute("nps", tz_sqlite, by="month")


def test_offsets_and_local_midnights() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    found = utc_offsets(berlin, datetime(2025, 1, 1), datetime(2025, 12, 31))
    # EU rules: the change is at 01:00 UTC on the last Sunday of March and of October.
    assert found == [
        (datetime(2025, 1, 1), 3600),
        (datetime(2025, 3, 30, 1, 0), 7200),
        (datetime(2025, 10, 26, 1, 0), 3600),
    ]
    # 2018-11-04 had no midnight in São Paulo: the day starts at 01:00 local, 03:00 UTC.
    assert as_utc_naive(date(2018, 11, 4), ZoneInfo("America/Sao_Paulo")) == datetime(
        2018, 11, 4, 3, 0
    )
    assert Period.parse("2025-03").utc_bounds(berlin) == (
        datetime(2025, 2, 28, 23, 0),
        datetime(2025, 3, 31, 22, 0),
    )


def test_a_source_carries_its_zone(tz_sqlite: MetricSource) -> None:
    """The web app sets its zone on its source: KPIs and pages computed there follow it."""
    tz_sqlite.timezone = "Europe/Moscow"
    try:
        rows = compute("nps", tz_sqlite, by="month", filters={"channel": "msk"})
        result = compare(
            "nps",
            tz_sqlite,
            Slice.period("2025-01"),
            Slice.period("2025-02"),
            filters={"channel": "msk"},
        )
    finally:
        tz_sqlite.timezone = None
    assert _by_period(rows)[date(2025, 1, 1)] == (100.0, 1)
    assert rows[0].timezone == "Europe/Moscow"
    assert (result.a.n, result.b.n) == (1, 4)


def test_the_cli_cuts_and_names_the_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _store(url)
    monkeypatch.setenv("OTKLIK_TIMEZONE", "Europe/Moscow")
    args = ["metrics", "nps", "--by", "month", "--where", "channel=msk", "--db", url]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["period"], r["value"], r["n"], r["timezone"]) for r in rows] == [
        ("2025-01-01", 100.0, 1, "Europe/Moscow"),
        ("2025-02-01", 0.0, 4, "Europe/Moscow"),
    ]
    assert rows[0]["scope"] == "all kinds except employee, exit, employee-exit"
    assert main(args) == 0
    assert "Europe/Moscow" in capsys.readouterr().out
