"""The inbox in the web app, on SQLite and PostgreSQL: priority order computed by hand from the
seed rows, filters in the URL, bulk actions with a confirmation step and one audit entry per
case, zone refusal of forged ids, the case page with the customer's history, replies through
a real SMTP server, and the JSON API's bulk endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, text

from otklik.auth import create_token
from otklik.ledger import Case, CaseEvent, make_engine, upgrade, write_items
from otklik.web import create_app
from tests.replies.servers import Mailbox, smtp_server
from tests.web.conftest import PASSWORD, USERS, _seed, csrf_of, nps_scores, settings_for

EMAIL = "olga.smirnova@example.ru"


@dataclass
class InboxEnv:
    engine: Engine
    client: TestClient
    cases: dict[str, int]
    tokens: dict[str, str]
    mailbox: Mailbox

    def login(self, role: str) -> TestClient:
        self.client.cookies.clear()
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={
                "email": USERS[role][0],
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "/",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        return self.client

    def events(self, key: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(CaseEvent)
                    .where(CaseEvent.case_id == self.cases[key])
                ).scalar_one()
            )


def _customer_items(engine: Engine) -> dict[str, int]:
    """Three items of one customer (two in payments' zone with cases, one in cards')."""
    now = datetime.now().replace(microsecond=0)
    rows = [
        {
            "external_id": f"olga-{i}",
            "kind": "survey",
            "channel": "app",
            "occurred_at": datetime(2025, 4, 1 + i),
            "score": 2.0,
            "scale": "nps",
            "customer_id": "cust-olga",
            "language": "ru",
            "text": f"OLGA{i} перезвоните мне +7 916 555-12-3{i}",
            "owner_team": team,
            "attributes": {"first_name": "Ольга", "patronymic": "Ивановна", "email": EMAIL},
        }
        for i, team in enumerate(("payments", "payments", "cards"))
    ]
    write_items(engine, run_id=None, source="olga", items=rows)
    cases = {}
    with engine.begin() as conn:
        ids = dict(
            conn.execute(
                text("SELECT external_id, id FROM feedback_items WHERE source = 'olga'")
            ).all()
        )
        for key in ("olga-0", "olga-2"):
            result = conn.execute(
                insert(Case).values(
                    item_id=ids[key],
                    team="payments" if key == "olga-0" else "cards",
                    status="open",
                    reason="detractor",
                    due_at=now + timedelta(days=5),
                    created_at=now,
                    updated_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            cases[key] = int(result.inserted_primary_key[0])
    return cases


@pytest.fixture(scope="module")
def inbox(web_url: str) -> Iterator[InboxEnv]:
    engine = make_engine(web_url)
    upgrade(engine)
    _, _, cases = _seed(engine)
    cases.update(_customer_items(engine))
    tokens = {role: create_token(engine, email=email) for role, (email, _, _) in USERS.items()}
    with smtp_server() as mailbox:
        settings = settings_for(
            web_url,
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            smtp_from="care@bank.example",
            reply_signature="Банк",
        )
        with TestClient(create_app(settings), base_url="https://testserver") as client:
            yield InboxEnv(engine, client, cases, tokens, mailbox)
    engine.dispose()


def _hand_priority() -> dict[str, int]:
    """The seed cases' priority by the documented rules (no revenue, no incident links)."""
    score = {  # the seed's NPS answers (tests/web/conftest.py): low band 0–6 → 35 points
        "payments-app-1-0": nps_scores(40, 0 + 1)[0],
        "payments-web-1-1": nps_scores(20, 3 + 1)[1],
        "cards-app-1-0": nps_scores(30, 5 + 1)[0],
    }
    overdue = {"payments-app-1-0": True, "payments-web-1-1": False, "cards-app-1-0": True}
    found = {}
    for key, value in score.items():
        band = 35 if value <= 6 else 10 if value <= 8 else 0
        found[key] = band + (30 if overdue[key] else 0)
    found["olga-0"] = found["olga-2"] = 35  # NPS 2, due in 5 days
    return found


