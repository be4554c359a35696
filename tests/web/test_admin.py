"""Configuration in the browser (``/admin``): forms and the raw editor for the taxonomy, the
teams and the KPIs, each save validated like the CLI and versioned with a diff and a revert;
surveys, tokens, and who may do what (admin, analyst read-only, team lead own team, CSRF).
On SQLite and PostgreSQL (the module's ``web`` app)."""

from __future__ import annotations

import contextlib
import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from otklik.auth import add_user
from otklik.classify import DEFAULT_TAXONOMY
from otklik.errors import ConfigError
from otklik.ledger import ApiToken, ConfigVersion, Survey
from otklik.routing import DEFAULT_TEAMS, list_teams
from otklik.web.state import WebState
from tests.web.conftest import KPIS_YAML, PASSWORD, WebEnv, csrf_of

LEAD = ("lead@example.org", "lead", "payments")


def _state(web: WebEnv) -> WebState:
    app: Any = web.client.app
    state: WebState = app.state.web
    return state


@pytest.fixture
def files(web: WebEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Writable copies of the taxonomy, teams and KPIs; no versions recorded yet."""
    paths = {
        "taxonomy": tmp_path / "taxonomy.yaml",
        "teams": tmp_path / "teams.yaml",
        "kpis": tmp_path / "kpis.yaml",
    }
    shutil.copy(DEFAULT_TAXONOMY, paths["taxonomy"])
    shutil.copy(DEFAULT_TEAMS, paths["teams"])
    paths["kpis"].write_text(KPIS_YAML, encoding="utf-8")
    state = _state(web)
    for name, path in paths.items():
        monkeypatch.setattr(state.settings, name, path)
    with web.engine.begin() as conn:
        conn.execute(delete(ConfigVersion))
    with contextlib.suppress(ConfigError):  # made by an earlier test of this module
        add_user(web.engine, email=LEAD[0], role=LEAD[1], password=PASSWORD, team=LEAD[2])
    return paths


def _login(web: WebEnv, role: str) -> TestClient:
    client = web.client
    if role != "lead":
        client = web.login(role)
    else:
        client.cookies.clear()
        token = csrf_of(client.get("/login").text)
        answer = client.post(
            "/login",
            data={"email": LEAD[0], "password": PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
    client.cookies.set("otklik_lang", "en")
    return client


def _post(client: TestClient, page: str, url: str, data: dict[str, str]) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _plain(page: str) -> str:
    """A page's text without its tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


FEES = {
    "topic_id": "payments.fees",
    "label_ru": "Комиссии банка",
    "label_en": "Bank fees",
    "owner": "",
    "keywords_ru": "комиссия, плата за обслуживание",
    "keywords_en": "fee, fees",
    "keywords_id": "biaya admin, biaya, potongan, gratis",
    "keywords_ar": "رسوم, عمولة, مجاني",
    "keywords_es": "comisión, comisiones, cargo, gratis",
}


def test_topic_title_saved_in_history_with_diff_and_reverted(
    web: WebEnv, files: dict[str, Path]
) -> None:
    original = files["taxonomy"].read_text(encoding="utf-8")
    client = _login(web, "admin")
    page = client.get("/admin/taxonomy")
    assert page.status_code == 200 and 'data-topic="payments.fees"' in page.text
    saved = _post(client, "/admin/taxonomy", "/admin/taxonomy/topic", FEES)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/taxonomy?saved=2"
    now = files["taxonomy"].read_text(encoding="utf-8")
    assert "        label: {ru: Комиссии банка, en: Bank fees}\n" in now
    assert "          ru: [комиссия, плата за обслуживание]\n" in now
    # Only the topic's lines changed: every other line of the file is as it was.
    before, after = original.splitlines(), now.splitlines()
    changed = {line for line in before if line not in after}
    assert all("Комиссии" in line or "комисси" in line or "fee" in line for line in changed)
    history = html.unescape(client.get("/admin/taxonomy/history").text)
    assert 'data-version="2"' in history and 'data-version="1"' in history
    assert "+        label: {ru: Комиссии банка, en: Bank fees}" in history
    assert "-        label: {ru: Комиссии и плата за обслуживание, en: Fees and charges}" in history
    assert "admin@example.org" in history
    reverted = _post(client, "/admin/taxonomy/history", "/admin/taxonomy/history/1/revert", {})
    assert reverted.status_code == 303 and reverted.headers["location"] == "/admin/taxonomy?saved=3"
    assert files["taxonomy"].read_text(encoding="utf-8") == original
    with web.engine.connect() as conn:
        rows = conn.execute(
            select(ConfigVersion.version, ConfigVersion.comment, ConfigVersion.content)
            .where(ConfigVersion.kind == "taxonomy")
            .order_by(ConfigVersion.version)
        ).all()
    assert [(r.version, r.comment) for r in rows][1:] == [(2, None), (3, "revert to version 1")]
    assert rows[2].content == rows[0].content == original
    history = _plain(client.get("/admin/taxonomy/history").text)
    assert "restored version 1" in history and f"as found in {files['taxonomy']}" in history


def test_invalid_raw_yaml_shows_lines_and_writes_nothing(
    web: WebEnv, files: dict[str, Path]
) -> None:
    original = files["teams"].read_text(encoding="utf-8")
    client = _login(web, "admin")
    broken = original.replace("escalate_to: cx", "escalate_to: cxx", 1)
    answer = _post(client, "/admin/teams", "/admin/teams", {"source": broken})
    assert answer.status_code == 422
    line = _line_of(broken, "escalate_to: cxx")
    assert f'<li data-line="{line}">line {line}: <code>teams.payments.escalate_to</code>' in (
        answer.text
    )
    assert files["teams"].read_text(encoding="utf-8") == original
    syntax = _post(client, "/admin/kpis", "/admin/kpis", {"source": "kpis: [\n"})
    assert syntax.status_code == 422 and "not valid YAML" in syntax.text
    with web.engine.connect() as conn:
        assert conn.execute(select(ConfigVersion.id)).first() is None


def test_team_form_changes_the_sla_and_the_store_follows(
    web: WebEnv, files: dict[str, Path]
) -> None:
    client = _login(web, "admin")
    data = {
        "name": "payments",
        "label_ru": "Платежи",
        "label_en": "Payments",
        "sla_hours": "36",
        "first_response_hours": "6",
        "escalate_to": "cx",
    }
    answer = _post(client, "/admin/teams", "/admin/teams/team", data)
    assert answer.status_code == 303
    text = files["teams"].read_text(encoding="utf-8")
    assert "  payments:\n    label: {ru: Платежи, en: Payments}\n    sla_hours: 36\n" in text
    payments = next(t for t in list_teams(web.engine) if t["name"] == "payments")
    assert (payments["sla_hours"], payments["first_response_hours"]) == (36, 6)
    too_late = {**data, "first_response_hours": "40"}
    refused = _post(client, "/admin/teams", "/admin/teams/team", too_late)
    assert refused.status_code == 422 and "first response is due after the case" in refused.text


def test_kpi_form_adds_a_kpi_with_guardrails(web: WebEnv, files: dict[str, Path]) -> None:
    client = _login(web, "admin")
    data = {
        "name": "cards_csat",
        "metric": "csat",
        "period": "quarter",
        "target": "80",
        "owner": "cards",
        "min_n": "40",
        "guardrail_metric": "response_rate",
        "guardrail_tolerance": "5",
        "guardrail_min_n": "50",
    }
    assert _post(client, "/admin/kpis", "/admin/kpis/kpi", data).status_code == 303
    text = files["kpis"].read_text(encoding="utf-8")
    assert text.startswith(KPIS_YAML)  # the KPIs before it are untouched
    assert text[len(KPIS_YAML) :] == (
        "  - name: cards_csat\n    metric: csat\n    period: quarter\n    target: 80\n"
        "    owner: cards\n    min_n: 40\n    guardrails:\n"
        "      - metric: response_rate\n        tolerance: 5\n"
        "      - check: sample_size\n        min: 50\n"
    )
    page = client.get("/admin/kpis").text
    assert 'data-kpi="cards_csat"' in page
    bad = _post(
        client, "/admin/kpis", "/admin/kpis/kpi", {**data, "metric": "nps", "target": "150"}
    )
    assert bad.status_code == 422 and "150 is outside what nps can be" in html.unescape(bad.text)
    assert files["kpis"].read_text(encoding="utf-8") == text
    # The expert YAML editor at /settings/kpis saves through the same versioning.
    yaml_page = client.get("/settings/kpis").text
    edited = text.replace("target: 80", "target: 82")
    answer = client.post(
        "/settings/kpis",
        data={"source": edited, "csrf_token": csrf_of(yaml_page)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    history = _plain(client.get("/admin/kpis/history").text)
    assert "-    target: 80\n" in history and "+    target: 82\n" in history


def test_roles_analyst_reads_team_refused_csrf_checked(web: WebEnv, files: dict[str, Path]) -> None:
    analyst = _login(web, "analyst")
    for page in ("/admin", "/admin/taxonomy", "/admin/teams", "/admin/kpis", "/admin/surveys"):
        answer = analyst.get(page)
        assert answer.status_code == 200, page
        assert 'action="/admin/taxonomy/topic"' not in answer.text
    token = csrf_of(analyst.get("/admin/teams").text)
    source = files["teams"].read_text(encoding="utf-8")
    refused = analyst.post("/admin/teams", data={"source": source, "csrf_token": token})
    assert refused.status_code == 403
    assert analyst.get("/admin/tokens").status_code == 403
    team = _login(web, "payments")
    assert team.get("/admin/teams").status_code == 403
    admin = _login(web, "admin")
    no_csrf = admin.post("/admin/teams", data={"source": source}, follow_redirects=False)
    assert no_csrf.status_code == 403
    assert files["teams"].read_text(encoding="utf-8") == source


def test_team_lead_edits_only_their_own_team(web: WebEnv, files: dict[str, Path]) -> None:
    lead = _login(web, "lead")
    own = {
        "name": "payments",
        "label_ru": "Платежи и комиссии",
        "label_en": "Payments",
        "sla_hours": "30",
        "first_response_hours": "8",
        "escalate_to": "cx",
    }
    assert _post(lead, "/admin/teams", "/admin/teams/team", own).status_code == 303
    assert "    sla_hours: 30\n" in files["teams"].read_text(encoding="utf-8")
    before = files["teams"].read_text(encoding="utf-8")
    other = {**own, "name": "cards", "label_ru": "Карты", "label_en": "Cards"}
    refused = _post(lead, "/admin/teams", "/admin/teams/team", other)
    assert refused.status_code == 422 and "a team lead may change only" in refused.text
    assert files["teams"].read_text(encoding="utf-8") == before
    # Keywords of a payments topic: yes; its title: no; another team's KPI: no.
    keywords = {
        **FEES,
        "label_ru": "Комиссии и плата за обслуживание",
        "label_en": "Fees and charges",
    }
    assert _post(lead, "/admin/taxonomy", "/admin/taxonomy/topic", keywords).status_code == 303
    assert _post(lead, "/admin/taxonomy", "/admin/taxonomy/topic", FEES).status_code == 422
    kpi = {
        "name": "cards_nps",
        "metric": "nps",
        "period": "quarter",
        "target": "5",
        "owner": "cards",
    }
    assert _post(lead, "/admin/kpis", "/admin/kpis/kpi", kpi).status_code == 422
    mine = {**kpi, "name": "pay_nps", "owner": "payments", "min_n": "5"}
    assert _post(lead, "/admin/kpis", "/admin/kpis/kpi", mine).status_code == 303
    assert lead.get("/admin/surveys").status_code == 200
    assert lead.post("/admin/surveys", data={"name": "x", "type": "nps"}).status_code == 403


def test_tokens_created_shown_once_and_revoked(web: WebEnv, files: dict[str, Path]) -> None:
    admin = _login(web, "admin")
    created = _post(
        admin,
        "/admin/tokens",
        "/admin/tokens",
        {"email": "analyst@example.org", "name": "crm-export"},
    )
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    found = re.search(r'<code id="token-value">(otk_[^<]+)</code>', created.text)
    assert found
    token = found.group(1)
    assert token not in admin.get("/admin/tokens").text  # shown once
    bearer = {"Authorization": f"Bearer {token}"}
    me = web.client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["email"] == "analyst@example.org"
    with web.engine.connect() as conn:
        token_id = (
            conn.execute(
                select(ApiToken.id)
                .where(ApiToken.name == "crm-export")
                .order_by(ApiToken.id.desc())
            ).scalar_one_or_none()
            if False
            else conn.execute(
                select(ApiToken.id)
                .where(ApiToken.name == "crm-export")
                .order_by(ApiToken.id.desc())
            ).first()[0]
        )
    admin = _login(web, "admin")
    revoked = _post(admin, "/admin/tokens", f"/admin/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 303
    assert web.client.get("/api/v1/me", headers=bearer).status_code == 401


def test_survey_created_edited_previewed_and_versioned(web: WebEnv, files: dict[str, Path]) -> None:
    admin = _login(web, "admin")
    name = f"admin-csat-{web.url[:6]}"
    with web.engine.begin() as conn:
        conn.execute(delete(Survey).where(Survey.name == name))
    created = _post(
        admin,
        "/admin/surveys",
        "/admin/surveys",
        {"name": name, "type": "csat", "question_ru": "Как вам доставка?"},
    )
    assert created.status_code == 303
    survey_id = int(created.headers["location"].split("/")[-1].split("?")[0])
    page = admin.get(f"/admin/surveys/{survey_id}").text
    assert "Как вам доставка?" in page
    form = {"name": name, "active": "on"}
    for lang in ("ru", "en", "ar"):
        for field in ("question", "comment", "low", "high"):
            found = re.search(rf'name="{lang}_{field}"[^>]*>([^<]*)</textarea>', page)
            assert found
            form[f"{lang}_{field}"] = html.unescape(found.group(1))
    form["en_question"] = "How was the delivery?"
    saved = _post(admin, f"/admin/surveys/{survey_id}", f"/admin/surveys/{survey_id}", form)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=2")
    history = html.unescape(admin.get(f"/admin/surveys/{survey_id}/history").text)
    assert "+    question: How was the delivery?" in history
    empty = {
        **form,
        "en_question": "",
        "en_comment": "",
        "en_low": "",
        "en_high": "",
        "ru_question": "",
    }
    refused = _post(admin, f"/admin/surveys/{survey_id}", f"/admin/surveys/{survey_id}", empty)
    assert refused.status_code == 422 and "texts.ru.question" in refused.text
    reverted = _post(
        admin,
        f"/admin/surveys/{survey_id}/history",
        f"/admin/surveys/{survey_id}/history/1/revert",
        {},
    )
    assert reverted.status_code == 303
    assert "How was the delivery?" not in admin.get(f"/admin/surveys/{survey_id}").text
    for mode in ("link", "success-screen", "bottom-sheet", "popup", "section"):
        preview = admin.get(f"/admin/surveys/{survey_id}/preview?mode={mode}&lang=ru")
        assert preview.status_code == 200 and preview.headers["x-frame-options"] == "SAMEORIGIN"
        assert "Как вам доставка?" in preview.text
    embed = _post(
        admin,
        f"/admin/surveys/{survey_id}",
        f"/admin/surveys/{survey_id}/embed",
        {
            "customer_id": "c-embed",
            "mechanic": "section",
            "channel": "web",
            "lang": "ru",
            "force": "on",
        },
    )
    assert embed.status_code == 200
    snippet = html.unescape(re.search(r'id="embed-snippet" readonly>([^<]*)<', embed.text).group(1))  # type: ignore[union-attr]
    assert 'data-otklik-mode="section"' in snippet and "data-otklik-token=" in snippet
    listing = admin.get("/admin/surveys").text
    assert f'data-survey="{survey_id}"' in listing


def test_dynamic_admin_keys_exist_in_both_languages() -> None:
    from otklik.configs import ConfigKind
    from otklik.surveys import SURVEY_TYPES
    from otklik.web.i18n import catalogue

    keys = {f"admin.doc.{kind.value}" for kind in ConfigKind} | {"admin.doc.surveys"}
    keys |= {f"admin.period.{p}" for p in ("week", "month", "quarter", "year")}
    keys |= {f"admin.survey_type.{name}" for name in SURVEY_TYPES}
    keys |= {f"admin.text.{f}" for f in ("question", "comment", "low", "high")}
    keys |= {"admin.shipped_taxonomy", "admin.shipped_teams", "role.lead", "nav.admin"}
    for locale in ("ru", "en"):
        assert not sorted(keys - set(catalogue(locale))), locale


def test_a_team_lead_sees_only_their_zone(web: WebEnv, files: dict[str, Path]) -> None:
    lead = _login(web, "lead")
    items = lead.get("/items").text
    assert "PAYMARK" in items and "CARDMARK" not in items and "NOBODYMARK" not in items
    nav = lead.get("/admin").text
    assert 'href="/admin"' in nav and 'href="/settings"' not in nav


def test_a_saved_topic_title_shows_at_once_on_every_page(
    web: WebEnv, files: dict[str, Path]
) -> None:
    """Pages that cache the taxonomy follow the file: the new title on /topics and /inbox."""
    client = _login(web, "admin")
    for page in ("/topics", "/inbox", "/items"):  # warm every cache with the old titles
        assert "Bank fees" not in _plain(client.get(page).text)
    saved = _post(client, "/admin/taxonomy", "/admin/taxonomy/topic", FEES)
    assert saved.status_code == 303
    for page in ("/inbox", "/items"):
        assert "Bank fees" in _plain(client.get(page).text), page
    topics = _plain(client.get("/topics?period=2025").text)
    assert "Bank fees" in topics or "payments.fees" not in topics
