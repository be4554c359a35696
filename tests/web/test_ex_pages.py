"""The EX page and API, the pillars API and the hr role: hr sees the EX views and nothing else
(every route walked), team users get pillar scores of their zone only, figures by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

import otklik.web
from otklik.auth import add_user, create_token
from otklik.classify import MachineLabel, write_machine_labels
from otklik.ex import write_staff
from otklik.ledger import write_items
from otklik.web.deps import hr_may_use
from otklik.web.i18n import translator
from otklik.web.pages import PAGE_MODULES
from tests.web.conftest import PASSWORD, WebEnv, csrf_of

HR = ("hr@example.org", "hr")
SUPPORT = [9, 10, 10, 3, 7, 9]  # eNPS (4 − 1) / 6 = 50


@pytest.fixture(scope="module")
def ex_web(web: WebEnv) -> Iterator[tuple[WebEnv, str]]:
    add_user(web.engine, email=HR[0], role="hr", password=PASSWORD)
    token = create_token(web.engine, email=HR[0])
    rows: list[dict[str, Any]] = [
        {
            "external_id": f"hr-{team}-{i}",
            "kind": "employee",
            "occurred_at": datetime(2025, 2, 3 + i, 9),
            "score": float(score),
            "scale": "nps",
            "team": team,
        }
        for team, scores in (("Support", SUPPORT), ("Legal", [0, 0, 10]), ("Ops", [8] * 5))
        for i, score in enumerate(scores)
    ]
    write_items(web.engine, run_id=None, source="pulse", items=rows)
    write_staff(
        web.engine,
        [
            {
                "employee_id": f"s{i}",
                "started_at": datetime(2020, 1, 1),
                "team": "Support",
                "left_at": datetime(2025, 2, 1) if i < 2 else None,
                "leave_reason": "pay",
            }
            for i in range(10)
        ],
        source="hr",
    )
    with web.engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    labels = []
    for external_id, item_id in ids.items():
        if not external_id.startswith(("payments-app-1-", "cards-app-1-")):
            continue
        number = int(external_id.rsplit("-", 1)[1])
        labels.append(
            MachineLabel(
                item_id,
                "complaint",
                "negative" if number % 2 else "positive",
                [],
                {"pillars": ["empathy"]},
                "ru",
                None,
                "rules",
                1.0,
                {},
            )
        )
    write_machine_labels(web.engine, labels)
    yield web, token


def _hr(ex_web: tuple[WebEnv, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {ex_web[1]}"}


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _routes(web: WebEnv) -> list[tuple[str, str]]:
    """Every (method, path) of the pages and of the API (paths filled with 1)."""
    found = {
        (method, _fill(route.path))
        for module in PAGE_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods - {"HEAD"}
    }
    spec = web.client.get("/api/v1/openapi.json").json()
    for path, methods in spec["paths"].items():
        found |= {(method.upper(), _fill(path)) for method in methods}
    return sorted(found)


def test_hr_sees_nothing_but_ex(ex_web: tuple[WebEnv, str]) -> None:
    web, _ = ex_web
    client = web.client
    client.cookies.clear()
    protected = 0
    for method, path in _routes(web):
        anonymous = client.request(method, path, follow_redirects=False)
        if anonymous.status_code not in (401, 303) or (
            anonymous.status_code == 303 and "/login" not in anonymous.headers["location"]
        ):
            continue  # a public route (sign-in, survey links, language switch)
        protected += 1
        response = client.request(
            method,
            path,
            headers={**_hr(ex_web), "Accept": "application/json"},
            follow_redirects=False,
        )
        if hr_may_use(path):
            continue
        assert response.status_code == 403, (method, path, response.status_code)
    assert protected > 60
    for path in ("/ex", "/api/v1/ex/report", "/api/v1/ex/link", "/api/v1/me"):
        assert client.get(path, headers=_hr(ex_web)).status_code == 200, path
    home = client.get("/", headers=_hr(ex_web), follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/ex"


def test_only_admin_and_hr_see_ex(ex_web: tuple[WebEnv, str]) -> None:
    web, _ = ex_web
    web.client.cookies.clear()
    for role in ("analyst", "payments"):
        assert web.client.get("/api/v1/ex/report", headers=web.bearer(role)).status_code == 403
        assert web.client.get("/ex", headers=web.bearer(role)).status_code == 403
    assert web.client.get("/ex", headers=web.bearer("admin")).status_code == 200


def test_ex_report_api_by_hand(ex_web: tuple[WebEnv, str]) -> None:
    web, _ = ex_web
    web.client.cookies.clear()
    body = web.client.get(
        "/api/v1/ex/report", params={"by": "team", "period": "2025-Q1"}, headers=_hr(ex_web)
    ).json()
    cells = {(c["metric"], c["group"]): c for c in body["figures"]}
    support = cells[("enps", "Support")]
    assert support["n"] == 6 and support["value"] == pytest.approx(50.0)
    assert cells[("enps", "Legal")] == {
        "metric": "enps",
        "period": "2025-Q1",
        "group": "Legal",
        "value": None,
        "n": None,
        "ci_low": None,
        "ci_high": None,
        "suppressed": True,
    }
    (turnover,) = [c for c in body["turnover"] if c["group"] == "Support"]
    assert (turnover["n"], turnover["value"]) == (10, pytest.approx(20.0))
    bad = web.client.get("/api/v1/ex/report", params={"by": "salary"}, headers=_hr(ex_web))
    assert bad.status_code == 422 and "error" in bad.json()
    bad = web.client.get("/api/v1/ex/report", params={"period": "2025-Q7"}, headers=_hr(ex_web))
    assert bad.status_code in (400, 422) and "error" in bad.json()
    page = web.client.get("/ex", params={"period": "someday"}, headers=_hr(ex_web))
    assert page.status_code in (400, 422) and "<html" in page.text


def test_pillars_api_stays_in_the_zone(ex_web: tuple[WebEnv, str]) -> None:
    web, _ = ex_web
    web.client.cookies.clear()
    for role, team, count in (("cards", "cards", 30), ("payments", "payments", 40)):
        body = web.client.get(
            "/api/v1/pillars", params={"period": "2025-01"}, headers=web.bearer(role)
        ).json()
        (point,) = body["points"]
        assert body["owner_team"] == team and point["pillar"] == "empathy"
        assert point["n"] == count
        negatives = sum(1 for i in range(count) if i % 2)
        assert point["negative"]["value"] == pytest.approx(100 * negatives / count)
    refused = web.client.get(
        "/api/v1/pillars", params={"team": "payments"}, headers=web.bearer("cards")
    )
    assert refused.status_code == 403
    unknown = web.client.get(
        "/api/v1/pillars", params={"team": "nobody"}, headers=web.bearer("admin")
    )
    assert unknown.status_code == 400 and "unknown team 'nobody'" in unknown.text
    body = web.client.get("/api/v1/pillars", headers=web.bearer("admin")).json()
    assert [p["n"] for p in body["points"]] == [70]


def test_overview_draws_the_pillars_chart_and_ex_page_in_both_languages(
    ex_web: tuple[WebEnv, str],
) -> None:
    web, _ = ex_web
    client = web.login("admin")
    page = client.get("/?from=2025-01-01&to=2025-03-31").text
    assert 'id="pillars-chart"' in page
    client.cookies.set("otklik_lang", "ru")
    ru = client.get("/ex?by=team&period=2025-Q1").text
    assert "скрыто: группа меньше 5 человек" in ru and "1 кв. 2025" in ru
    # leave reasons are stored codes; the page names them in the reader's language
    assert 't.code("leave_reason", r.reason)' in (
        Path(otklik.web.__file__).parent / "templates" / "ex.html"
    ).read_text(encoding="utf-8")
    assert translator("ru").code("leave_reason", "workload") == "Нагрузка и переработки"
    assert translator("en").code("leave_reason", "workload") == "Workload and overtime"
    assert translator("ru").code("leave_reason", "Семейные обстоятельства") == (
        "Семейные обстоятельства"  # free text from the HR export stays as written
    )
    client.cookies.set("otklik_lang", "en")
    en = client.get("/ex?by=team&period=2025-Q1").text
    assert "hidden: group smaller than 5 people" in en and "Q1 2025" in en
    assert csrf_of(en)
