"""FCR and repeat rate inside a report (``remembering``) come from one shared read per range
(``otklik.metrics.repeats``): the same rows as the per-query SQL (``repeat_expr``) and as a
count made here from the items, on random stores on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from otklik.ledger import make_engine, upgrade, write_items
from otklik.metrics import MetricSource, compute, connect, remembering
from tests.conftest import postgres_schema
from tests.metrics.oracle import assert_matches, expected_items

START = datetime(2024, 1, 1)
TEAMS = ("alpha", "beta", None)
AGENTS = ("ann", "bob", "cid", "dan", None)
CHANNELS = ("call", "chat", "app", None)
ZONES = ("digital", "support", None)


def _items(seed: int) -> list[dict[str, Any]]:
    """Contacts of 40 customers over four months, with the awkward cases: ties (the same
    moment twice for one customer), a next contact exactly 7 and 30 days later, contacts
    without a customer, surveys (not contacts) in between."""
    rng = random.Random(seed)
    customers = [f"k{i:02d}" for i in range(40)]
    rows: list[dict[str, Any]] = []

    def add(moment: datetime, customer: str | None, kind: str = "contact") -> None:
        rows.append(
            {
                "external_id": f"s{seed}-{len(rows)}",
                "kind": kind,
                "occurred_at": moment,
                "customer_id": customer,
                "channel": rng.choice(CHANNELS),
                "team": rng.choice(TEAMS),
                "agent": rng.choice(AGENTS),
                "owner_team": rng.choice(ZONES),
                "product": rng.choice(("card", "loan")),
                "scale": "nps" if kind == "survey" else None,
                "score": float(rng.randrange(11)) if kind == "survey" else None,
            }
        )

    for _ in range(700):
        moment = START + timedelta(
            seconds=rng.randrange(120 * 86400), microseconds=rng.randrange(10**6)
        )
        customer = rng.choice((*customers, None))
        add(moment, customer)
        roll = rng.random()
        if customer is not None and roll < 0.06:
            add(moment, customer)  # a tie
        elif customer is not None and roll < 0.12:
            add(moment + timedelta(days=rng.choice((7, 30))), customer)  # on the window's edge
        elif roll < 0.2:
            add(moment, customer, kind="survey")
    return rows


def _load(url: str, rows: list[dict[str, Any]]) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        write_items(engine, run_id=None, source="test", items=rows)
    finally:
        engine.dispose()


SEEDS = (7, 2024)


@pytest.fixture(scope="module", params=SEEDS)
def store_rows(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    rows = _items(request.param)
    blank = {"agent": None, "team": None, "channel": None, "owner_team": None}
    return [{**blank, **row} for row in rows]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def random_source(
    request: pytest.FixtureRequest,
    store_rows: list[dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[MetricSource]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("shared") / "otklik.db"
        url = f"sqlite:///{path}"
        _load(url, store_rows)
        with connect(url) as source:
            yield source
        return
    with postgres_schema("sr") as url:
        _load(url, store_rows)
        engine = make_engine(url)
        try:
            with connect(engine) as source:
                yield source
        finally:
            engine.dispose()


MONTHS = [(datetime(2024, m, 1), datetime(2024, m + 1, 1)) for m in (1, 2, 3)]
QUERIES: list[tuple[str, dict[str, Any]]] = [
    *(
        (metric, {"start": start, "end": end, **extra})
        for start, end in MONTHS
        for metric, extra in (
            ("fcr", {}),
            ("repeat_rate", {"window_days": 30}),
            ("fcr", {"segments": ["team"]}),
            ("fcr", {"segments": ["team", "agent"], "filters": {"channel": "call"}}),
            ("repeat_rate", {"filters": {"channel": "call"}, "segments": ["agent"]}),
            ("repeat_rate", {"filters": {"owner_team": "digital"}, "segments": ["channel"]}),
            ("fcr", {"filters": {"team": [None, "beta"], "agent": ["ann", "bob"]}}),
            ("fcr", {"window_days": 3, "by": "week"}),
            ("repeat_rate", {"window_days": 45, "by": "day"}),  # longer than a frame reads
        )
    ),
    ("fcr", {"start": datetime(2024, 3, 1), "by": "month"}),  # no end: a KPI's latest period
    ("repeat_rate", {"start": datetime(2024, 2, 10, 12, 30), "end": datetime(2024, 2, 17)}),
]


def _rows(source: MetricSource, metric: str, kwargs: dict[str, Any], zone: str) -> list[Any]:
    return compute(metric, source, timezone=zone, **kwargs)


def _shape(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.period, r.segment, r.value, r.n, r.ci_low, r.ci_high, r.flags) for r in rows]


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT-9", "Europe/Berlin"])
def test_shared_reads_give_the_per_query_rows(random_source: MetricSource, zone: str) -> None:
    """Every query inside one report equals the same query run alone (its own SQL)."""
    alone = [_rows(random_source, metric, kwargs, zone) for metric, kwargs in QUERIES]
    assert random_source.memo is None
    with remembering(random_source) as source:
        shared = [_rows(source, metric, kwargs, zone) for metric, kwargs in QUERIES]
        frames = [key for key in source.memo or {} if key[0] == "repeat_frame"]
    assert sum(len(rows) for rows in alone) > 100
    for (metric, kwargs), one, other in zip(QUERIES, alone, shared, strict=True):
        assert _shape(other) == _shape(one), f"{metric} {kwargs}"
    # One read per range (five ranges), whatever the metric, window, filters and segments.
    assert len(frames) == 5


@pytest.mark.parametrize(("zone", "hours"), [("UTC", 0), ("Etc/GMT-9", 9)])
def test_shared_reads_match_the_items(
    random_source: MetricSource, store_rows: list[dict[str, Any]], zone: str, hours: int
) -> None:
    """The shared figures against a count made from the items (tests/metrics/oracle.py): in
    UTC+9 a local period holds the rows whose time + 9 h falls in it, so the oracle sees
    every time (and the range's bounds) moved 9 hours later."""
    shift = timedelta(hours=hours)
    moved = [{**row, "occurred_at": row["occurred_at"] + shift} for row in store_rows]
    with remembering(random_source) as source:
        for metric, kwargs in QUERIES:
            rows = _rows(source, metric, kwargs, zone)
            local = {
                **kwargs,
                **{k: kwargs[k] + shift for k in ("start", "end") if kwargs.get(k) is not None},
            }
            assert_matches(rows, expected_items(metric, moved, **local))
