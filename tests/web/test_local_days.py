"""``from``/``to`` on item lists and metrics are days of the reporting zone (OTKLIK_TIMEZONE).

The items are placed by hand around Moscow's midnight (UTC+3, no DST since 2014): an answer at
2025-02-28 21:30 UTC is 1 March 00:30 in Moscow, so a list of 1 March in Moscow holds it and a
list of 28 February does not; in UTC it is the other way round.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from otklik.auth import add_user, create_token
from otklik.ledger import make_engine, upgrade, write_items
from otklik.web import create_app
from tests.web.conftest import PASSWORD, settings_for

UTC_TIMES = {
    "feb28-evening": datetime(2025, 2, 28, 20, 59),  # 23:59 in Moscow, 28 Feb
    "mar01-early": datetime(2025, 2, 28, 21, 30),  # 00:30 in Moscow, 1 Mar
    "mar01-late": datetime(2025, 3, 1, 20, 0),  # 23:00 in Moscow, 1 Mar
    "mar02-early": datetime(2025, 3, 1, 21, 0),  # 00:00 in Moscow, 2 Mar
}


def _ids(client: TestClient, token: str, day: str) -> set[str]:
    body = client.get(
        f"/api/v1/items?from={day}&to={day}&limit=100",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return {item["external_id"] for item in body["items"]}


def test_item_lists_cut_days_in_the_reporting_zone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    write_items(
        engine,
        run_id=None,
        source="tz",
        items=[
            {"external_id": key, "kind": "survey", "occurred_at": at, "score": 9.0, "scale": "nps"}
            for key, at in UTC_TIMES.items()
        ],
    )
    add_user(engine, email="admin@tz.test", role="admin", password=PASSWORD, team=None)
    token = create_token(engine, email="admin@tz.test")
    expected = {
        "Europe/Moscow": {
            "2025-02-28": {"feb28-evening"},
            "2025-03-01": {"mar01-early", "mar01-late"},
            "2025-03-02": {"mar02-early"},
        },
        "UTC": {
            "2025-02-28": {"feb28-evening", "mar01-early"},
            "2025-03-01": {"mar01-late", "mar02-early"},
            "2025-03-02": set(),
        },
    }
    for zone, days in expected.items():
        app = create_app(settings_for(url, timezone=zone))
        with TestClient(app, base_url="https://testserver") as client:
            for day, keys in days.items():
                assert _ids(client, token, day) == keys, (zone, day)
    engine.dispose()
