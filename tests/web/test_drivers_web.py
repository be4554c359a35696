"""``/api/v1/drivers``, ``/api/v1/backlog``, the Priorities page and its management report, on
the planted store of tests/drivers (the fee drags NPS in June): the contract's keys, the zones,
bad input as one JSON error, ru/en pages whose rows open their items, and downloads whose
numbers are the API's."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from otklik.auth import add_user, create_token
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.drivers.conftest import PLANTED, _fill
from tests.web.conftest import PASSWORD, csrf_of, settings_for

CONTRACT = {
    "topic",
    "label",
    "owner_team",
    "n",
    "share",
    "metric",
    "impact",
    "impact_ci",
    "significant",
    "trend",
    "revenue_at_risk",
    "priority",
}
USERS = {
    "admin": ("admin@example.org", "admin", None),
    "payments": ("pay@example.org", "team", "payments"),
    "digital": ("dig@example.org", "team", "digital"),
}


@dataclass
class Env:
    client: TestClient
    tokens: dict[str, str]

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def login(self, role: str) -> TestClient:
        client = self.client
        client.cookies.clear()
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"email": USERS[role][0], "password": PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        return client


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    path: Path = tmp_path_factory.mktemp("drivers-web") / "otklik.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    _fill(engine)
    for email, role, team in USERS.values():
        add_user(engine, email=email, role=role, password=PASSWORD, team=team)
    tokens = {role: create_token(engine, email=email) for role, (email, _, _) in USERS.items()}
    with TestClient(create_app(settings_for(url)), base_url="https://testserver") as client:
        yield Env(client, tokens)
    engine.dispose()


def _nps(scores: np.ndarray) -> float:
    return 100 * float(np.mean(scores >= 9) - np.mean(scores <= 6))


def test_api_drivers_has_the_contract_and_the_planted_topic_first(env: Env) -> None:
    body = env.client.get(
        "/api/v1/drivers?metric=nps&period=2025-06", headers=env.bearer("admin")
    ).json()
    assert body["period"]["label"] == "2025-06"
    rows = body["drivers"]
    assert all(set(row) >= CONTRACT for row in rows)
    assert rows[0]["topic"] == "fees"
    june = PLANTED.month == 6
    expected = _nps(PLANTED.score[june]) - _nps(PLANTED.score[june][~PLANTED.member[june, 0]])
    assert rows[0]["impact"] == pytest.approx(expected, abs=1e-3)
    assert rows[0]["revenue_at_risk"]["currency"] == "RUB"
    weights = env.client.get(
        "/api/v1/drivers?period=2025-06&method=relative-weights", headers=env.bearer("admin")
    ).json()
    assert weights["drivers"][0]["topic"] == "fees"
    assert weights["r2"] == pytest.approx(sum(r["weight"] for r in weights["drivers"]), abs=1e-3)


def test_api_backlog_top_and_zones(env: Env) -> None:
    body = env.client.get(
        "/api/v1/backlog?period=2025-06&top=1", headers=env.bearer("admin")
    ).json()
    assert [row["rank"] for row in body["backlog"]] == [1]
    assert body["backlog"][0]["topic"] == "fees"
    mine = env.client.get("/api/v1/backlog?period=2025-06", headers=env.bearer("digital")).json()
    june = PLANTED.month == 6
    digital = june & ~PLANTED.member[:, 0]
    assert mine["n"] == int(digital.sum())
    assert mine["value"] == pytest.approx(_nps(PLANTED.score[digital]), abs=1e-3)
    assert all(row["topic"] != "fees" for row in mine["backlog"])
    refused = env.client.get(
        "/api/v1/drivers?period=2025-06&team=payments", headers=env.bearer("digital")
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "query",
    [
        "period=2025-13",
        "metric=aht",
        "segment=nofield%3Dx",
        "segment=channel",
        "method=magic",
        "team=nobody",  # was an empty 200: a typo looked like a team with no problems
        "pillar=speed",
    ],
)
def test_bad_input_is_one_json_error(env: Env, query: str) -> None:
    response = env.client.get(f"/api/v1/drivers?{query}", headers=env.bearer("admin"))
    assert response.status_code == 422
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(("locale", "title"), [("ru", "Приоритеты"), ("en", "Priorities")])
def test_the_page_in_both_languages_links_rows_to_their_items(
    env: Env, locale: str, title: str
) -> None:
    client = env.login("admin")
    page = client.get("/priorities?period=2025-06", headers={"Accept-Language": locale})
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.text
    assert 'data-drill="fees"' in page.text
    assert "/items?topic=fees&amp;from=2025-06-01&amp;to=2025-06-30" in page.text
    assert 'id="drivers-chart"' in page.text
    assert "/priorities/report?format=pdf" in page.text
    items = client.get("/items?topic=fees&from=2025-06-01&to=2025-06-30")
    assert items.status_code == 200 and "data-item" in items.text
    team = env.login("digital").get("/priorities?period=2025-06")
    assert team.status_code == 200 and 'data-drill="fees"' not in team.text


def test_report_downloads_carry_the_api_numbers(env: Env) -> None:
    api = env.client.get("/api/v1/backlog?period=2025-06", headers=env.bearer("admin")).json()
    first = api["backlog"][0]
    client = env.login("admin")
    md = client.get(
        "/priorities/report?format=md&period=2025-06", headers={"Accept-Language": "en"}
    )
    assert md.status_code == 200
    impact = f"{first['impact']:.1f}"
    assert impact in md.text and "| 1 | fees |" in md.text and "Top problems" in md.text
    xlsx = client.get(
        "/priorities/report?format=xlsx&period=2025-06", headers={"Accept-Language": "en"}
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["problems"].iter_rows(values_only=True))
    assert rows[1][2] == first["topic"] and rows[1][4] == first["impact"]  # a number, not text
    assert [rows[1][5], rows[1][6]] == first["impact_ci"] and rows[1][7] == first["n"]
    pdf = client.get("/priorities/report?format=pdf&period=2025-06")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/priorities/report?format=doc").status_code == 422


def test_an_empty_store_shows_an_empty_page(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    upgrade(engine)
    email, role, team = USERS["admin"]
    add_user(engine, email=email, role=role, password=PASSWORD, team=team)
    token = create_token(engine, email=email)
    engine.dispose()
    with TestClient(create_app(settings_for(url)), base_url="https://testserver") as client:
        env = Env(client, {"admin": token})
        page = env.login("admin").get("/priorities")
        assert page.status_code == 200 and 'class="data backlog"' in page.text
        body = client.get("/api/v1/backlog", headers=env.bearer("admin")).json()
        assert body["backlog"] == [] and body["n"] == 0


def test_the_pillar_filter_is_a_choice_of_the_six_pillars_and_narrows_the_rows(env: Env) -> None:
    client = env.login("admin")
    page = client.get(
        "/priorities?period=2025-06&pillar=integrity", headers={"Accept-Language": "ru"}
    )
    assert page.status_code == 200
    assert '<option value="integrity" selected>Честность</option>' in page.text
    for pillar in ("resolution", "expectations", "time_effort", "personalisation", "empathy"):
        assert f'<option value="{pillar}" >' in page.text
    # Only the fee's items carry "integrity" (tests/drivers/conftest.py plants it).
    tagged = (PLANTED.month == 6) & PLANTED.member[:, 0]
    api = client.get("/api/v1/drivers?period=2025-06&pillar=integrity").json()
    assert api["n"] == int(tagged.sum())
