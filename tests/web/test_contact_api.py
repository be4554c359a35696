"""``POST /api/v1/contact/check``: the issue's JSON shape, roles, one clear error, one slot."""

from __future__ import annotations

from tests.web.conftest import WebEnv


def test_check_over_the_api(web: WebEnv) -> None:
    body = {
        "customer_id": "api-1",
        "type": "marketing",
        "channel": "email",
        "at": "2026-11-30T09:00:00Z",
        "record": True,
    }
    first = web.client.post("/api/v1/contact/check", json=body, headers=web.bearer("admin"))
    assert first.status_code == 200
    assert first.json() == {
        "allowed": True,
        "reason": "ok: within the contact policy",
        "next_allowed_at": None,
    }
    again = web.client.post("/api/v1/contact/check", json=body, headers=web.bearer("analyst"))
    assert again.json()["allowed"] is False
    assert again.json()["next_allowed_at"] == "2026-12-01T09:00:00Z"
    team = web.client.post("/api/v1/contact/check", json=body, headers=web.bearer("payments"))
    assert team.status_code == 403
    bad = web.client.post(
        "/api/v1/contact/check", json={**body, "type": "spam"}, headers=web.bearer("admin")
    )
    assert bad.status_code == 400 and "unknown message type" in bad.text