def _order(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr id="case-(\d+)"', page)]


def test_page_and_api_sort_by_priority(inbox: InboxEnv) -> None:
    expected = _hand_priority()
    assert expected["payments-app-1-0"] == expected["cards-app-1-0"] == 65
    # 65, 65 (payments-app due 2 days ago before cards-app due 1 day ago), then the 35s by due.
    order = ["payments-app-1-0", "cards-app-1-0", "payments-web-1-1", "olga-0", "olga-2"]
    client = inbox.login("admin")
    page = client.get("/inbox")
    assert page.status_code == 200
    assert _order(page.text) == [inbox.cases[key] for key in order]
    api = client.get("/api/v1/cases?status=open", headers={}).json()
    assert [case["id"] for case in api["cases"]] == [inbox.cases[key] for key in order]
    assert [case["priority"] for case in api["cases"]] == [expected[key] for key in order]
    assert api["cases"][0]["sla"] == "overdue" and api["total"] == 5
    by_due = client.get("/inbox?order=due").text
    assert _order(by_due)[:2] == [inbox.cases["payments-app-1-0"], inbox.cases["cards-app-1-0"]]


def test_filters_combine_in_the_url(inbox: InboxEnv) -> None:
    client = inbox.login("admin")

    def shown(query: str) -> set[int]:
        page = client.get(f"/inbox?{query}")
        assert page.status_code == 200, page.text[:300]
        return set(_order(page.text))

    c = inbox.cases
    assert shown("sla=overdue") == {c["payments-app-1-0"], c["cards-app-1-0"]}
    assert shown("sla=overdue&team=cards") == {c["cards-app-1-0"]}
    assert shown("channel=web") == {c["payments-web-1-1"]}
    assert shown("sla=on_time&channel=app") == {c["olga-0"], c["olga-2"]}
    assert shown("assignee=-&team=payments&sla=overdue") == {c["payments-app-1-0"]}
    assert shown("type=complaint") == set()  # nothing is classified in this store
    assert client.get("/inbox?sla=late").status_code == 422  # a bad parameter (web.params)
    # A team user's filter never leaves the zone, whatever the URL says.
    team = inbox.login("payments")
    assert set(_order(team.get("/inbox?team=cards").text)) == set()
    assert c["cards-app-1-0"] not in _order(team.get("/inbox").text)


def test_bulk_assign_confirms_the_count_then_writes_one_event_per_case(inbox: InboxEnv) -> None:
    client = inbox.login("payments")
    page = client.get("/inbox?sla=overdue")
    token = csrf_of(page.text)
    before = inbox.events("payments-app-1-0")
    form = {
        "csrf_token": token,
        "action": "assign",
        "scope": "all",
        "filter": "sla=overdue",
        "assignee": "pay@example.org",
    }
    confirm = client.post("/inbox/bulk", data=form)
    assert confirm.status_code == 200
    assert re.search(r'id="confirm-count">[^<]*\b1\b', confirm.text)  # payments' overdue: 1
    assert inbox.events("payments-app-1-0") == before  # nothing written yet
    applied = client.post("/inbox/bulk/apply", data={**form, "count": "1"}, follow_redirects=False)
    assert applied.status_code == 303 and "done=assign" in applied.headers["location"]
    assert inbox.events("payments-app-1-0") == before + 1
    case = client.get(f"/api/v1/cases/{inbox.cases['payments-app-1-0']}").json()
    assert case["assignee"] == "pay@example.org" and case["status"] == "in_progress"
    assert case["history"][-1]["action"] == "assigned"
    # Selected ids: two cases, two events.
    ids = [inbox.cases["payments-web-1-1"], inbox.cases["olga-0"]]
    selected = {**form, "scope": "selected", "ids": [str(i) for i in ids], "filter": ""}
    assert re.search(
        r'id="confirm-count">[^<]*\(2\)', client.post("/inbox/bulk", data=selected).text
    )
    client.post("/inbox/bulk/apply", data={**selected, "count": "2"})
    assert inbox.events("payments-web-1-1") == 2 and inbox.events("olga-0") == 1
    # A count that no longer matches asks again instead of writing.
    stale = client.post("/inbox/bulk/apply", data={**form, "count": "7"})
    assert stale.status_code == 200 and 'id="confirm-count"' in stale.text
    assert inbox.events("payments-app-1-0") == before + 1


def test_forged_ids_from_another_zone_are_refused_and_nothing_changes(inbox: InboxEnv) -> None:
    client = inbox.login("payments")
    token = csrf_of(client.get("/inbox").text)
    mine, theirs = inbox.cases["payments-web-1-1"], inbox.cases["cards-app-1-0"]
    before = (inbox.events("payments-web-1-1"), inbox.events("cards-app-1-0"))
    form: dict[str, Any] = {
        "csrf_token": token,
        "action": "close",
        "note": "forged",
        "scope": "selected",
        "ids": [str(mine), str(theirs)],
    }
    assert client.post("/inbox/bulk", data=form).status_code == 404
    assert client.post("/inbox/bulk/apply", data={**form, "count": "2"}).status_code == 404
    api = client.post(
        "/api/v1/cases/bulk",
        json={"action": "close", "note": "forged", "ids": [mine, theirs]},
        headers={"Authorization": f"Bearer {inbox.tokens['payments']}"},
    )
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert (inbox.events("payments-web-1-1"), inbox.events("cards-app-1-0")) == before
    assert client.get(f"/inbox/{theirs}").status_code == 404
    assert client.post("/inbox/bulk", data={**form, "csrf_token": "x"}).status_code == 403


def test_api_bulk_with_a_filter_and_expected_count(inbox: InboxEnv) -> None:
    headers = {"Authorization": f"Bearer {inbox.tokens['cards']}"}
    body = {"action": "relabel", "filter": {"status": ["open"]}, "topic": "cards.limits"}
    conflict = inbox.client.post(
        "/api/v1/cases/bulk", json={**body, "expected": 99}, headers=headers
    )
    assert conflict.status_code == 409
    before = inbox.events("olga-2")
    done = inbox.client.post("/api/v1/cases/bulk", json={**body, "expected": 2}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json() == {"action": "relabel", "changed": 2, "skipped": []}
    assert inbox.events("olga-2") == before + 1
    listed = inbox.client.get("/api/v1/cases?topic=cards.limits", headers=headers).json()
    assert {case["id"] for case in listed["cases"]} == {
        inbox.cases["cards-app-1-0"],
        inbox.cases["olga-2"],
    }


def test_case_page_shows_the_customers_history_masked_and_zoned(inbox: InboxEnv) -> None:
    client = inbox.login("payments")
    page = client.get(f"/inbox/{inbox.cases['olga-0']}")
    assert page.status_code == 200
    assert "OLGA0" in page.text and "OLGA1" in page.text  # both payments items
    assert "OLGA2" not in page.text  # cards' item: counted, not shown
    assert re.search(r"из них 1 в зонах других команд|1 of them belong", page.text)
    assert "555-12-3" not in page.text and EMAIL not in page.text  # masked
    assert "Ольга" not in page.text  # the reply preview hides the name too
    admin = inbox.login("admin")
    assert "OLGA2" in admin.get(f"/inbox/{inbox.cases['olga-0']}").text


def test_reply_from_the_case_arrives_and_is_in_the_history(inbox: InboxEnv) -> None:
    client = inbox.login("payments")
    case_id = inbox.cases["olga-0"]
    token = csrf_of(client.get(f"/inbox/{case_id}").text)
    inbox.mailbox.arrived.clear()
    sent = client.post(
        f"/inbox/{case_id}/reply",
        data={"csrf_token": token, "channel": "email", "body": "Мы вернули Вам деньги."},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("reply=sent")
    assert inbox.mailbox.arrived.wait(10)
    _, recipients, message = inbox.mailbox.messages[-1]
    assert recipients == [EMAIL]
    assert message.get_content().startswith("Здравствуйте, Ольга Ивановна!")
    page = client.get(f"/inbox/{case_id}?reply=sent").text
    assert 'id="reply-result"' in page and "Мы вернули Вам деньги." in page
    assert "Здравствуйте, ••• •••!" in page and "Ольга" not in page  # names hidden on the page
    events = client.get(f"/api/v1/cases/{case_id}").json()["history"]
    assert events[-1]["action"] == "replied"
    # Not configured: a clear failure on the page and in the history, not a 500.
    failed = client.post(
        f"/inbox/{case_id}/reply",
        data={"csrf_token": token, "channel": "webhook", "body": "x"},
        follow_redirects=True,
    )
    assert failed.status_code == 200 and 'role="alert"' in failed.text
    assert "OTKLIK_REPLY_WEBHOOK_URL" in failed.text
    api = client.post(
        f"/api/v1/cases/{case_id}/reply",
        json={"channel": "webhook", "body": "x"},
        headers={"Authorization": f"Bearer {inbox.tokens['payments']}"},
    )
    assert api.status_code == 200 and api.json()["status"] == "failed"


def test_inbox_codes_and_reply_settings_are_translated_and_documented() -> None:
    from pathlib import Path

    from otklik import replies, routing
    from otklik.config import Settings
    from otklik.web.i18n import catalogue

    keys = {f"code.sla_state.{state}" for state in routing.SLA_STATES}
    actions = ("opened", "assigned", "closed", "reopened", "relabelled", "replied", "reply_failed")
    keys |= {f"code.case_event.{action}" for action in actions}
    keys |= {f"code.reply_channel.{name}" for name in replies.REPLY_CHANNELS}
    keys |= {f"code.reply_language.{code}" for code in replies.REPLY_LANGUAGES}
    keys |= {f"code.reply_status.{status}" for status in ("sent", "failed")}
    keys |= {f"code.bulk_scope.{scope}" for scope in ("selected", "all")}
    keys |= {f"inbox_done.{action}" for action in routing.BULK_ACTIONS}
    keys |= {f"inbox_confirm.{action}" for action in routing.BULK_ACTIONS}
    for locale in ("ru", "en"):
        assert not sorted(keys - set(catalogue(locale))), locale
    doc = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        if name.startswith(("smtp_", "reply_")):
            assert f"OTKLIK_{name.upper()}" in doc, name


def test_hostile_bulk_inputs_are_refused_cleanly(inbox: InboxEnv) -> None:
    headers = {"Authorization": f"Bearer {inbox.tokens['admin']}"}
    for body in (
        {"action": "assign", "assignee": "x", "ids": [2**40]},
        {"action": "assign", "assignee": "x", "ids": [0]},
        {"action": "explode", "ids": [1]},
        {"action": "assign", "assignee": "x"},
        {"action": "close", "ids": [inbox.cases["olga-2"]]},  # no note
    ):
        response = inbox.client.post("/api/v1/cases/bulk", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
    client = inbox.login("admin")
    token = csrf_of(client.get("/inbox").text)
    form = {"csrf_token": token, "action": "assign", "scope": "selected", "ids": str(2**40)}
    assert client.post("/inbox/bulk", data=form).status_code == 422
    assert client.get("/inbox?sla=late").status_code == 422  # a bad parameter (web.params)
