"""Exports write times in the reporting zone and say which in the header: an answer stored at
2025-03-31 21:30 UTC is 1 April 00:30 in Moscow (UTC+3, no DST since 2014), the day /explore
counts it in. Expected values are worked out by hand."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from otklik.auth import add_user
from otklik.ledger import make_engine, upgrade, write_items
from otklik.web import create_app
from tests.web.conftest import PASSWORD, csrf_of, settings_for

STORED = datetime(2025, 3, 31, 21, 30)  # UTC, as the ledger keeps it
SHOWN = {"Europe/Moscow": "2025-04-01 00:30:00", "Asia/Kolkata": "2025-04-01 03:00:00"}


@contextmanager
def _client(tmp_path: Path, zone: str) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    item = {"external_id": "late", "kind": "survey", "occurred_at": STORED, "score": 9.0}
    write_items(engine, run_id=None, source="tz", items=[{**item, "scale": "nps"}])
    add_user(engine, email="admin@tz.test", role="admin", password=PASSWORD, team=None)
    engine.dispose()
    app = create_app(settings_for(url, timezone=zone))
    with TestClient(app, base_url="https://testserver") as client:
        token = csrf_of(client.get("/login").text)
        client.post(
            "/login",
            data={"email": "admin@tz.test", "password": PASSWORD, "csrf_token": token, "next": "/"},
        )
        yield client


@pytest.mark.parametrize("zone", sorted(SHOWN))
def test_items_csv_and_xlsx_are_in_the_reporting_zone(tmp_path: Path, zone: str) -> None:
    with _client(tmp_path, zone) as client:
        as_csv = client.get("/items?format=csv")
        as_rfc = client.get("/items?format=csv&dialect=rfc")
        as_xlsx = client.get("/items?format=xlsx")
    assert as_csv.status_code == 200, as_csv.text[:300]
    # Russian default (excel-ru): ';', the header in Russian, the day as 01.03.2025 10:00:00.
    rows = list(csv.reader(io.StringIO(as_csv.text.lstrip("\ufeff")), delimiter=";"))
    shown = f"Дата ({zone})"
    assert shown in rows[0] and "occurred_at" not in ";".join(rows[0])
    wall = datetime.fromisoformat(SHOWN[zone])
    assert rows[1][rows[0].index(shown)] == wall.strftime("%d.%m.%Y %H:%M:%S")
    # For programs (rfc): the stored column names and ISO times.
    rows = list(csv.reader(io.StringIO(as_rfc.text)))
    column = f"occurred_at ({zone})"
    assert column in rows[0] and "occurred_at" not in rows[0]
    assert rows[1][rows[0].index(column)] == SHOWN[zone]
    sheet = next(iter(load_workbook(io.BytesIO(as_xlsx.content))))
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[1][cells[0].index(shown)] == wall


def test_imports_export_labels_its_times(tmp_path: Path) -> None:
    with _client(tmp_path, "Europe/Moscow") as client:
        body = client.get("/imports?format=csv").text
        rfc = client.get("/imports?format=csv&dialect=rfc").text
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert "Начало (Europe/Moscow)" in rows[0] and "Окончание (Europe/Moscow)" in rows[0]
    rows = list(csv.reader(io.StringIO(rfc)))
    assert "started_at (Europe/Moscow)" in rows[0] and "finished_at (Europe/Moscow)" in rows[0]
