"""A fully known store for comparing exports with the files otklik wrote before they
streamed (``tests/data/exports/``, written by the export code of commit 0f19bc1 from this
very store by ``python -m tests.web.export_fixture OUT_DIR``).

Every value is a formula of the row's number: hostile texts, long texts, empty cells,
fractions that round, booleans, JSON attributes with one key (PostgreSQL's ``jsonb`` keeps no
key order), two owner teams and items with none, times with whole seconds.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from otklik.auth import add_user
from otklik.config import Settings
from otklik.ledger import make_engine, upgrade, write_items

PASSWORD = "export fixture password"
ROWS = 150
TEXTS = (
    '=HYPERLINK("https://evil.example/","click")',
    "+cmd|' /C calc'!A0",
    "\r=1+1",
    "line one\r\nline two",
    "vertical\x0btab",
    "Долго ждал ответа, оператор грубил; карта 4276 1234 5678 9012",
    "  leading spaces",
    "a plain comment",
)
LONG = "x" * 33_000  # past Excel's limit of 32,767 characters a cell: cut in XLSX only
CHANNELS = ("app", "web", "call", "chat", None)
OWNERS = ("payments", "cards", None)
EXPORTS = {  # file name → (url, locale)
    "items.excel-ru.csv": ("/items?format=csv", "ru"),
    "items.excel.csv": ("/items?format=csv", "en"),
    "items.rfc.csv": ("/items?format=csv&dialect=rfc", "ru"),
    "items.ru.xlsx.json": ("/items?format=xlsx", "ru"),
    "items.en.xlsx.json": ("/items?format=xlsx", "en"),
    "items.payments.rfc.csv": ("/items?format=csv&dialect=rfc&channel=app,call", "ru"),
}


def fixture_items() -> list[dict[str, Any]]:
    """The stored items (row ``n``'s every field is a formula of ``n``)."""
    start = datetime(2025, 1, 31, 22, 15, 7)
    items = []
    for n in range(ROWS):
        scale = ("nps", "csat5", None)[n % 3]
        score = (n % 11 if scale == "nps" else 1 + n % 5) if scale else None
        items.append(
            {
                "external_id": f"fx-{n}",
                "kind": ("survey", "contact", "review")[n % 3],
                "channel": CHANNELS[n % len(CHANNELS)],
                "occurred_at": start + timedelta(hours=7 * n, seconds=n),
                "customer_id": f"c{n % 17}" if n % 4 else None,
                "score": float(score) if score is not None else None,
                "scale": scale,
                "text": LONG if n == 7 else TEXTS[n % len(TEXTS)] if n % 6 else None,
                "language": ("ru", "en")[n % 2],
                "product": ("cards", "loans")[n % 2],
                "region": "=region" if n % 13 == 0 else f"r{n % 5}",
                "team": f"t{n % 3}",
                "agent": f"agent {n % 7}" if n % 5 else None,
                "owner_team": OWNERS[n % 3],
                "handle_time_s": n * 12.345 if n % 2 else None,
                "wait_time_s": 1 / (n + 1),
                "transfers": n % 4 if n % 3 else None,
                "resolved": (True, False, None)[n % 3],
                "ended_by": ("customer", "agent", None)[n % 3],
                "revenue": -1234.5 + n * 10.125,
                "attributes": {"tier": f"gold-{n % 3}"} if n % 2 else None,
            }
        )
    return items


def build(url: str) -> None:
    """Fill a fresh store at ``url`` with :func:`fixture_items` and its users."""
    engine = make_engine(url)
    upgrade(engine)
    write_items(engine, run_id=None, source="fx", items=fixture_items())
    add_user(engine, email="admin@fx.test", role="admin", password=PASSWORD, team=None)
    add_user(engine, email="pay@fx.test", role="team", password=PASSWORD, team="payments")
    engine.dispose()


@contextmanager
def signed_in(app: Any, email: str) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
        )
        yield client


def settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        environment="development",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        metrics_check_every_s=0.0,
        timezone="Europe/Moscow",
    )


def xlsx_cells(body: bytes) -> list[list[Any]]:
    """Every cell of the first sheet, times as ISO text (for a JSON file), each row without
    its empty cells at the end (how far a reader pads a row depends on the file's own
    dimension record, which writers fill differently)."""
    sheet = next(iter(load_workbook(io.BytesIO(body), read_only=True)))
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = [value.isoformat() if isinstance(value, datetime) else value for value in row]
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(cells)
    return rows


def download(client: TestClient, name: str) -> bytes:
    """The export ``name`` of :data:`EXPORTS` as stored in ``tests/data/exports`` (CSV as
    sent; XLSX as the JSON of its cells)."""
    url, locale = EXPORTS[name]
    client.cookies.set("otklik_lang", locale)
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    if name.endswith(".xlsx.json"):
        return json.dumps(xlsx_cells(response.content), ensure_ascii=False, indent=0).encode()
    return response.content


def csv_rows(body: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")), delimiter=delimiter))


def main(out: Path) -> None:  # pragma: no cover - writes the reference files
    from otklik.web import create_app

    url = f"sqlite:///{out / 'fixture.db'}"
    build(url)
    app = create_app(settings(url))
    for name in EXPORTS:
        email = "pay@fx.test" if ".payments." in name else "admin@fx.test"
        with signed_in(app, email) as client:
            (out / name).write_bytes(download(client, name))
    (out / "fixture.db").unlink()


if __name__ == "__main__":  # pragma: no cover
    main(Path(sys.argv[1]))
