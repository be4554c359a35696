"""The topics page, ``/api/v1/topics`` and search with highlighting, on SQLite and PostgreSQL.

Labels are written here on top of the module's known store (tests/web/conftest.py): every
cards item carries ``cards.blocked``; payments app items ``payments.transfers``; payments web
items ``payments.fees`` and ``app.login``; the call items no topic. Expected figures are worked
out from the seed rows in this file.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from otklik.classify import MachineLabel, write_machine_labels
from otklik.ledger import write_items
from tests.web.conftest import WebEnv

PII_TEXT = "Позвоните +7 916 123-45-67 или ivan.petrov@example.com: карту заблокировали"


def _topics_of(external_id: str) -> list[str]:
    if external_id.startswith("cards-"):
        return ["cards.blocked"]
    if external_id.startswith("payments-app"):
        return ["payments.transfers"]
    if external_id.startswith("payments-web"):
        return ["payments.fees", "app.login"]
    return []


@pytest.fixture(scope="module")
def labelled(web: WebEnv) -> WebEnv:
    write_items(
        web.engine,
        run_id=None,
        source="pii",
        items=[
            {
                "external_id": "pii-1",
                "kind": "review",
                "occurred_at": datetime(2025, 4, 2, 9, 0),
                "text": PII_TEXT,
                "owner_team": "cards",
            }
        ],
    )
    labels = [
        MachineLabel(item_id, "complaint", "negative", topics, {}, "ru", None, "rules", 0.9, {})
        for external_id, item_id in web.item_ids.items()
        if (topics := _topics_of(external_id))
    ]
    write_machine_labels(web.engine, labels)
    return web


def _march(rows: list[dict[str, Any]], **where: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in rows
        if r["occurred_at"].month == 3 and all(r.get(k) == v for k, v in where.items())
    ]


def _nps(rows: list[dict[str, Any]]) -> float:
    scores = [r["score"] for r in rows if r.get("scale") == "nps"]
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def _row(body: dict[str, Any], topic: str | None, segment: str | None = None) -> dict[str, Any]:
    rows = body["total"] if topic is None else body["topics"]
    return next(r for r in rows if r["topic"] == topic and r["segment"] == segment)


def test_api_figures_per_topic(labelled: WebEnv) -> None:
    web = labelled
    body = web.client.get("/api/v1/topics?period=2025-03", headers=web.bearer("analyst")).json()
    march = _march(web.rows)
    cards = _march(web.rows, owner_team="cards", scale="nps")
    payments = _march(web.rows, owner_team="payments")
    assert _row(body, None)["volume"] == len(march)
    assert _row(body, "cards")["volume"] == len(cards) == 30
    assert _row(body, "cards")["share"]["value"] == pytest.approx(100 * 30 / len(march))
    assert _row(body, "cards")["nps"]["value"] == pytest.approx(_nps(cards))
    assert _row(body, "cards.blocked")["volume"] == 30
    assert _row(body, "payments")["volume"] == len(payments) == 60  # fees + transfers, once
    assert _row(body, "payments")["nps"]["value"] == pytest.approx(_nps(payments))
    assert _row(body, "app")["volume"] == 20
    assert _row(body, "payments")["previous_volume"] == 60  # February
    nps = _row(body, "payments")["nps"]
    assert nps["ci_low"] < nps["value"] < nps["ci_high"]
    assert body["titles"]["cards"]["ru"] == "Карты"
    assert [p["period"] for p in _row(body, "cards")["trend"]][-3:] == [
        "2025-01-01",
        "2025-02-01",
        "2025-03-01",
    ]


def test_api_zone_and_split(labelled: WebEnv) -> None:
    web = labelled
    body = web.client.get(
        "/api/v1/topics?period=2025-03&split=channel", headers=web.bearer("payments")
    ).json()
    # a team user's totals and shares are its zone only
    assert sum(r["volume"] for r in body["total"]) == 60
    assert _row(body, "payments.transfers", "app")["volume"] == 40
    assert _row(body, "payments.transfers", "app")["share"]["value"] == 100.0
    assert _row(body, "payments.fees", "web")["volume"] == 20
    assert all(r["volume"] == 0 for r in body["topics"] if r["topic"].startswith("cards"))
    refused = web.client.get("/api/v1/topics?team=cards", headers=web.bearer("payments"))
    assert refused.status_code == 403
    wrong = web.client.get("/api/v1/topics?split=colour", headers=web.bearer("admin"))
    assert wrong.status_code == 422


def test_page_in_russian_with_tree_titles_and_drill_down(labelled: WebEnv) -> None:
    client = labelled.login("payments")
    page = client.get(
        "/topics?period=2025-03&split=agent", headers={"Accept-Language": "ru-RU,ru;q=0.9"}
    )
    assert page.status_code == 200
    body = html.unescape(page.text)
    assert "Темы отзывов" in body and "Платежи и комиссии" in body and "Переводы денег" in body
    assert "PAYMARK-agent-0" in body
    assert "CARDMARK" not in body  # other zones' agents and items stay out
    assert "/items?topic=payments.transfers" in body
    assert "from=2025-03-01&to=2025-03-31" in body
    english = client.get("/topics?period=2025-03", headers={"Accept-Language": "en"}).text
    assert "Money transfers" in english and "Feedback topics" in english
    # the drill-down lists exactly the topic's items of the period
    items = client.get("/items?topic=payments.transfers&from=2025-03-01&to=2025-03-31").text
    assert items.count("<tr data-item=") == 40
    assert '<option value="payments.transfers" selected>' in items  # the filter, by name
    found = client.get(
        "/api/v1/items?topic=payments.transfers&from=2025-03-01&to=2025-03-31",
        headers=labelled.bearer("payments"),
    ).json()
    assert found["total"] == 40


def test_search_highlights_forms_and_masks_personal_data(labelled: WebEnv) -> None:
    client = labelled.login("admin")
    page = client.get("/items?q=заблокировать+карта").text
    assert '<mark class="hit">карту</mark>' in page
    assert '<mark class="hit">заблокировали</mark>' in page
    assert "[PHONE]" in page and "[EMAIL]" in page
    assert "123-45-67" not in page and "ivan.petrov@example.com" not in page
    # searching for the personal data itself never shows it
    page = client.get("/items?q=ivan.petrov@example.com").text
    assert "ivan.petrov@example.com" not in page.split('<table class="data items">', 1)[1]
    with labelled.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT text FROM feedback_items WHERE external_id = 'pii-1'")
        ).scalar()
    assert stored == PII_TEXT  # masked when shown, kept as imported


def test_split_names_exist_in_both_languages() -> None:
    from otklik.metrics import TOPIC_SPLITS
    from otklik.web.i18n import catalogue

    for locale in ("ru", "en"):
        assert all(f"topics.split.{name}" in catalogue(locale) for name in TOPIC_SPLITS)
