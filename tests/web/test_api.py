"""The JSON API on SQLite and PostgreSQL: items, posting items, metrics, cases."""

from __future__ import annotations

import json

import pytest

from otklik.cli import main
from otklik.ledger import list_quarantine
from tests.web.conftest import MARKERS, WebEnv, hand_nps


def test_items_page_shape_total_and_owner_team(web: WebEnv) -> None:
    response = web.client.get("/api/v1/items?limit=5", headers=web.bearer("admin"))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(web.rows)
    assert len(body["items"]) == 5
    assert all("owner_team" in item for item in body["items"])
    assert body["items"][0]["occurred_at"].endswith("+00:00")


def test_items_filters_search_and_paging(web: WebEnv) -> None:
    headers = web.bearer("analyst")
    expected = [
        r
        for r in web.rows
        if r["owner_team"] == "payments" and r["occurred_at"].month == 2 and r["channel"] == "web"
    ]
    response = web.client.get(
        "/api/v1/items?team=payments&from=2025-02-01&to=2025-02-28&channel=web&limit=7&offset=7",
        headers=headers,
    )
    body = response.json()
    assert body["total"] == len(expected)
    assert len(body["items"]) == 7
    # Search is case-insensitive for Cyrillic too (SQLite's lower() folds only ASCII).
    lower = web.client.get("/api/v1/items?q=приложение&team=cards&limit=1", headers=headers)
    upper = web.client.get("/api/v1/items?q=ПРИЛОЖЕНИЕ&team=cards&limit=1", headers=headers)
    cards = [r for r in web.rows if r["owner_team"] == "cards" and "риложение" in (r["text"] or "")]
    assert lower.json()["total"] == upper.json()["total"] == len(cards)
    # LIKE wildcards in q are literal characters, not patterns.
    assert web.client.get("/api/v1/items?q=%25", headers=headers).json()["total"] == 0


def test_item_by_id_and_not_found(web: WebEnv) -> None:
    item_id = web.item_ids["cards-app-2-3"]
    found = web.client.get(f"/api/v1/items/{item_id}", headers=web.bearer("admin")).json()
    assert found["owner_team"] == "cards" and found["external_id"] == "cards-app-2-3"
    hidden = web.client.get(f"/api/v1/items/{item_id}", headers=web.bearer("payments"))
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"


