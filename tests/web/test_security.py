"""Every route, every role: one JSON error shape, zones that never leak, text that stays text."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from openpyxl import load_workbook

from otklik.web.pages import PAGE_MODULES
from tests.web.conftest import MARKERS, USERS, XSS, WebEnv, csrf_of

_SKIP = {
    "/login",
    "/lang/{code}",
    "/healthz",
    "/static/vendor/plotly.min.js",
    "/api/v1/openapi.json",
}


def _api_routes(web: WebEnv) -> list[tuple[str, str]]:
    """(method, path) of every API operation, from the published OpenAPI document."""
    schema = web.client.get("/api/v1/openapi.json").json()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def _get_routes(web: WebEnv) -> list[str]:
    paths = [path for method, path in _api_routes(web) if method == "GET"]
    for module in PAGE_MODULES:
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                paths.append(route.path)
    return sorted(set(paths) - _SKIP)


def _fill(path: str, web: WebEnv) -> list[str]:
    """Concrete URLs for a route: each id parameter once per team's object."""
    values = {
        "{item_id}": [
            str(web.item_ids["payments-app-1-0"]),
            str(web.item_ids["cards-app-1-0"]),
            str(web.item_ids["xss"]),
        ],
        "{case_id}": [str(case) for case in web.case_ids.values()],
        "{metric}": ["nps"],
        "{run_id}": ["1"],
        "{survey_id}": ["1"],
        "{kind}": ["taxonomy", "teams", "kpis"],
        "{key}": ["no-such-experiment"],
        "{customer_id}": ["nobody"],
        "{incident_id}": ["1"],
    }
    urls = [path]
    for name, options in values.items():
        if name in path:
            urls = [url.replace(name, option) for url in urls for option in options]
    assert "{" not in urls[0], f"the role walk does not know how to fill {path}"
    return urls


def _body_text(response: Any) -> str:
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "pdf" in kind:
        return ""
    return str(response.text)


# Splits that list agents, desks and channels: another zone's would show in them.
_SPLITS = {
    "/api/v1/kpis/report": ["?by=agent", "?by=team&period=2025-Q1", "?by=channel"],
    "/api/v1/metrics/nps": ["?by=month&segment=agent", "?segment=team"],
    "/scorecards": ["?by=agent&period=2025-Q1", "?by=team"],
    "/explore": ["?by=all&segment=team", "?by=month&segment=channel"],
}


def _variants(url: str) -> list[str]:
    base = [url, *(url + split for split in _SPLITS.get(url, []))]
    if url.startswith("/api/"):
        return base
    exports = []
    for one in base:
        join = "&" if "?" in one else "?"
        exports += [f"{one}{join}format=csv", f"{one}{join}format=xlsx"]
    return [*base, *exports]


@pytest.mark.parametrize("role", list(USERS))
def test_every_route_for_every_role_keeps_teams_apart(web: WebEnv, role: str) -> None:
    client = web.login(role)
    zone = USERS[role][2]
    others = [marker for team, marker in MARKERS.items() if zone is not None and team != zone]
    visited = 0
    for path in _get_routes(web):
        for url in _fill(path, web):
            for variant in _variants(url):
                headers = web.bearer(role) if variant.startswith("/api/") else {}
                response = client.get(variant, headers=headers)
                visited += 1
                assert response.status_code < 500, (variant, response.text[:300])
                if response.status_code >= 400:
                    if variant.startswith("/api/") or "application/json" in response.headers.get(
                        "content-type", ""
                    ):
                        assert set(response.json()) == {"error"}, variant
                    continue
                body = _body_text(response)
                for marker in others:
                    assert marker not in body, f"{role} saw {marker} at {variant}"
    assert visited > 60
    if zone is not None:
        own = client.get("/items").text
        assert MARKERS[zone] in own
        assert client.get("/imports").status_code == 403
        assert client.get("/settings").status_code == 403


def test_team_cannot_ask_for_another_zone(web: WebEnv) -> None:
    client = web.login("payments")
    assert client.get("/items?owner_team=cards").status_code == 403
    assert client.get("/api/v1/items?team=cards", headers=web.bearer("payments")).status_code == 403
    overview = client.get("/").text
    payments = sum(1 for r in web.rows if r["owner_team"] == "payments")
    assert f"{payments}" in overview.replace("\u00a0", "").replace(" ", "")


