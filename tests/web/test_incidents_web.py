"""Incidents on the web: the public status (no sign-in, no internal details, the customer's
language, a passed ETA said to be missed), the active feed per zone, and the inbox banner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from otklik.incidents import open_incident
from tests.web.conftest import WebEnv


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_incidents_on_the_web(web: WebEnv) -> None:
    client = web.client
    client.cookies.clear()
    empty = client.get("/status")
    assert empty.status_code == 200 and 'id="all-ok"' in empty.text
    now = _now()
    on_time = open_incident(
        web.engine,
        title="INTERNAL payments gateway",
        message_ru="Платежи проходят с задержкой",
        message_en="Payments are delayed",
        actor="t",
        started_at=now - timedelta(hours=1),
        eta_at=now + timedelta(hours=2),
        owner_team="payments",
        scopes=[("channel", "app")],
    )
    late = open_incident(
        web.engine,
        title="INTERNAL cards",
        message_ru="Карты не работают",
        message_en="Cards fail",
        actor="t",
        started_at=now - timedelta(hours=5),
        eta_at=now - timedelta(hours=1),
        owner_team="cards",
        at=now - timedelta(hours=5),  # promised then; the ETA has passed since
    )
    client.cookies.clear()
    page = client.get("/status?lang=en")
    assert page.status_code == 200
    assert "Payments are delayed" in page.text and "Cards fail" in page.text
    assert "INTERNAL" not in page.text and "payments gateway" not in page.text
    assert 'data-eta-state="missed"' in page.text and 'data-eta-state="on_track"' in page.text
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    russian = client.get("/status?lang=ru")
    assert "Платежи проходят с задержкой" in russian.text and "Payments" not in russian.text
    body = client.get("/status.json?lang=en")
    assert body.headers["access-control-allow-origin"] == "*"
    status = body.json()
    assert status["status"] == "incident"
    states = {i["id"]: i["eta_state"] for i in status["incidents"]}
    assert states == {on_time["id"]: "on_track", late["id"]: "missed"}
    assert "owner_team" not in body.text and "INTERNAL" not in body.text

    assert client.get("/api/v1/incidents/active").status_code == 401
    seen = client.get("/api/v1/incidents/active", headers=web.bearer("payments")).json()
    assert [i["id"] for i in seen["incidents"]] == [on_time["id"]]
    assert seen["incidents"][0]["message"]["en"] == "Payments are delayed"
    assert seen["incidents"][0]["scopes"] == [{"field": "channel", "value": "app"}]
    everyone = client.get("/api/v1/incidents/active", headers=web.bearer("admin")).json()
    assert {i["id"] for i in everyone["incidents"]} == {on_time["id"], late["id"]}
    assert (
        client.get(f"/api/v1/incidents/{late['id']}", headers=web.bearer("payments")).status_code
        == 404
    )

    inbox = web.login("payments").get("/inbox")
    assert inbox.status_code == 200
    assert "incident-banner" in inbox.text
    assert ("Payments are delayed" in inbox.text) or ("Платежи проходят с задержкой" in inbox.text)
    assert "Cards fail" not in inbox.text and "Карты не работают" not in inbox.text
    admin = web.login("admin")
    assert admin.get("/incidents").status_code == 200
    day = now.date()
    overview = admin.get(f"/?from={day - timedelta(days=1)}&to={day + timedelta(days=1)}")
    assert 'id="period-incidents"' in overview.text and "INTERNAL cards" in overview.text
    earlier = admin.get("/?from=2001-01-01&to=2001-01-31")
    assert 'id="period-incidents"' not in earlier.text


def test_status_as_it_was_and_bad_input(web: WebEnv) -> None:
    client = web.client
    client.cookies.clear()
    before = client.get("/status.json?at=2001-01-01T00:00&lang=ru").json()
    assert before["status"] == "ok" and before["incidents"] == []
    bad = client.get("/status.json?at=yesterday")
    assert bad.status_code == 422 and "cannot read at=" in bad.json()["error"]["message"]
    assert bad.headers["content-type"].startswith("application/json")  # a JSON address
    assert client.get("/status?at=nonsense").status_code == 422  # as every date parameter


def test_incidents_are_run_through_the_api_by_their_team(web: WebEnv) -> None:
    client = web.client
    client.cookies.clear()
    body = {
        "title": "API outage",
        "message_ru": "Сбой API",
        "message_en": "API outage",
        "owner_team": "payments",
        "started_at": "2025-06-09T08:00:00+03:00",
        "eta_at": "2025-06-09T12:00:00+03:00",
        "scopes": [{"field": "channel", "value": "web"}],
        "recorded_at": "2025-06-09T08:30:00+03:00",  # entered after the fact
    }
    assert (
        client.post("/api/v1/incidents", json=body, headers=web.bearer("analyst")).status_code
        == 403
    )
    assert (
        client.post("/api/v1/incidents", json=body, headers=web.bearer("cards")).status_code == 403
    )
    bad = client.post(
        "/api/v1/incidents",
        json={**body, "scopes": [{"field": "planet", "value": "mars"}]},
        headers=web.bearer("admin"),
    )
    assert bad.status_code == 422 and "planet" in bad.text
    late = {k: v for k, v in body.items() if k != "recorded_at"}  # promised now, for 2025
    refused = client.post("/api/v1/incidents", json=late, headers=web.bearer("payments"))
    assert refused.status_code == 400 and "has already passed" in refused.json()["error"]["message"]
    nobody = client.post(
        "/api/v1/incidents", json={**body, "owner_team": "nobody"}, headers=web.bearer("admin")
    )
    assert nobody.status_code == 400 and "unknown team 'nobody'" in nobody.text
    typo = client.post(
        "/api/v1/incidents",
        json={**body, "scopes": [{"field": "topic", "value": "app.logn"}]},
        headers=web.bearer("admin"),
    )
    assert typo.status_code == 400 and "unknown topic 'app.logn'" in typo.text
    made = client.post("/api/v1/incidents", json=body, headers=web.bearer("payments"))
    assert made.status_code == 201, made.text
    incident = made.json()
    assert incident["started_at"] == "2025-06-09T05:00:00+00:00"
    assert incident["created_by"] == "pay@example.org"
    path = f"/api/v1/incidents/{incident['id']}"
    moved = client.post(
        path + "/eta",
        json={
            "eta_at": "2025-06-09T15:00:00+03:00",
            "note": "db",
            "recorded_at": "2025-06-09T11:00:00+03:00",
        },
        headers=web.bearer("payments"),
    )
    assert moved.status_code == 200 and moved.json()["eta_moves"] == 1
    assert [e["note"] for e in moved.json()["etas"]] == ["first", "db"]
    assert (
        client.post(
            path + "/eta", json={"eta_at": "2025-06-10T00:00:00Z"}, headers=web.bearer("cards")
        ).status_code
        == 404
    )
    assert (
        client.post(
            path + "/eta", json={"eta_at": "2025-06-10T00:00:00"}, headers=web.bearer("payments")
        ).status_code
        == 422
    )
    done = client.post(
        path + "/resolve",
        json={"resolution": "fixed", "resolved_at": "2025-06-09T14:00:00+03:00"},
        headers=web.bearer("admin"),
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    again = client.post(path + "/resolve", json={}, headers=web.bearer("admin"))
    assert again.status_code == 400 and "already resolved" in again.text
