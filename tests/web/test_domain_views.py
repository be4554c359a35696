"""The web shows what the domain packages return: masked case texts (as ``otklik cases list``),
topics by the current labels (a human relabel wins), the taxonomy in force (``OTKLIK_TAXONOMY``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from otklik.classify import HumanLabel, MachineLabel, write_human_labels, write_machine_labels
from otklik.cli import main
from otklik.ledger import Case, FeedbackItem, write_items
from otklik.web import create_app
from tests.web.conftest import PASSWORD, USERS, WebEnv, csrf_of, settings_for

PHONE = "+7 916 123-45-67"
EMAIL = "ivan.petrov@example.ru"
PII_TEXT = f"Перезвоните мне на {PHONE} или напишите на {EMAIL}, жду ответа"
MASKED = "Перезвоните мне на [PHONE] или напишите на [EMAIL], жду ответа"  # by hand


def _add_item(web: WebEnv, external_id: str, text: str, team: str = "payments") -> int:
    write_items(
        web.engine,
        run_id=None,
        source="domain-views",
        items=[
            {
                "external_id": external_id,
                "kind": "survey",
                "occurred_at": datetime(2025, 3, 3, 10, 0),
                "score": 1.0,
                "scale": "nps",
                "text": text,
                "channel": "app",
                "owner_team": team,
            }
        ],
    )
    with web.engine.connect() as conn:
        return int(
            conn.execute(
                select(FeedbackItem.id).where(
                    FeedbackItem.source == "domain-views", FeedbackItem.external_id == external_id
                )
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def pii_case(web: WebEnv) -> int:
    item_id = _add_item(web, "pii-1", PII_TEXT)
    now = datetime.now().replace(microsecond=0)
    with web.engine.begin() as conn:
        result = conn.execute(
            insert(Case).values(
                item_id=item_id,
                team="payments",
                status="open",
                reason="detractor",
                due_at=now + timedelta(days=5),
                created_at=now,
                updated_at=now,
            )
        )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def test_inbox_and_case_api_mask_a_phone_like_the_cli(
    web: WebEnv, pii_case: int, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["cases", "list", "--status", "all", "--format", "json", "--db", web.url]) == 0
    cli = {case["id"]: case for case in json.loads(capsys.readouterr().out)}
    assert cli[pii_case]["text"] == MASKED

    listed = web.client.get("/api/v1/cases", headers=web.bearer("payments")).json()
    by_id = {case["id"]: case for case in listed["cases"]}
    assert by_id[pii_case]["text"] == MASKED
    one = web.client.get(f"/api/v1/cases/{pii_case}", headers=web.bearer("admin")).json()
    assert one["text"] == MASKED and one["history"] == []

    page = web.login("payments").get("/inbox").text
    assert "[PHONE]" in page and "[EMAIL]" in page
    for raw in (PHONE, "916", EMAIL):
        assert raw not in page
    exported = web.client.get("/inbox?format=csv&dialect=rfc").text
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))}
    assert rows[str(pii_case)]["text"] == MASKED
    assert PHONE not in exported and EMAIL not in exported


def test_another_zones_case_is_not_found(web: WebEnv, pii_case: int) -> None:
    headers = web.bearer("cards")
    assert web.client.get(f"/api/v1/cases/{pii_case}", headers=headers).status_code == 404
    closing = web.client.post(
        f"/api/v1/cases/{pii_case}/close", json={"note": "not mine"}, headers=headers
    )
    assert closing.status_code == 404
    listed = web.client.get("/api/v1/cases", headers=headers).json()
    assert pii_case not in {case["id"] for case in listed["cases"]}
    bad = web.client.get("/api/v1/cases?status=nonsense", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def _machine(item_id: int, topics: list[str]) -> MachineLabel:
    return MachineLabel(
        item_id=item_id,
        type="complaint",
        sentiment="negative",
        topics=topics,
        tags={},
        language="ru",
        owner_team="payments",
        method="rules",
        confidence=0.6,
        scores={},
    )


def _topic_ids(web: WebEnv, topic: str) -> set[int]:
    page = web.client.get(
        "/api/v1/items", params={"topic": topic, "limit": 500}, headers=web.bearer("admin")
    ).json()
    return {item["id"] for item in page["items"]}


def test_topic_filter_follows_a_human_relabel(web: WebEnv) -> None:
    relabelled = _add_item(web, "relabel-1", "не могу войти в приложение")
    sentiment_only = _add_item(web, "relabel-2", "вход снова сломан")
    look_alike = _add_item(web, "relabel-3", "похожие имена тем")
    write_machine_labels(
        web.engine,
        [
            _machine(relabelled, ["app.login"]),
            _machine(sentiment_only, ["app.login"]),
            _machine(look_alike, ["application.misc", "cash_back"]),
        ],
    )
    assert {relabelled, sentiment_only} <= _topic_ids(web, "app")
    write_human_labels(
        web.engine,
        [
            HumanLabel(item_id=relabelled, topics=["payments.transfer"], labelled_by="qa"),
            HumanLabel(item_id=sentiment_only, sentiment="neutral", labelled_by="qa"),
        ],
    )
    app_items = _topic_ids(web, "app")
    assert relabelled not in app_items  # no longer under the machine's topic
    assert sentiment_only in app_items  # a human label without topics keeps the machine's
    assert look_alike not in app_items  # "app" is not a prefix of "application"
    assert relabelled in _topic_ids(web, "payments")
    assert relabelled in _topic_ids(web, "payments.transfer")
    assert look_alike in _topic_ids(web, "cash_back")
    assert look_alike not in _topic_ids(web, "cashxback")
    assert look_alike not in _topic_ids(web, "cash")  # "_" is no wildcard
    assert _topic_ids(web, "app,payments.transfer") >= {relabelled, sentiment_only}
    page = web.login("admin").get("/items", params={"topic": "app"}).text
    assert "не могу войти в приложение" not in page and "вход снова сломан" in page
    item_page = web.client.get(f"/items/{relabelled}").text
    # the classification shown (topic titles; the relabel form lists every topic below it)
    shown = item_page.split('id="current-topics">')[1].split("</dd>")[0]
    assert "payments.transfer" in shown and "app.login" not in shown


CUSTOM_TAXONOMY = """\
version: 1
default_owner: payments
types:
  complaint: {}
  suggestion: {}
  question: {}
  praise: {}
