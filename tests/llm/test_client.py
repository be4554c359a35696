"""The client against a real local HTTP server: recorded, malformed, slow and rate-limited
answers; retries and their waits; cache; tokens and cost; the settings that forbid sending."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from otklik.classify import default_rules
from otklik.llm import (
    Answer,
    Failure,
    LlmClient,
    LlmError,
    LlmRefused,
    MemoryCache,
    TextToClassify,
    classify_texts,
    make_http_client,
)
from otklik.llm.labelling import classify_job
from tests.llm.conftest import settings_for
from tests.llm.fake_openai import COMPLETION_TOKENS, PROMPT_TOKENS, FakeOpenAI, Step

TAXONOMY = default_rules().taxonomy
GOOD = json.dumps(
    {"type": "question", "topics": ["payments.transfers"], "sentiment": "neutral", "summary": "s"}
)
# 120 prompt tokens at 0.5 per 1k and 30 completion tokens at 1.5 per 1k, per request.
COST_PER_REQUEST = PROMPT_TOKENS * 0.5 / 1000 + COMPLETION_TOKENS * 1.5 / 1000


def ask(client: LlmClient, text: str = "Сколько идёт перевод по СБП в другой банк"):
    return client.ask(classify_job(TAXONOMY, TextToClassify(text, "ru")))


def test_a_recorded_answer_is_validated_counted_and_costed(
    client: LlmClient, fake_llm: FakeOpenAI
) -> None:
    result = ask(client)
    assert isinstance(result, Answer)
    assert (result.value.type, result.value.topics) == ("question", ["payments.transfers"])
    assert result.prompt_version.startswith("classify.ru.v1-")
    body = fake_llm.requests[0]
    assert body["model"] == "fake-model"
    assert body["response_format"] == {"type": "json_object"}
    assert fake_llm.headers[0]["Authorization"] == "Bearer sk-test"
    usage = client.usage.as_dict()
    assert (usage["requests"], usage["prompt_tokens"], usage["completion_tokens"]) == (1, 120, 30)
    assert usage["cost"] == pytest.approx(0.105) == pytest.approx(COST_PER_REQUEST)


def test_the_same_text_is_answered_from_the_cache(client: LlmClient, fake_llm: FakeOpenAI) -> None:
    first, second = ask(client), ask(client)
    assert isinstance(second, Answer) and second.cached and not first.cached  # type: ignore[union-attr]
    assert len(fake_llm.requests) == 1
    assert client.usage.cached == 1 and client.usage.cost == pytest.approx(COST_PER_REQUEST)


def test_a_malformed_answer_is_asked_again_without_waiting(
    client: LlmClient, fake_llm: FakeOpenAI, waits: list[float]
) -> None:
    fake_llm.then(
        Step(content="Sure! The type is question."), Step(content=f"```json\n{GOOD}\n```")
    )
    result = ask(client)
    assert isinstance(result, Answer) and result.value.type == "question"
    assert len(fake_llm.requests) == 2 and waits == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json at all", "malformed answer: not JSON"),
        ('{"type": "question"}', "malformed answer: sentiment: Field required"),
        (
            json.dumps({"type": "rant", "topics": [], "sentiment": "neutral"}),
            "malformed answer: type 'rant' is not one of",
        ),
        (
            json.dumps({"type": "question", "topics": ["mars"], "sentiment": "neutral"}),
            "malformed answer: topic 'mars' is not in the taxonomy",
        ),
    ],
)
def test_an_answer_malformed_every_time_is_a_failure_with_the_reason(
    client: LlmClient, fake_llm: FakeOpenAI, content: str, reason: str
) -> None:
    fake_llm.then(*(Step(content=content) for _ in range(3)))
    result = ask(client)
    assert isinstance(result, Failure)
    assert result.reason.startswith(reason) and result.reason.endswith("(after 3 tries)")
    assert result.attempts == 3 and len(fake_llm.requests) == 3
    assert client.usage.failed == 1
    assert client.usage.cost == pytest.approx(3 * COST_PER_REQUEST)  # malformed answers cost too


def test_429_waits_as_long_as_retry_after_says(
    client: LlmClient, fake_llm: FakeOpenAI, waits: list[float]
) -> None:
    fake_llm.then(Step(status=429, body='{"error": "rate"}', headers={"Retry-After": "7"}))
    assert isinstance(ask(client), Answer)
    assert waits == [7.0] and len(fake_llm.requests) == 2


def test_retry_after_as_an_http_date(
    client: LlmClient, fake_llm: FakeOpenAI, waits: list[float]
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    fake_llm.then(Step(status=429, body="{}", headers={"Retry-After": when}))
    assert isinstance(ask(client), Answer)
    assert len(waits) == 1 and 25 <= waits[0] <= 30


def test_a_long_retry_after_is_capped_by_max_wait(fake_llm: FakeOpenAI) -> None:
    waits: list[float] = []
    settings = settings_for(fake_llm, max_wait_s=5)
    fake_llm.then(Step(status=429, body="{}", headers={"Retry-After": "3600"}))
    with make_http_client(settings) as http:
        client = LlmClient(settings, http=http, sleep=waits.append)
        assert isinstance(ask(client), Answer)
    assert waits == [5.0]


def test_5xx_backs_off_exponentially_then_fails_with_the_status(
    client: LlmClient, fake_llm: FakeOpenAI, waits: list[float]
) -> None:
    fake_llm.then(*(Step(status=503, body="{}") for _ in range(3)))
    result = ask(client)
    assert isinstance(result, Failure) and result.reason == "HTTP 503 (after 3 tries)"
    assert waits == [0.5, 1.0]  # backoff_s, doubled; no wait after the last try


def test_a_timeout_is_retried(fake_llm: FakeOpenAI) -> None:
    waits: list[float] = []
    settings = settings_for(fake_llm, timeout_s=0.3)
    fake_llm.then(Step(hang=True))
    with make_http_client(settings) as http:
        client = LlmClient(settings, http=http, sleep=waits.append)
        result = ask(client)
    assert isinstance(result, Answer)
    assert waits == [0.5] and len(fake_llm.requests) == 2


def test_a_client_error_stops_at_once(client: LlmClient, fake_llm: FakeOpenAI) -> None:
    fake_llm.then(Step(status=401, body='{"error": "bad key"}'))
    with pytest.raises(LlmError, match="HTTP 401"):
        ask(client)
    assert len(fake_llm.requests) == 1


def test_a_batch_keeps_its_order_and_the_concurrency_limit(fake_llm: FakeOpenAI) -> None:
    settings = settings_for(fake_llm, concurrency=3)
    fake_llm.gate = threading.Barrier(3, timeout=5)  # answers wait until 3 are in flight
    texts = [
        TextToClassify("Сколько идёт перевод по СБП", "ru"),
        TextToClassify("Топ поддержка, ответили за 2 минуты", "ru"),
        TextToClassify("My parcel was marked delivered but it never arrived", "en"),
        TextToClassify("Сколько идёт перевод по СБП сегодня", "ru"),
        TextToClassify("Топ поддержка", "ru"),
        TextToClassify("My parcel was marked as lost", "en"),
    ]
    with make_http_client(settings) as http:
        client = LlmClient(settings, http=http, cache=MemoryCache())
        done: list[tuple[int, int]] = []
        results = classify_texts(
            client, TAXONOMY, texts, progress=lambda n, total: done.append((n, total))
        )
    assert [r.value.type for r in results if isinstance(r, Answer)] == [
        "question",
        "praise",
        "complaint",
        "question",
        "praise",
        "complaint",
    ]
    assert fake_llm.most_in_flight == 3
    assert done[-1] == (6, 6) and len(done) == 6


def test_no_endpoint_or_a_local_only_company_refuses_before_sending(fake_llm: FakeOpenAI) -> None:
    with pytest.raises(LlmRefused, match="OTKLIK_LLM_BASE_URL"):
        settings_for(fake_llm, base_url=None).require_endpoint()
    remote = settings_for(fake_llm, base_url="https://api.example.com/v1", allow_send=False)
    with pytest.raises(LlmRefused, match="ALLOW_SEND=false"):
        remote.require_endpoint()
    local = settings_for(fake_llm, allow_send=False)  # 127.0.0.1: stays on this machine
    assert local.require_endpoint() == (fake_llm.url, "fake-model")
    with pytest.raises(LlmRefused, match="DISABLED"):
        settings_for(fake_llm, disabled=True).require_endpoint()
    with make_http_client(remote) as http, pytest.raises(LlmRefused):
        LlmClient(remote, http=http)
    assert fake_llm.requests == []


def test_a_wrong_llm_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from otklik.errors import ConfigError
    from otklik.llm import load_llm_settings

    monkeypatch.setenv("OTKLIK_LLM_TIMEOUT_S", "a minute")
    monkeypatch.setenv("OTKLIK_LLM_RETRIES", "-")
    with pytest.raises(ConfigError) as caught:
        load_llm_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "OTKLIK_LLM_TIMEOUT_S='a minute': Input should be a valid number" in message
    assert "OTKLIK_LLM_RETRIES='-': Input should be a valid integer" in message
