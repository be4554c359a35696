"""The conduct page, its forms (CSRF, roles, zones), the inbox badge, the item panel and the
/api/v1/conduct routes, on the shared seeded web store plus a few abusive items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import insert, select

from otklik.conduct import scan_items
from otklik.ledger import ConductEvent, ConductFlag, FeedbackItem, write_items
from tests.web.conftest import WebEnv, csrf_of


@pytest.fixture(scope="module")
def abusive(web: WebEnv) -> Iterator[dict[str, int]]:
    rows = [
        {
            "external_id": f"abuse-{team}",
            "kind": "contact",
            "channel": "chat",
            "occurred_at": datetime(2025, 3, 5),
            "text": f"{marker} Ты дебил? Верни деньги",
            "customer_id": f"cust-{team}",
            "owner_team": team,
            "agent": f"agent {marker}",
        }
        for team, marker in (("payments", "PAYMARK"), ("cards", "CARDMARK"))
    ]
    write_items(web.engine, run_id=None, source="conduct-test", items=rows)
    scan_items(web.engine)
    with web.engine.begin() as conn:
        ids = dict(
            conn.execute(
                select(FeedbackItem.external_id, FeedbackItem.id).where(
                    FeedbackItem.source == "conduct-test"
                )
            ).all()
        )
        # The badge: a flag on an item that has a case in the seeded inbox.
        conn.execute(
            insert(ConductFlag).values(
                item_id=web.item_ids["payments-app-1-0"],
                category="insult",
                rule="test",
                evidence="x",
                start=0,
                end=1,
                confidence=0.9,
                detected_at=datetime(2025, 3, 5),
            )
        )
    yield ids


def test_queue_is_team_scoped_with_highlighted_evidence(
    web: WebEnv, abusive: dict[str, int]
) -> None:
    page = web.login("admin").get("/conduct")
    assert page.status_code == 200
    assert f'id="item-{abusive["abuse-payments"]}"' in page.text
    assert f'id="item-{abusive["abuse-cards"]}"' in page.text
    assert '<mark class="conduct-insult">дебил</mark>' in page.text
    page = web.login("payments").get("/conduct")
    assert f'id="item-{abusive["abuse-payments"]}"' in page.text
    assert f'id="item-{abusive["abuse-cards"]}"' not in page.text
    assert "CARDMARK" not in page.text


def test_one_click_steps_need_csrf_role_and_zone(web: WebEnv, abusive: dict[str, int]) -> None:
    client = web.login("payments")
    token = csrf_of(client.get("/conduct").text)
    own, other = abusive["abuse-payments"], abusive["abuse-cards"]
    refused = client.post(f"/conduct/{own}/step", data={"step": "warning"}, follow_redirects=False)
    assert refused.status_code == 403
    done = client.post(
        f"/conduct/{own}/step",
        data={"step": "warning", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    hidden = client.post(
        f"/conduct/{other}/step", data={"step": "end", "csrf_token": token}, follow_redirects=False
    )
    assert hidden.status_code == 404
    not_supervisor = client.post(
        f"/conduct/{own}/review",
        data={"decision": "confirm", "csrf_token": token},
        follow_redirects=False,
    )
    assert not_supervisor.status_code == 403
    admin = web.login("admin")
    token = csrf_of(admin.get("/conduct").text)
    confirmed = admin.post(
        f"/conduct/{own}/review",
        data={"decision": "confirm", "csrf_token": token},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    with web.engine.connect() as conn:
        steps = list(
            conn.execute(
                select(ConductEvent.step, ConductEvent.actor)
                .where(ConductEvent.item_id == own)
                .order_by(ConductEvent.id)
            ).all()
        )
    assert [tuple(s) for s in steps] == [
        ("warning", "pay@example.org"),
        ("confirm", "admin@example.org"),
    ]
    assert f'id="item-{own}"' not in admin.get("/conduct").text  # decided: off the queue
    item = admin.get(f"/items/{own}")
    assert 'id="conduct-events"' in item.text and "pay@example.org" in item.text


def test_inbox_badge(web: WebEnv, abusive: dict[str, int]) -> None:
    page = web.login("payments").get("/inbox")
    assert f'data-conduct="{web.item_ids["payments-app-1-0"]}"' in page.text


def test_api_flags_are_masked_and_scoped(web: WebEnv, abusive: dict[str, int]) -> None:
    answer = web.client.get("/api/v1/conduct/flags", headers=web.bearer("payments"))
    assert answer.status_code == 200
    flags = answer.json()["flags"]
    assert {f["external_id"] for f in flags} == {"abuse-payments", "payments-app-1-0"}
    mine = next(f for f in flags if f["external_id"] == "abuse-payments")
    assert mine["evidence"] == "д****" and mine["category"] == "insult"
    other = abusive["abuse-cards"]
    missing = web.client.get(f"/api/v1/conduct/items/{other}", headers=web.bearer("payments"))
    assert missing.status_code == 404
    step = web.client.post(
        f"/api/v1/conduct/items/{other}/steps",
        json={"step": "explode"},
        headers=web.bearer("cards"),
    )
    assert step.status_code == 422
    figures = web.client.get("/api/v1/conduct/figures", headers=web.bearer("admin"))
    assert figures.status_code == 200 and "rates" in figures.json()


def test_every_code_shown_has_both_languages() -> None:
    from otklik.conduct import CATEGORIES
    from otklik.conduct.figures import PERIODS
    from otklik.web.i18n import catalogue

    keys = {f"code.conduct_category.{c}" for c in CATEGORIES}
    keys |= {f"code.conduct_period.{p}" for p in PERIODS}
    keys |= {f"code.conduct_risk.{k}" for k in ("customer", "address")}
    steps = ("warning", "end", "block", "review", "confirm", "reverse", "appeal", "report")
    keys |= {f"code.conduct_step.{s}" for s in steps}
    keys |= {f"code.conduct_done.{s}" for s in ("warning", "end", "block", "confirm", "reverse")}
    for locale in ("ru", "en"):
        assert not sorted(keys - set(catalogue(locale)))


def test_case_page_shows_the_conduct_panel(web: WebEnv, abusive: dict[str, int]) -> None:
    case_id = web.case_ids["payments-app-1-0"]
    page = web.login("payments").get(f"/inbox/{case_id}")
    assert page.status_code == 200 and 'id="conduct-item"' in page.text