def test_post_items_stores_good_and_reports_bad(web: WebEnv) -> None:
    body = {
        "kind": "survey",
        "source": "api-test",
        "scale": "nps",
        "items": [
            {
                "id": "a1",
                "occurred_at": "2025-04-02T10:00:00+03:00",
                "score": 9,
                "text": "ok",
                "channel": "Мобильное приложение",
                "owner_team": "payments",
            },
            {"id": "a2", "occurred_at": "31.12.2025", "score": 11, "text": "bad score"},
            {"id": "a3", "score": 5, "text": "no date"},
            "not an object",
        ],
    }
    response = web.client.post("/api/v1/items", json=body, headers=web.bearer("analyst"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["read"], report["imported"], report["quarantined"]) == (4, 1, 3)
    errors = {error["index"]: error for error in report["errors"]}
    assert set(errors) == {1, 2, 3}
    assert errors[1]["field"] == "score" and "11" in errors[1]["reason"]
    assert errors[2]["field"] == "occurred_at"
    assert len(list_quarantine(web.engine, run_id=report["run_id"])) == 3
    stored = web.client.get(
        "/api/v1/items?q=ok&from=2025-04-02&to=2025-04-02", headers=web.bearer("admin")
    ).json()["items"]
    assert [(i["external_id"], i["channel"], i["occurred_at"]) for i in stored] == [
        ("a1", "app", "2025-04-02T07:00:00+00:00")
    ]
    again = web.client.post(
        "/api/v1/items", json={**body, "items": body["items"][:1]}, headers=web.bearer("admin")
    ).json()
    assert (again["imported"], again["duplicates"]) == (0, 1)


def test_post_items_refused_for_team_and_bad_body(web: WebEnv) -> None:
    one = {"kind": "survey", "items": {"occurred_at": "2025-01-01", "text": "x"}}
    team = web.client.post("/api/v1/items", json=one, headers=web.bearer("payments"))
    assert team.status_code == 403 and team.json()["error"]["code"] == "forbidden"
    bad = web.client.post(
        "/api/v1/items", json={"kind": "nonsense", "items": []}, headers=web.bearer("admin")
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_metric_matches_hand_count_and_cli_json(
    web: WebEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    response = web.client.get(
        "/api/v1/metrics/nps?by=month&from=2025-01-01&to=2025-03-31", headers=web.bearer("analyst")
    )
    assert response.status_code == 200
    rows = response.json()
    january = [r for r in web.rows if r["occurred_at"].month == 1]
    value, n = hand_nps(january)
    assert rows[0]["period"] == "2025-01-01"
    assert rows[0]["n"] == n and rows[0]["value"] == pytest.approx(value)
    assert set(rows[0]) == {
        "metric",
        "period",
        "segment",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "flags",
        "scope",
        "timezone",
    }
    assert (
        main(
            [
                "metrics",
                "nps",
                "--by",
                "month",
                "--from",
                "2025-01-01",
                "--to",
                "2025-03-31",
                "--format",
                "json",
                "--db",
                web.url,
            ]
        )
        == 0
    )
    cli_rows = json.loads(capsys.readouterr().out)
    assert cli_rows == rows


def test_metric_for_team_is_its_zone(web: WebEnv) -> None:
    rows = web.client.get(
        "/api/v1/metrics/nps?from=2025-01-01&to=2025-03-31", headers=web.bearer("cards")
    ).json()
    value, n = hand_nps(web.rows, owner_team="cards")
    assert rows[0]["n"] == n and rows[0]["value"] == pytest.approx(value)
    other = web.client.get(
        "/api/v1/metrics/nps?where=owner_team=payments", headers=web.bearer("cards")
    )
    assert other.status_code == 403
    churn = web.client.get("/api/v1/metrics/churn_rate?by=month", headers=web.bearer("cards"))
    assert churn.status_code == 403


def test_metric_errors_use_the_error_shape(web: WebEnv) -> None:
    unknown = web.client.get("/api/v1/metrics/nope", headers=web.bearer("admin"))
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "metric_error"
    bad_grain = web.client.get("/api/v1/metrics/nps?by=century", headers=web.bearer("admin"))
    assert bad_grain.status_code == 422 and "error" in bad_grain.json()


def test_cases_zone_assign_close_and_history(web: WebEnv) -> None:
    listed = web.client.get("/api/v1/cases", headers=web.bearer("payments")).json()
    assert {case["team"] for case in listed["cases"]} == {"payments"}
    assert listed["cases"][0]["overdue"] is True  # overdue first
    assert listed["total"] == 2
    everyone = web.client.get("/api/v1/cases", headers=web.bearer("admin")).json()
    assert everyone["total"] == 3
    cards_case = web.case_ids["cards-app-1-0"]
    hidden = web.client.post(
        f"/api/v1/cases/{cards_case}/assign",
        json={"assignee": "me"},
        headers=web.bearer("payments"),
    )
    assert hidden.status_code == 404
    case_id = web.case_ids["payments-web-1-1"]
    assigned = web.client.post(
        f"/api/v1/cases/{case_id}/assign",
        json={"assignee": "pay@example.org"},
        headers=web.bearer("payments"),
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "in_progress"
    no_note = web.client.post(
        f"/api/v1/cases/{case_id}/close", json={"note": ""}, headers=web.bearer("payments")
    )
    assert no_note.status_code == 422
    closed = web.client.post(
        f"/api/v1/cases/{case_id}/close",
        json={"note": "refunded the fee"},
        headers=web.bearer("payments"),
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    history = web.client.get(f"/api/v1/cases/{case_id}", headers=web.bearer("admin")).json()
    assert [e["action"] for e in history["history"]] == ["opened", "assigned", "closed"]
    assert history["history"][-1]["note"] == "refunded the fee"
    assert MARKERS["payments"]  # the seed's markers are what the role walk looks for


def test_topic_filter_takes_subtopics(web: WebEnv) -> None:
    from datetime import datetime

    from sqlalchemy import insert

    from otklik.ledger.models_classify import Classification

    labelled = [web.item_ids["payments-app-2-1"], web.item_ids["cards-app-2-1"]]
    with web.engine.begin() as conn:
        for item_id, topics in zip(labelled, (["app.login"], ["fees"]), strict=True):
            conn.execute(
                insert(Classification).values(
                    item_id=item_id,
                    origin="machine",
                    type="complaint",
                    topics=topics,
                    method="rules",
                    created_at=datetime(2025, 5, 1),
                )
            )
    found = web.client.get("/api/v1/items?topic=app", headers=web.bearer("admin")).json()
    assert [item["id"] for item in found["items"]] == [labelled[0]]
    both = web.client.get("/api/v1/items?topic=app.login,fees", headers=web.bearer("admin"))
    assert both.json()["total"] == 2
    hidden = web.client.get("/api/v1/items?topic=fees", headers=web.bearer("payments")).json()
    assert hidden["total"] == 0
    page = web.login("admin").get(f"/items/{labelled[0]}").text
    # The Russian page names the topic by the taxonomy's own Russian title, the type in Russian.
    from otklik.classify import load_taxonomy

    title = next(n.title("ru") for n in load_taxonomy().flat_topics() if n.id == "app.login")
    assert title != "app.login" and title in page and "Жалоба" in page
    # Codes stay in form values (the relabel form posts them); none is shown as text.
    from tests.web.test_i18n_walk import visible_texts

    shown = " ".join(visible_texts(page))
    assert "app.login" not in shown and "complaint" not in shown
