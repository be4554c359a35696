"""Editing the KPI file in the web app (admins save, analysts read, teams are refused) and the
KPI API, whose report is the JSON of `otklik kpi report --format json`."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from otklik.cli import main
from otklik.kpi import DEFAULT_KPIS
from otklik.web.state import WebState
from tests.web.conftest import WebEnv, csrf_of

KPIS = """\
version: 1
kpis:
  - name: nps_app
    title: {en: NPS in the app, ru: NPS в приложении}
    metric: nps
    scope: {channel: app}
    period: quarter
    target: 10
    owner: payments
    guardrails:
      - check: sample_size
        min: 50
  - name: nps_cards
    metric: nps
    scope: {product: card}
    period: quarter
    target: 20
    owner: cards
"""


@pytest.fixture
def kpi_file(web: WebEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's writable KPI file in a temporary folder (``OTKLIK_KPIS`` unset)."""
    state = _state(web)
    path = tmp_path / "kpis.yaml"
    monkeypatch.setattr(state.settings, "kpis", None)
    monkeypatch.setattr(state.settings, "kpis_local", path)
    monkeypatch.delenv("OTKLIK_KPIS", raising=False)
    return path


def _state(web: WebEnv) -> WebState:
    app: Any = web.client.app
    state: WebState = app.state.web
    return state


def _login(web: WebEnv, role: str) -> TestClient:
    client = web.login(role)
    client.cookies.set("otklik_lang", "en")
    return client


def _textarea(page: str) -> str:
    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert found, "no textarea"
    return html.unescape(found.group(1))


def _target(page: str, kpi: str) -> str:
    card = page.split(f'data-kpi="{kpi}"', 1)[1]
    found = re.search(r"Target: ([^<]+)</p>", card)
    assert found, "no target on the card"
    return found.group(1).strip()


def _save(client: TestClient, source: str, token: str | None) -> Any:
    data = {"source": source}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/settings/kpis", data=data, follow_redirects=False)


def test_admin_saves_a_new_target_and_the_scorecard_shows_it(web: WebEnv, kpi_file: Path) -> None:
    shipped = DEFAULT_KPIS.read_bytes()
    kpi_file.write_text(KPIS, encoding="utf-8")
    client = _login(web, "admin")
    assert _target(client.get("/scorecards?period=2025-Q1").text, "nps_app") == "≥ +10.0"
    page = client.get("/settings/kpis")
    assert page.status_code == 200
    assert _textarea(page.text) == KPIS
    assert str(kpi_file) in page.text and 'href="/scorecards"' in page.text
    edited = KPIS.replace("target: 10", "target: 15").replace("\n", "\r\n")  # as browsers send
    saved = _save(client, edited, csrf_of(page.text))
    assert saved.status_code == 303 and saved.headers["location"] == "/settings/kpis?saved=1"
    assert kpi_file.read_text(encoding="utf-8") == KPIS.replace("target: 10", "target: 15")
    assert 'id="kpi-saved"' in client.get(saved.headers["location"]).text
    assert _target(client.get("/scorecards?period=2025-Q1").text, "nps_app") == "≥ +15.0"
    assert [p.name for p in kpi_file.parent.iterdir()] == ["kpis.yaml"]  # no temporary left
    assert DEFAULT_KPIS.read_bytes() == shipped


def test_the_shipped_set_is_never_written(web: WebEnv, kpi_file: Path) -> None:
    shipped = DEFAULT_KPIS.read_text(encoding="utf-8")
    client = _login(web, "admin")
    page = client.get("/settings/kpis").text
    assert _textarea(page) == shipped and f'id="kpi-save-path">{kpi_file}<' in page
    assert 'href="/settings/kpis"' in client.get("/settings").text
    assert 'href="/settings/kpis"' in client.get("/scorecards").text
    changed = shipped.replace("target: 300", "target: 290")
    assert _save(client, changed, csrf_of(page)).status_code == 303
    assert kpi_file.read_text(encoding="utf-8") == changed
    assert DEFAULT_KPIS.read_text(encoding="utf-8") == shipped
    again = client.get("/settings/kpis").text
    assert f'id="kpi-in-force">{kpi_file}<' in again and _textarea(again) == changed


def test_invalid_kpis_show_numbered_lines_and_write_nothing(web: WebEnv, kpi_file: Path) -> None:
    kpi_file.write_text(KPIS, encoding="utf-8")
    client = _login(web, "admin")
    token = csrf_of(client.get("/settings/kpis").text)
    bad = KPIS.replace("target: 10", "target: 150")
    answer = _save(client, bad, token)
    assert answer.status_code == 422
    line = bad.splitlines().index("    target: 150") + 1
    errors = [html.unescape(e) for e in re.findall(r"<li>(line \d+: [^<]+)</li>", answer.text)]
    assert errors == [
        f"line {line}: kpis.0.target: 150 is outside what nps can be (-100…100 points)"
    ]
    assert _textarea(answer.text) == bad  # the edit is kept to be fixed
    unknown = _save(
        client,
        KPIS.replace("metric: nps\n    scope: {prod", "metric: nope\n    scope: {prod"),
        token,
    )
    assert unknown.status_code == 422
    assert re.search(r"<li>line 14: kpis.1.metric: unknown metric", html.unescape(unknown.text))
    broken = _save(client, "kpis:\n  - name: [unclosed\n", token)
    assert broken.status_code == 422
    assert re.search(r"<li>line 3: \(top\): not valid YAML", broken.text)
    assert kpi_file.read_text(encoding="utf-8") == KPIS
    assert [p.name for p in kpi_file.parent.iterdir()] == ["kpis.yaml"]


