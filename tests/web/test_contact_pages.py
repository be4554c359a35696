"""The contact pages: fatigue table and chart from known messages, the policy and template
editors (validated with lines, versioned, admins only), the preview per channel."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from otklik.auth import add_user
from otklik.contact import DEFAULT_POLICY, now_utc, record_communication
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.llm.fake_openai import FakeOpenAI
from tests.web.conftest import PASSWORD, csrf_of, settings_for
from tests.web.test_i18n_walk import problems


@dataclass
class Site:
    client: TestClient
    engine: Engine
    policy: Path
    templates: Path

    def login(self, email: str) -> None:
        self.client.cookies.clear()
        token = csrf_of(self.client.get("/login").text)
        done = self.client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert done.status_code == 303


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("contact")
    url = f"sqlite:///{folder / 'c.db'}"
    engine = make_engine(url)
    upgrade(engine)
    add_user(engine, email="admin@example.org", role="admin", password=PASSWORD)
    add_user(engine, email="analyst@example.org", role="analyst", password=PASSWORD)
    add_user(engine, email="team@example.org", role="team", password=PASSWORD, team="cards")
    now = now_utc()
    # Customer x: three marketing SMS, answered, answered, complained (bins 0, 1, 2).
    for days, outcome in ((20, "answered"), (10, "answered"), (5, "complained")):
        record_communication(
            engine,
            customer_id="x",
            type_="marketing",
            channel="sms",
            sent_at=now - timedelta(days=days),
            outcome=outcome,
        )
    policy, templates = folder / "policy.yaml", folder / "templates.yaml"
    app = create_app(settings_for(url, contact_policy=policy, contact_templates=templates))
    with TestClient(app, base_url="https://testserver") as client:
        yield Site(client, engine, policy, templates)
    engine.dispose()


def test_fatigue_page_shows_each_bin_with_n(site: Site) -> None:
    site.login("analyst@example.org")
    page = site.client.get("/contact")
    assert page.status_code == 200
    for bin_ in ("0", "1", "2"):
        assert f'data-channel="sms" data-bin="{bin_}"' in page.text
    assert 'id="fatigue-response"' in page.text and 'id="fatigue-opt-out"' in page.text
    assert 'data-type="marketing" data-rate="response"' in page.text
    assert problems(page.text, "ru") == []  # the walk's checker, on a page with data
    site.client.cookies.set("otklik_lang", "en")
    english = site.client.get("/contact").text
    assert "Marketing" in english and problems(english, "en") == []
    site.client.cookies.delete("otklik_lang")
    site.login("team@example.org")
    assert site.client.get("/contact", follow_redirects=False).status_code in (403, 303)


def test_policy_editor_validates_and_versions(site: Site) -> None:
    site.login("admin@example.org")
    page = site.client.get("/contact/policy")
    token = csrf_of(page.text)
    bad = site.client.post(
        "/contact/policy",
        data={
            "source": "version: 1\ncaps:\n  - name: x\n    types: [markting]\n    max: 1\n"
            "    window_days: 1\n",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422 and 'data-line="4"' in bad.text
    assert not site.policy.exists()
    good = DEFAULT_POLICY.read_text(encoding="utf-8").replace("max: 3", "max: 2")
    saved = site.client.post(
        "/contact/policy",
        data={"source": good, "csrf_token": token, "comment": "tighter"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/contact/policy?saved=1"
    assert site.policy.read_text(encoding="utf-8") == good
    # The API now answers with the saved policy: two non-urgent messages a week.
    assert "max: 2" in site.client.get("/contact/policy").text
    # Save the shipped text again (v2), then revert to v1: a new version v3 with v1's text.
    again = site.client.post(
        "/contact/policy",
        data={"source": DEFAULT_POLICY.read_text(encoding="utf-8"), "csrf_token": token},
        follow_redirects=False,
    )
    assert again.headers["location"] == "/contact/policy?saved=2"
    reverted = site.client.post(
        "/contact/policy/revert",
        data={"version": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert reverted.headers["location"] == "/contact/policy?saved=3"
    assert site.policy.read_text(encoding="utf-8") == good
    missing = site.client.post(
        "/contact/policy/revert", data={"version": "99", "csrf_token": token}
    )
    assert missing.status_code == 404
    site.login("analyst@example.org")
    token = csrf_of(site.client.get("/contact/policy").text)
    refused = site.client.post("/contact/policy", data={"source": good, "csrf_token": token})
    assert refused.status_code == 403


def test_template_editor_previews_every_channel(site: Site) -> None:
    site.login("admin@example.org")
    page = site.client.get("/contact/templates")
    assert page.status_code == 200
    assert 'data-template="outage-update-ru" data-channel="sms"' in page.text
    assert problems(page.text, "ru") == []
    token = csrf_of(page.text)
    source = (
        "version: 1\ntemplates:\n  - name: promise\n    type: incident_update\n"
        "    language: ru\n    channels: [sms]\n    body: Свет дадут к 23:00\n"
    )
    saved = site.client.post("/contact/templates", data={"source": source, "csrf_token": token})
    assert saved.status_code == 200  # followed the redirect
    assert 'data-template="promise"' in saved.text and 'data-kind="promise"' in saved.text
    assert json.dumps("23:00")[1:-1] in saved.text


def test_draft_on_the_page_masks_and_checks(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {
        "language": "ru",
        "address_form": "Вы",
        "subject": "",
        "text": "Вернём 500 ₽ завтра. Спасибо, что Вы с нами.",
    }
    with FakeOpenAI(lambda body: json.dumps(answer, ensure_ascii=False)) as fake:
        monkeypatch.setenv("OTKLIK_LLM_BASE_URL", fake.url)
        monkeypatch.setenv("OTKLIK_LLM_MODEL", "fake-model")
        monkeypatch.setenv("OTKLIK_LLM_RETRIES", "0")
        site.login("analyst@example.org")
        token = csrf_of(site.client.get("/contact/templates").text)
        page = site.client.post(
            "/contact/draft",
            data={
                "type": "service",
                "channel": "sms",
                "language": "ru",
                "address": "formal",
                "facts": "Возврат клиенту, тел. +7 916 123-45-67",
                "csrf_token": token,
            },
        )
        assert page.status_code == 200
        assert "+7 916" not in json.dumps(fake.requests, ensure_ascii=False)
    assert 'id="draft-text"' in page.text
    assert {"500 ₽", "завтра"} <= set(
        re.findall(r'data-kind="promise">[^<]*<code>([^<]+)</code>', page.text)
    )
    monkeypatch.delenv("OTKLIK_LLM_BASE_URL")
    token = csrf_of(site.client.get("/contact/templates").text)
    unset = site.client.post("/contact/draft", data={"facts": "x", "csrf_token": token})
    assert unset.status_code == 409 and 'id="draft-error"' in unset.text
