"""``POST /api/v1/items``: identical answers without an id, and values no engine can store."""

from __future__ import annotations

from tests.web.conftest import WebEnv

IVR_SCORES = [5, 4, 5, 1, 5, 5, 4, 2, 5, 4, 5, 3, 4, 5]  # 11 of 14 are 4–5


def test_identical_answers_are_separate_and_a_resend_adds_nothing(web: WebEnv) -> None:
    body = {
        "kind": "survey",
        "source": "ivr-http",
        "scale": "csat5",
        "items": [{"occurred_at": "2025-03-01", "score": score} for score in IVR_SCORES],
    }
    first = web.client.post("/api/v1/items", json=body, headers=web.bearer("analyst"))
    assert first.status_code == 200, first.text
    assert (first.json()["imported"], first.json()["duplicates"]) == (14, 0)
    again = web.client.post("/api/v1/items", json=body, headers=web.bearer("analyst"))
    assert (again.json()["imported"], again.json()["duplicates"]) == (0, 14)


def test_values_no_engine_can_store_are_answered_with_their_position(web: WebEnv) -> None:
    body = {
        "kind": "contact",
        "source": "hostile-http",
        "items": [
            {"id": "good", "occurred_at": "2025-03-01", "text": "ok"},
            {"id": "wide", "occurred_at": "2025-03-01", "transfers": 10**23},
            {"id": "nul", "occurred_at": "2025-03-01", "text": "a\x00b"},
            {"id": "year1", "occurred_at": "0001-01-01T00:00:00+01:00"},
            {"id": "minus-zero", "occurred_at": "2025-03-01", "handle_time_s": "-0:30"},
        ],
    }
    response = web.client.post("/api/v1/items", json=body, headers=web.bearer("admin"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["imported"], report["quarantined"]) == (1, 4)
    assert [(e["index"], e["field"]) for e in report["errors"]] == [
        (1, "transfers"),
        (2, "text"),
        (3, "occurred_at"),
        (4, "handle_time_s"),
    ]