def test_roles_and_csrf(web: WebEnv, kpi_file: Path) -> None:
    kpi_file.write_text(KPIS, encoding="utf-8")
    analyst = _login(web, "analyst")
    page = analyst.get("/settings/kpis")
    assert page.status_code == 200 and _textarea(page.text) == KPIS
    assert "readonly" in page.text and 'action="/settings/kpis"' not in page.text
    assert _save(analyst, KPIS.replace("10", "11"), csrf_of(page.text)).status_code == 403
    for team in ("payments", "cards"):
        client = _login(web, team)
        assert client.get("/settings/kpis").status_code == 403
        token = csrf_of(client.get("/scorecards").text)
        assert _save(client, KPIS, token).status_code == 403
        assert 'href="/settings/kpis"' not in client.get("/scorecards").text
    admin = _login(web, "admin")
    admin.get("/settings/kpis")
    for forged in (None, "forged"):
        refused = _save(admin, KPIS.replace("target: 10", "target: 12"), forged)
        assert refused.status_code == 403 and "expired" in refused.text
    assert kpi_file.read_text(encoding="utf-8") == KPIS


def test_api_lists_the_kpis_a_user_may_see(web: WebEnv, kpi_file: Path) -> None:
    kpi_file.write_text(KPIS, encoding="utf-8")
    web.client.cookies.clear()
    every = web.client.get("/api/v1/kpis", headers=web.bearer("analyst")).json()
    assert [k["name"] for k in every["kpis"]] == ["nps_app", "nps_cards"]
    assert every["kpis"][0]["scope"] == {"channel": "app"} and every["gaming"]["min_n"] == 30
    assert every["kpis"][0]["guardrails"] == [{"check": "sample_size", "min": 50.0}]
    own = web.client.get("/api/v1/kpis", headers=web.bearer("cards")).json()
    assert [k["name"] for k in own["kpis"]] == ["nps_cards"]


@pytest.mark.parametrize("query", [{}, {"period": "2025-Q1", "by": "channel"}])
def test_api_report_is_the_cli_json(
    web: WebEnv,
    kpi_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    query: dict[str, str],
) -> None:
    kpi_file.write_text(KPIS, encoding="utf-8")
    monkeypatch.setenv("OTKLIK_KPIS", str(kpi_file))
    web.client.cookies.clear()
    response = web.client.get("/api/v1/kpis/report", params=query, headers=web.bearer("admin"))
    assert response.status_code == 200
    report = response.json()
    assert set(report) == {"kpis", "gaming"}
    assert {r["kpi"] for r in report["kpis"]} == {"nps_app", "nps_cards"}
    assert all(r["value"] is not None and r["n"] > 0 for r in report["kpis"])
    options = [part for name, value in query.items() for part in (f"--{name}", value)]
    capsys.readouterr()
    code = main(["kpi", "report", *options, "--format", "json", "--db", web.url])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == report


def test_api_report_for_a_team_is_its_kpis(web: WebEnv, kpi_file: Path) -> None:
    kpi_file.write_text(KPIS, encoding="utf-8")
    web.client.cookies.clear()
    for team, kpi in (("payments", "nps_app"), ("cards", "nps_cards")):
        report = web.client.get(
            "/api/v1/kpis/report?period=2025-Q1&by=channel", headers=web.bearer(team)
        ).json()
        assert report["kpis"] and {r["kpi"] for r in report["kpis"]} == {kpi}
    cookie = _login(web, "cards").get("/api/v1/kpis/report?period=2025-Q1").json()
    assert {r["kpi"] for r in cookie["kpis"]} == {"nps_cards"}
    web.client.cookies.clear()
    for url, status, code in (
        ("/api/v1/kpis/report?by=region", 400, "metric_error"),
        # a period that cannot be read is a bad parameter: 422 on every route (web.params)
        ("/api/v1/kpis/report?period=someday", 422, "invalid_request"),
    ):
        bad = web.client.get(url, headers=web.bearer("payments"))
        assert bad.status_code == status and bad.json()["error"]["code"] == code


def test_a_file_that_cannot_be_written_is_reported(
    web: WebEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-folder" / "kpis.yaml"
    monkeypatch.setattr(_state(web).settings, "kpis", missing)
    client = _login(web, "admin")
    page = client.get("/settings/kpis")
    assert page.status_code == 200 and _textarea(page.text) == ""
    answer = _save(client, KPIS, csrf_of(page.text))
    assert answer.status_code == 500 and 'id="kpi-failure"' in answer.text
    assert str(missing) in answer.text and not missing.parent.exists()