def test_every_api_route_answers_errors_in_one_shape(web: WebEnv) -> None:
    web.client.cookies.clear()
    checked = 0
    for method, path in _api_routes(web):
        url = re.sub(r"\{[a-z_]+\}", "999999", path)
        anonymous = web.client.request(method, url)
        assert anonymous.status_code == 401, (method, url)
        assert anonymous.json()["error"]["code"] == "unauthorized"
        assert set(anonymous.json()["error"]) >= {"code", "message"}
        signed = web.client.request(
            method, url, headers=web.bearer("admin"), json={} if method == "POST" else None
        )
        if signed.status_code >= 400:
            error = signed.json()["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
        checked += 1
    assert checked >= 10
    for response, status in (
        (web.client.get("/api/v1/nowhere"), 404),
        (web.client.delete("/api/v1/items"), 405),
        (web.client.get("/api/v1/items?limit=0", headers=web.bearer("admin")), 422),
        (web.client.get("/api/v1/items", headers={"Authorization": "Bearer nope"}), 401),
        (web.client.get("/api/v1/items", headers={"Authorization": "Basic eA=="}), 401),
    ):
        assert response.status_code == status
        assert set(response.json()) == {"error"} and set(response.json()["error"]) >= {
            "code",
            "message",
        }


def test_customer_markup_renders_as_text(web: WebEnv) -> None:
    client = web.login("admin")
    page = client.get(f"/items/{web.item_ids['xss']}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    listing = client.get("/items?q=bold").text
    # the matched word is marked; the markup around it stays text
    assert "<b>" not in listing and '&lt;b&gt;<mark class="hit">bold</mark>&lt;/b&gt;' in listing
    api = client.get("/api/v1/items?q=bold", headers=web.bearer("admin")).json()
    assert api["items"][0]["text"].endswith(XSS)


def test_search_and_filters_are_parameters_not_sql(web: WebEnv) -> None:
    client = web.login("admin")
    for evil in ("' OR 1=1 --", '"; DROP TABLE feedback_items; --', "%' OR '1'='1"):
        response = client.get(
            "/api/v1/items", params={"q": evil, "channel": evil}, headers=web.bearer("admin")
        )
        assert response.status_code == 200 and response.json()["total"] == 0
    assert client.get("/api/v1/items", headers=web.bearer("admin")).json()["total"] >= len(web.rows)


def test_security_headers_and_cookie_flags(web: WebEnv) -> None:
    web.client.cookies.clear()
    page = web.client.get("/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    csrf_of(page.text)


def _post_routes(web: WebEnv) -> list[str]:
    paths = [path for method, path in _api_routes(web) if method == "POST"]
    for module in PAGE_MODULES:
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                paths.append(route.path)
    return sorted(set(paths) - {"/login", "/logout"})


@pytest.mark.parametrize("zone", ["payments", "cards"])
def test_every_write_route_refuses_another_zone(web: WebEnv, zone: str) -> None:
    """A team user's writes: every POST route aimed at another zone's case, or at what only
    admins and analysts may change, is refused and changes nothing."""
    other = "cards" if zone == "payments" else "payments"
    target = next(case for key, case in web.case_ids.items() if key.startswith(other))
    before = web.client.get(f"/api/v1/cases/{target}", headers=web.bearer("admin")).json()
    client = web.login(zone)
    token = csrf_of(client.get("/items").text)
    fields = {
        "assignee": "intruder@example.org",
        "note": "taken over",
        "csrf_token": token,
        "email": "new@example.org",
        "role": "admin",
        "password": "long enough password",
        "kind": "survey",
        "text": "kpis: []",
        "yaml": "kpis: []",
    }
    walked = 0
    for path in _post_routes(web):
        url = path.replace("{case_id}", str(target)).replace("{user_id}", "1")
        url = url.replace("{survey_id}", "1").replace("{kind}", "teams")
        url = url.replace("{version}", "1").replace("{token_id}", "1")
        url = url.replace("{incident_id}", "999999")
        other_item = web.item_ids[f"{other}-app-1-3"]  # another zone's item
        url = url.replace("{item_id}", str(other_item)).replace("{upload_id}", "A" * 24)
        assert "{" not in url, f"the write walk does not know how to fill {path}"
        if url.startswith("/api/"):
            response = client.post(url, json=fields, headers=web.bearer(zone))
        else:
            response = client.post(url, data=fields, follow_redirects=False)
        walked += 1
        assert response.status_code in (401, 403, 404, 422), (url, response.status_code)
        assert MARKERS[other] not in response.text, url
    assert walked >= 8
    after = web.client.get(f"/api/v1/cases/{target}", headers=web.bearer("admin")).json()
    assert after == before
