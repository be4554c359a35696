"""The LLM review page: run the prompt over filtered items, review, store the accepted ones
(method llm, model, prompt version; a human label still wins); roles; the fake server
answers, and the accept step sends nothing again. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from otklik.classify import HumanLabel, current_labels, write_human_labels
from otklik.ledger import Classification, make_engine, upgrade
from otklik.web import create_app
from tests.conftest import postgres_schema
from tests.llm.fake_openai import FakeOpenAI, customer_text
from tests.web.conftest import PASSWORD, USERS, _seed, csrf_of, settings_for

ANSWER = {"type": "complaint", "topics": ["app"], "sentiment": "negative", "summary": "App lags"}


def generic_answer(body: dict[str, Any]) -> str:
    text = customer_text(body)
    if "ERRORMARK" in text:
        return "no json here"
    return json.dumps(ANSWER)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(generic_answer) as fake:
        yield fake


@pytest.fixture
def llm_env(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("OTKLIK_LLM_BASE_URL", server.url)
    monkeypatch.setenv("OTKLIK_LLM_MODEL", "fake-model")
    monkeypatch.setenv("OTKLIK_LLM_RETRIES", "0")
    monkeypatch.setenv("OTKLIK_LLM_WEB_MAX_ITEMS", "5")
    return server


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def app_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, TestClient]]:
    with ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path_factory.mktemp('llmweb') / 'otklik.db'}"
            if request.param == "sqlite"
            else stack.enter_context(postgres_schema("l"))
        )
        engine = make_engine(url)
        upgrade(engine)
        _seed(engine)
        with TestClient(create_app(settings_for(url)), base_url="https://testserver") as client:
            yield engine, client
        engine.dispose()


def login(client: TestClient, role: str) -> str:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": USERS[role][0], "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return csrf_of(client.get("/llm").text)


def test_review_then_store_the_accepted(
    app_env: tuple[Engine, TestClient], llm_env: FakeOpenAI
) -> None:
    engine, client = app_env
    token = login(client, "analyst")
    page = client.get("/llm", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "fake-model" in page.text and "LLM review" in page.text
    before = len(llm_env.requests)
    page = client.post(
        "/llm/run",
        data={"csrf_token": token, "q": "CARDMARK", "limit": "50", "channel": "app"},
    )
    assert page.status_code == 200, page.text
    ids = [int(i) for i in re.findall(r'<tr data-item="(\d+)"', page.text)]
    assert len(ids) == 5  # the cap (OTKLIK_LLM_WEB_MAX_ITEMS), not the 50 asked for
    assert len(llm_env.requests) - before == 5
    assert "App lags" in page.text
    # Reviewing stored nothing yet.
    assert all(label.get("method") != "llm" for label in current_labels(engine, ids).values())
    accepted = ids[:3]
    response = client.post(
        "/llm/accept",
        data={"csrf_token": token, "item": [str(i) for i in accepted]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/llm?stored=3&failed=0"
    assert len(llm_env.requests) - before == 5  # accepting sent nothing: the cache answered
    labels = current_labels(engine, ids)
    for item_id in accepted:
        assert labels[item_id]["method"] == "llm" and labels[item_id]["type"] == "complaint"
        assert labels[item_id]["model_version"].startswith("llm:fake-model|classify.")
    for item_id in ids[3:]:
        assert labels.get(item_id, {}).get("method") != "llm"
    with engine.connect() as conn:
        scores = conn.execute(
            select(Classification.scores).where(
                Classification.item_id == accepted[0], Classification.origin == "machine"
            )
        ).scalar_one()
    assert scores["llm"]["prompt_version"].startswith("classify.ru.v1-")
    write_human_labels(engine, [HumanLabel(accepted[0], type="praise", labelled_by="qa")])
    assert current_labels(engine, [accepted[0]])[accepted[0]]["type"] == "praise"
    page = client.get("/llm?stored=3&failed=0", headers={"Accept-Language": "ru"})
    assert "Сохранено: 3" in page.text


def test_team_users_cannot_run_prompts(
    app_env: tuple[Engine, TestClient], llm_env: FakeOpenAI
) -> None:
    _, client = app_env
    login(client, "admin")
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    client.post(
        "/login",
        data={
            "email": USERS["payments"][0],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/",
        },
    )
    assert client.get("/llm").status_code == 403
    assert client.post("/llm/run", data={"csrf_token": token}).status_code == 403


def test_a_local_only_company_gets_a_clear_refusal(
    app_env: tuple[Engine, TestClient], llm_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = app_env
    token = login(client, "admin")
    monkeypatch.setenv("OTKLIK_LLM_BASE_URL", "https://api.example.com/v1")
    monkeypatch.setenv("OTKLIK_LLM_ALLOW_SEND", "false")
    before = len(llm_env.requests)
    page = client.post("/llm/run", data={"csrf_token": token, "q": "PAYMARK"})
    assert page.status_code == 409 and "ALLOW_SEND=false" in page.text
    assert len(llm_env.requests) == before
