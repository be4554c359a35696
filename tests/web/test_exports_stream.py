"""Streamed exports: the same files as before they streamed, only the user's zone, the same
rows as the paged readers, and memory flat in the number of rows.

The reference files in ``tests/data/exports/`` were written by the export code of commit
0f19bc1 (all rows read into a list, XLSX by openpyxl) from the store of
:mod:`tests.web.export_fixture`; here the streaming code writes the same store's exports on
SQLite and on PostgreSQL and each must equal its reference.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from otklik import routing
from otklik.ledger import iter_items, make_engine, search_items, upgrade, write_items
from otklik.metrics import get_zone
from otklik.web import create_app
from otklik.web.exports import DIALECTS, table_chunks
from tests.conftest import postgres_schema
from tests.web import export_fixture as fx
from tests.web.conftest import WebEnv

REFERENCE = Path(__file__).parent.parent / "data" / "exports"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fixture_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, str]]:
    """The app over the fixture store, and the backend's name."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fx') / 'otklik.db'}"
        fx.build(url)
        yield create_app(fx.settings(url)), "sqlite"
        return
    with postgres_schema("fx") as url:
        fx.build(url)
        yield create_app(fx.settings(url)), "postgres"


def _without_ids(name: str, body: bytes) -> list[list[Any]]:
    """The rows of an export without its first column (the store's own ids, which PostgreSQL
    hands out in another order than SQLite)."""
    if name.endswith(".json"):
        rows = json.loads(body)
    else:
        rows = fx.csv_rows(body, ";" if "excel-ru" in name else ",")
    return [row[1:] for row in rows]


@pytest.mark.parametrize("name", sorted(fx.EXPORTS))
def test_export_equals_the_file_written_before_streaming(
    fixture_app: tuple[Any, str], name: str
) -> None:
    app, backend = fixture_app
    email = "pay@fx.test" if ".payments." in name else "admin@fx.test"
    with fx.signed_in(app, email) as client:
        body = fx.download(client, name)
    expected = (REFERENCE / name).read_bytes()
    if backend != "sqlite":  # the reference was written from SQLite: all but the ids equal
        assert _without_ids(name, body) == _without_ids(name, expected)
    elif name.endswith(".json"):  # XLSX: the same cells (values and types), row by row
        assert json.loads(body) == json.loads(expected)
    else:  # CSV: the same bytes
        assert body == expected


def test_team_export_holds_only_its_zone(fixture_app: tuple[Any, str]) -> None:
    owners = [item["owner_team"] for item in fx.fixture_items()]
    with fx.signed_in(fixture_app[0], "pay@fx.test") as client:
        rows = fx.csv_rows(client.get("/items?format=csv&dialect=rfc").content)
        client.cookies.set("otklik_lang", "en")
        cells = fx.xlsx_cells(client.get("/items?format=xlsx").content)
        refused = client.get("/items?format=csv&owner_team=cards")
    at = rows[0].index("owner_team")
    assert [row[at] for row in rows[1:]] == ["payments"] * owners.count("payments")
    assert len(cells) - 1 == owners.count("payments")
    assert {row[cells[0].index("Owner team")] for row in cells[1:]} <= {"payments", "Payments"}
    assert refused.status_code == 403


def test_team_cases_export_holds_only_its_zone(web: WebEnv) -> None:
    client = web.login("payments")
    rows = fx.csv_rows(client.get("/inbox?format=csv&dialect=rfc&status=all").content)
    teams = [row[rows[0].index("team")] for row in rows[1:]]
    assert teams == ["payments", "payments"]  # conftest opens two payments cases, one cards


def test_streamed_readers_equal_the_paged_ones(web: WebEnv) -> None:
    columns = ("id", "occurred_at", "channel", "score", "text", "owner_team", "attributes")
    for filters in ({}, {"owner_team": ["payments"]}, {"channel": ["app", "web"]}):
        paged, _ = search_items(web.engine, filters=filters, limit=100_000, count=False)
        streamed = list(iter_items(web.engine, columns, filters=filters, batch=7))
        assert [tuple(row) for row in streamed] == [
            tuple(item[name] for name in columns) for item in paged
        ]
        assert len(streamed) == sum(
            all(r.get(k) in v for k, v in filters.items()) for r in web.rows
        )
    now = datetime(2030, 1, 1)
    for zone in (None, "payments"):
        where = routing.CaseFilter.of(zone=zone, status="all")
        paged, total = routing.case_page(
            web.engine, where=where, now=now, limit=1000, preview=False, labels=True
        )
        streamed = list(routing.iter_cases(web.engine, where=where, now=now, labels=True, batch=2))
        assert streamed == paged and len(streamed) == total


def _peak(url: str, fmt: str, limit: int) -> tuple[int, int]:
    """Bytes written and the peak of Python allocations while exporting ``limit`` items."""
    engine = make_engine(url)
    columns = ("id", "occurred_at", "channel", "score", "text", "revenue", "attributes")
    tracemalloc.start()
    try:
        rows = iter_items(engine, columns, limit=limit, batch=500)
        written = 0
        for chunk in table_chunks(
            fmt, columns, rows, zone=get_zone("UTC"), dialect=DIALECTS["excel"]
        ):
            written += len(chunk)
        return written, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        engine.dispose()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_memory_stays_flat_in_the_number_of_rows(tmp_path: Path, fmt: str) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    engine = make_engine(url)
    upgrade(engine)
    text = "Долго ждал ответа оператора, " * 8  # about 230 characters
    items = [
        {
            "external_id": f"m{n}",
            "kind": "survey",
            "channel": "app",
            "occurred_at": datetime(2025, 1, 1, n % 24, n % 60),
            "score": float(n % 11),
            "scale": "nps",
            "text": f"{text}{n}",
            "revenue": n * 1.5,
            "attributes": {"n": n},
        }
        for n in range(20_000)
    ]
    write_items(engine, run_id=None, source="m", items=items)
    engine.dispose()
    small_bytes, small_peak = _peak(url, fmt, 2_000)
    large_bytes, large_peak = _peak(url, fmt, 20_000)
    assert large_bytes > 8 * small_bytes  # ten times the rows were written …
    # … in about the same memory: a list of all rows (or a workbook in memory) would be 10×.
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