sentiments:
  negative: {}
  neutral: {}
  positive: {}
topics:
  - id: warehouse
    label: {en: Warehouse, ru: Склад}
    topics:
      - id: damage
        label: {en: Damaged parcel, ru: Повреждённая посылка}
  - id: courier_rudeness
    owner: cards
    label: {en: Rude courier, ru: Грубый курьер}
"""


CUSTOM_TEAMS = """\
version: 1
default_team: payments
teams:
  payments: {sla_hours: 48}
  cards: {sla_hours: 24}
  warehouse_ops: {label: {en: Warehouse operations}, sla_hours: 12, escalate_to: payments}
"""


def _settings_page(web: WebEnv, taxonomy: Path, teams: Path | None = None) -> str:
    app = create_app(settings_for(web.url, taxonomy=taxonomy, teams=teams))
    with TestClient(app, base_url="https://testserver") as client:
        token = csrf_of(client.get("/login").text)
        signed = client.post(
            "/login",
            data={"email": USERS["admin"][0], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        client.cookies.set("otklik_lang", "en")
        return client.get("/settings").text


def test_settings_lists_the_taxonomy_in_force(web: WebEnv, tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(CUSTOM_TAXONOMY, encoding="utf-8")
    teams = tmp_path / "teams.yaml"
    teams.write_text(CUSTOM_TEAMS, encoding="utf-8")
    page = _settings_page(web, path, teams)
    assert "warehouse_ops" in page and "Warehouse operations" in page and str(teams) in page
    assert "contact_center" not in page  # a team of the shipped file only
    for shown in ("warehouse.damage", "Damaged parcel", "courier_rudeness", "Rude courier"):
        assert shown in page
    assert str(path) in page
    assert "app.login" not in page  # a topic of the shipped taxonomy only

    broken = tmp_path / "broken.yaml"
    broken.write_text(CUSTOM_TAXONOMY.replace("  praise: {}\n", ""), encoding="utf-8")
    page = _settings_page(web, broken)
    assert f"{broken}:3" in page and "praise" in page  # file:line of the problem
    assert "warehouse.damage" not in page
    assert "contact_center" in page  # OTKLIK_TEAMS unset: the shipped teams
    teams.write_text(
        CUSTOM_TEAMS.replace("escalate_to: payments", "escalate_to: nowhere"), encoding="utf-8"
    )
    page = _settings_page(web, path, teams)
    assert f"{teams}:6" in page and "nowhere" in page
