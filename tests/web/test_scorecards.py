"""The scorecards page on the demo store: KPIs against targets, guardrails, the planted gaming
agent with his evidence and a working link to his items; a team user sees only its KPIs."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from fastapi.testclient import TestClient

from otklik.auth import add_user
from otklik.demo.scenario import GAMING_AGENT, GAMING_TEAM
from otklik.kpi import load_kpis
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.kpi.helpers import demo_contacts, load_demo_store
from tests.web.conftest import PASSWORD, csrf_of, settings_for

USERS = {
    "admin": ("admin@example.org", "admin", None),
    "contact_center": ("cc@example.org", "team", "contact_center"),
    "payments": ("pay@example.org", "team", "payments"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = load_demo_store(tmp_path_factory.mktemp("scorecards") / "demo.db")
    engine = make_engine(url)
    upgrade(engine)
    for email, role, team in USERS.values():
        add_user(engine, email=email, role=role, password=PASSWORD, team=team)
    engine.dispose()
    with TestClient(create_app(settings_for(url)), base_url="https://testserver") as test_client:
        yield test_client


def _login(client: TestClient, who: str) -> TestClient:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": USERS[who][0], "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.cookies.set("otklik_lang", "en")
    return client


def _kpis(page: str) -> list[str]:
    return re.findall(r'data-kpi="([^"]+)"', page)


def _flags(page: str) -> list[dict[str, str]]:
    return [json.loads(html.unescape(raw)) for raw in re.findall(r'data-flag="([^"]+)"', page)]


def test_admin_sees_every_kpi_and_the_gaming_agent(client: TestClient) -> None:
    page = _login(client, "admin").get("/scorecards?period=2025-Q4")
    assert page.status_code == 200
    text = page.text
    assert _kpis(text) == [k.name for k in load_kpis().kpis]
    assert 'href="/scorecards"' in text  # in the navigation
    assert text.count('data-guardrail="repeat_rate"') >= 2  # beside AHT and FCR
    assert 'data-guardrail="response_rate" data-status="no_data"' in text
    assert _flags(text) == [{"channel": "call", "team": GAMING_TEAM, "agent": GAMING_AGENT}]
    assert "far below peers" in text and "Robust z" in text
    aht = next(k for k in load_kpis().kpis if k.name == "aht_calls")
    assert html.escape(aht.reason("en") or "", quote=False) in text  # the page's language
    client.cookies.set("otklik_lang", "ru")
    russian = client.get("/scorecards?period=2025-Q4").text
    client.cookies.delete("otklik_lang")
    assert html.escape(aht.reason("ru") or "", quote=False) in russian
    link = html.unescape(re.search(r'href="([^"]+)" data-items', text).group(1))  # type: ignore[union-attr]
    query = parse_qs(urlsplit(link).query)
    assert query == {
        "channel": ["call"],
        "team": [GAMING_TEAM],
        "agent": [GAMING_AGENT],
        "from": ["2025-10-01"],
        "to": ["2025-12-31"],
    }
    items = client.get(link)
    expected = sum(
        1
        for r in demo_contacts()
        if r["agent"] == GAMING_AGENT and r["channel"] == "call" and r["occurred_at"].month >= 10
    )
    found = re.search(r'id="total">[^<]*?([\d,]+)<', items.text)
    assert found and int(found.group(1).replace(",", "")) == expected


def test_value_and_interval_against_the_target(client: TestClient) -> None:
    page = _login(client, "admin").get("/scorecards?period=2025-Q4&by=agent").text
    figure = re.search(r'id="kpi-aht_calls" data-figure="([^"]+)"', page)
    assert figure
    data = json.loads(html.unescape(figure.group(1)))
    assert data["layout"]["shapes"][0]["y0"] == 300  # the target line
    trace = data["data"][0]
    points = dict(zip(trace["x"], trace["y"], strict=True))
    mine = [
        r["handle_time_s"]
        for r in demo_contacts()
        if r["agent"] == GAMING_AGENT and r["channel"] == "call" and r["occurred_at"].month >= 10
    ]
    assert points[GAMING_AGENT] == pytest.approx(np.mean(mine))
    assert 'data-status="met"' in page  # his AHT "meets" the target: the guardrails say how


def test_team_user_sees_only_its_kpis(client: TestClient) -> None:
    page = _login(client, "contact_center").get("/scorecards?period=2025-Q4").text
    owned = [k.name for k in load_kpis().owned_by("contact_center")]
    assert _kpis(page) == owned and "csat" not in owned
    # Its KPIs are judged inside its zone: the demo's calls are owned by no team (nothing
    # routed them), so the gaming agent and the company's figures are not the team's to see.
    assert _flags(page) == [] and GAMING_AGENT not in page
    other = _login(client, "payments").get("/scorecards?period=2025-Q4").text
    assert _kpis(other) == ["repeat_rate_payments"] and _flags(other) == []
    assert GAMING_AGENT not in other


def test_bad_parameters(client: TestClient) -> None:
    _login(client, "admin")
    assert client.get("/scorecards?by=region").status_code == 422
    assert "cannot read period" in client.get("/scorecards?period=someday").text


def test_other_kpi_file(client: TestClient, tmp_path: Path) -> None:
    assert client.app is not None
    state = client.app.state.web  # type: ignore[attr-defined]
    path = tmp_path / "kpis.yaml"
    path.write_text(
        "kpis:\n  - {name: only_nps, metric: nps, target: 10, owner: cx}\n", encoding="utf-8"
    )
    old = state.settings.kpis
    state.settings.kpis = path
    try:
        page = _login(client, "admin").get("/scorecards?period=2025").text
    finally:
        state.settings.kpis = old
    assert _kpis(page) == ["only_nps"] and 'id="no-gaming"' in page
