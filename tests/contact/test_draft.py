"""LLM drafts against a real fake OpenAI-compatible server: masked before sending, language
checked (asked again when wrong), the promise-check run on what came back."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from otklik.contact.draft import draft_message
from otklik.llm import LlmClient, MemoryCache, make_http_client
from tests.llm.conftest import settings_for
from tests.llm.fake_openai import FakeOpenAI, Step


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def client(server: FakeOpenAI) -> Iterator[LlmClient]:
    settings = settings_for(server)
    with make_http_client(settings) as http:
        yield LlmClient(settings, http=http, cache=MemoryCache(), sleep=lambda s: None)


def _answer(**values: str) -> Step:
    return Step(content=json.dumps(values, ensure_ascii=False))


def test_a_draft_is_masked_checked_and_flags_promises(
    server: FakeOpenAI, client: LlmClient
) -> None:
    server.then(
        _answer(
            language="ru",
            address_form="Вы",
            subject="",
            text="Свет дадут к 23:00. Приносим извинения, Вы можете позвонить нам.",
        )
    )
    result = draft_message(
        client,
        type_="incident_update",
        channel="sms",
        language="ru",
        facts="Отключение света на ул. Ленина, д. 5; клиент Иван Петров, тел. +7 916 123-45-67",
    )
    sent = json.dumps(server.requests[0], ensure_ascii=False)
    assert "+7 916" not in sent and "Ленина" not in sent and "Иван Петров" not in sent
    assert "«formal»" in sent  # the form of address asked for
    assert result.answer is not None and result.check is not None
    promises = [f.text for f in result.check.findings if f.kind == "promise"]
    assert promises == ["23:00"]
    assert result.check.encoding == "UCS-2" and result.check.segments == 1


def test_a_draft_in_the_wrong_language_is_asked_again(
    server: FakeOpenAI, client: LlmClient
) -> None:
    server.then(
        _answer(language="en", address_form="you", text="Hello"),
        _answer(language="es", address_form="usted", text="Le escribimos sobre su pedido."),
    )
    result = draft_message(
        client,
        type_="service",
        channel="push",
        language="es",
        address="formal",
        rewrite="Your order is late, sorry.",
    )
    assert len(server.requests) == 2
    assert result.answer is not None and result.answer.language == "es"
    assert result.check is not None and result.check.ok and not result.check.findings
