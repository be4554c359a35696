"""The fake LLM server and a client on it; recorded answers from tests/data/llm_recorded.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from otklik.llm import LlmClient, LlmSettings, MemoryCache, make_http_client
from tests.conftest import DATA
from tests.llm.fake_openai import FakeOpenAI, customer_text

RECORDED: dict[str, Any] = json.loads((DATA / "llm_recorded.json").read_text(encoding="utf-8"))


def task_of(body: dict[str, Any]) -> str:
    """Which prompt a request carries, from the JSON shape its system message asks for."""
    system = body["messages"][0]["content"]
    for key, task in (('"problems"', "summarize"), ('"address_form"', "reply")):
        if key in system:
            return task
    return "offer" if '"suggestions"' in system else "classify"


def recorded_answer(body: dict[str, Any]) -> str:
    """The recorded answer for the request: by task, and for classify by the masked text's
    first words."""
    task = task_of(body)
    if task != "classify":
        return json.dumps(RECORDED[task], ensure_ascii=False)
    text = customer_text(body)
    for prefix, answer in RECORDED["classify"].items():
        if text.startswith(prefix):
            return json.dumps(answer, ensure_ascii=False)
    return json.dumps({"error": f"no recorded answer for {text[:40]!r}"})


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(recorded_answer) as server:
        yield server


def settings_for(server: FakeOpenAI, **overrides: Any) -> LlmSettings:
    values: dict[str, Any] = {
        "base_url": server.url,
        "model": "fake-model",
        "api_key": "sk-test",
        "timeout_s": 2.0,
        "retries": 2,
        "backoff_s": 0.5,
        "concurrency": 4,
        "price_prompt_per_1k": 0.5,
        "price_completion_per_1k": 1.5,
    }
    values.update(overrides)
    return LlmSettings(**values)


@pytest.fixture
def waits() -> list[float]:
    """The waits the client asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def client(fake_llm: FakeOpenAI, waits: list[float]) -> Iterator[LlmClient]:
    settings = settings_for(fake_llm)
    with make_http_client(settings) as http:
        yield LlmClient(settings, http=http, cache=MemoryCache(), sleep=waits.append)
