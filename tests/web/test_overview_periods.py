"""The overview cuts months in the reporting zone, names the zone, and keeps the last complete
month as its headline: the month still running is shown apart, marked "to date"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from otklik.auth import add_user
from otklik.ledger import make_engine, upgrade, write_items
from otklik.web import create_app
from tests.web.conftest import PASSWORD, csrf_of, settings_for

MOSCOW = ZoneInfo("Europe/Moscow")


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=MOSCOW).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("ov") / "otklik.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    today = datetime.now(UTC).astimezone(MOSCOW)
    this_month = datetime(today.year, today.month, 1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    rows = [  # last month: 30 answers, 20 of 10 and 10 of 0 → NPS +33.3
        {
            "kind": "survey",
            "scale": "nps",
            "score": 10.0 if i < 20 else 0.0,
            "occurred_at": _utc(last_month + timedelta(days=i % 27, hours=12)),
        }
        for i in range(30)
    ]
    # This month so far: two answers of 0, the first at 00:30 Moscow time on the 1st (still
    # the previous month in UTC).
    rows += [
        {
            "kind": "survey",
            "scale": "nps",
            "score": 0.0,
            "occurred_at": _utc(this_month + timedelta(minutes=30)),
        },
        {
            "kind": "survey",
            "scale": "nps",
            "score": 0.0,
            "occurred_at": _utc(this_month + timedelta(minutes=40)),
        },
    ]
    for i, row in enumerate(rows):
        row["external_id"] = f"ov{i}"
        row["channel"] = "app"
    write_items(engine, run_id=None, source="ov", items=rows)
    add_user(engine, email="a@example.org", role="admin", password=PASSWORD)
    app = create_app(settings_for(url, timezone="Europe/Moscow"))
    with TestClient(app, base_url="https://testserver") as test_client:
        page = test_client.get("/login")
        test_client.post(
            "/login",
            data={
                "email": "a@example.org",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "/",
            },
            follow_redirects=False,
        )
        yield test_client
    engine.dispose()


def _tile(html: str, metric: str) -> str:
    found = re.search(rf'<article class="tile" data-metric="{metric}">(.*?)</article>', html, re.S)
    assert found, metric
    return found.group(1)


def test_headline_is_the_last_complete_month(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Europe/Moscow" in page.text
    tile = _tile(page.text, "nps")
    assert "+33.3" in tile or "33.3" in tile
    assert "n = 30" in tile
    running = re.search(r'class="muted to-date">([^<]*)<', tile)
    assert running, tile
    # Both answers of this month, one of them given at 00:30 on the 1st, Moscow time.
    assert "n = 2" in running.group(1) and "100" in running.group(1)
    assert "not employees (eNPS), not exit surveys" in tile
