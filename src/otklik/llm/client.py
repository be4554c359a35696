"""The OpenAI-compatible chat-completions client: JSON answers, retries, cache, usage.

``POST {base_url}/chat/completions`` with ``response_format: {"type": "json_object"}``; the
answer's ``choices[0].message.content`` is parsed as JSON (a fenced ```json block is unwrapped)
and validated by a pydantic model plus an optional ``check`` (e.g. "topic not in taxonomy").

What is retried, up to ``settings.retries`` more times:

- HTTP 429 and 5xx, timeouts and connection errors: wait ``Retry-After`` (seconds or an HTTP
  date) when the server sends it, else ``backoff_s`` doubled each time, at most ``max_wait_s``;
- a malformed answer (not JSON, wrong shape, a label the taxonomy lacks): asked again at once.

After the last try the result is a :class:`Failure` with the reason — never a guessed answer.
Any other HTTP status (400, 401, 404 …) is a configuration problem and raises
:class:`~otklik.llm.errors.LlmError` at once. The HTTP client is injected (``httpx.Client``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from otklik.llm.cache import Cache, CachedAnswer, cache_key
from otklik.llm.errors import LlmError
from otklik.llm.prompts import Prompt
from otklik.llm.settings import LlmSettings

__all__ = ["Answer", "Failure", "Job", "LlmClient", "Usage", "make_http_client"]

T = TypeVar("T", bound=BaseModel)
Check = Callable[[Any], str | None]  # a validated answer -> None, or why it is unacceptable
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A validated answer; ``cached`` when it came from the cache (no tokens spent)."""

    value: T
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cached: bool
    prompt_version: str


@dataclass(frozen=True)
class Failure:
    """No acceptable answer after ``attempts`` tries; ``reason`` says what went wrong last."""

    reason: str
    attempts: int
    prompt_version: str


@dataclass
class Usage:
    """Counted over one run: requests sent, answers from cache, failures, tokens, time, cost.

    ``latency_s`` sums the wall time of the answers that were asked (not cached).
    """

    asked: int = 0
    requests: int = 0
    cached: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def copy(self) -> Usage:
        """A snapshot of the counts (to measure one run of a client used for several)."""
        with self._lock:
            return Usage(**{name: getattr(self, name) for name in _COUNTS})

    def since(self, before: Usage) -> Usage:
        """What was counted after the snapshot ``before``."""
        now = self.copy()
        return Usage(**{name: getattr(now, name) - getattr(before, name) for name in _COUNTS})

    def as_dict(self) -> dict[str, Any]:
        answered = self.asked - self.cached - self.failed
        return {
            "asked": self.asked,
            "requests": self.requests,
            "cached": self.cached,
            "failed": self.failed,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": round(self.cost, 6),
            "mean_latency_s": round(self.latency_s / answered, 3) if answered > 0 else None,
        }


_COUNTS = (
    "asked",
    "requests",
    "cached",
    "failed",
    "prompt_tokens",
    "completion_tokens",
    "latency_s",
    "cost",
)


@dataclass(frozen=True)
class Job:
    """One question: the prompt, its values, the answer's shape and an extra check."""

    prompt: Prompt
    values: dict[str, object]
    schema: type[BaseModel]
    check: Check | None = None


def make_http_client(settings: LlmSettings) -> httpx.Client:
    """An ``httpx.Client`` with the settings' timeout and key (the caller closes it)."""
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    return httpx.Client(timeout=settings.timeout_s, headers=headers, trust_env=False)


class LlmClient:
    """Asks an OpenAI-compatible endpoint; thread-safe; counts :attr:`usage`.

    ``sleep`` is how the client waits between tries (injected so tests record the waits).
    """

    def __init__(
        self,
        settings: LlmSettings,
        *,
        http: httpx.Client,
        cache: Cache | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url, self.model = settings.require_endpoint()
        self.settings = settings
        self.http = http
        self.cache = cache
        self.sleep = sleep
        self.usage = Usage()

    def ask(self, job: Job, *, cache_only: bool = False) -> Answer[Any] | Failure:
        """One validated answer for ``job``, or a Failure; ``cache_only`` never sends."""
        messages = job.prompt.messages(**job.values)
        key = cache_key(self.model, job.prompt.version, messages)
        with self.usage._lock:
            self.usage.asked += 1
        found = self.cache.get(key) if self.cache is not None else None
        if found is not None:
            parsed = _parse(found.content, job)
            if isinstance(parsed, BaseModel):
                with self.usage._lock:
                    self.usage.cached += 1
                return Answer(parsed, 0, 0, 0.0, True, job.prompt.version)
        if cache_only:
            return self._fail("not in the cache (run the prompt again)", 0, job)
        return self._send(job, messages, key)

    def ask_many(
        self,
        jobs: Sequence[Job],
        *,
        progress: Callable[[int, int], None] | None = None,
        cache_only: bool = False,
    ) -> list[Answer[Any] | Failure]:
        """Answers in the jobs' order, ``settings.concurrency`` requests in flight at most."""
        results: list[Answer[Any] | Failure | None] = [None] * len(jobs)
        done = 0
        lock = threading.Lock()

        def work(position: int) -> None:
            nonlocal done
            results[position] = self.ask(jobs[position], cache_only=cache_only)
            with lock:
                done += 1
                if progress is not None:
                    progress(done, len(jobs))

        workers = max(1, min(self.settings.concurrency, len(jobs) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work, i) for i in range(len(jobs))]:
                future.result()  # an LlmError (bad key, unknown model) stops the batch
        return [result for result in results if result is not None]

    def _send(self, job: Job, messages: list[dict[str, str]], key: str) -> Answer[Any] | Failure:
        body = {
            "model": self.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "response_format": {"type": "json_object"},
        }
        reason = ""
        tries = self.settings.retries + 1
        for attempt in range(1, tries + 1):
            started = time.perf_counter()
            wait: float | None = None
            with self.usage._lock:
                self.usage.requests += 1
            try:
                response = self.http.post(f"{self.base_url}/chat/completions", json=body)
            except httpx.TimeoutException:
                reason, wait = (
                    f"timed out after {self.settings.timeout_s:g} s",
                    self._backoff(attempt),
                )
            except httpx.TransportError as exc:
                reason, wait = f"cannot reach {self.base_url}: {exc}", self._backoff(attempt)
            else:
                if response.status_code in _RETRY_STATUS:
                    reason = f"HTTP {response.status_code}"
                    wait = _retry_after(response) or self._backoff(attempt)
                elif response.status_code >= 400:
                    raise LlmError(
                        f"{self.base_url}: HTTP {response.status_code}: "
                        f"{response.text[:300]} (check OTKLIK_LLM_MODEL and OTKLIK_LLM_API_KEY)"
                    )
                else:
                    outcome = self._accept(job, response, key, time.perf_counter() - started)
                    if isinstance(outcome, Answer):
                        return outcome
                    reason = outcome
            if attempt < tries and wait is not None:
                self.sleep(min(wait, self.settings.max_wait_s))
        return self._fail(f"{reason} (after {tries} tries)", tries, job)

    def _accept(
        self, job: Job, response: httpx.Response, key: str, seconds: float
    ) -> Answer[Any] | str:
        try:
            payload = response.json()
            content = payload["choices"][0]["message"]["content"]
            usage = payload.get("usage") or {}
            prompt_tokens = int(usage.get("prompt_tokens") or 0)
            completion_tokens = int(usage.get("completion_tokens") or 0)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return f"not a chat-completions response ({type(exc).__name__})"
        self._count(prompt_tokens, completion_tokens, seconds)
        if not isinstance(content, str):
            return "the answer has no text content"
        parsed = _parse(content, job)
        if isinstance(parsed, str):
            return parsed
        if self.cache is not None:
            self.cache.put(
                key,
                CachedAnswer(content, prompt_tokens, completion_tokens),
                model=self.model,
                prompt_version=job.prompt.version,
            )
        return Answer(parsed, prompt_tokens, completion_tokens, seconds, False, job.prompt.version)

    def _count(self, prompt_tokens: int, completion_tokens: int, seconds: float) -> None:
        cost = (
            prompt_tokens * self.settings.price_prompt_per_1k
            + completion_tokens * self.settings.price_completion_per_1k
        ) / 1000
        with self.usage._lock:
            self.usage.prompt_tokens += prompt_tokens
            self.usage.completion_tokens += completion_tokens
            self.usage.latency_s += seconds
            self.usage.cost += cost

    def _fail(self, reason: str, attempts: int, job: Job) -> Failure:
        with self.usage._lock:
            self.usage.failed += 1
        return Failure(reason, attempts, job.prompt.version)

    def _backoff(self, attempt: int) -> float:
        return float(self.settings.backoff_s * 2 ** (attempt - 1))


def _parse(content: str, job: Job) -> BaseModel | str:
    """The validated answer, or the reason it is malformed."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"malformed answer: not JSON ({exc.msg} at {exc.pos})"
    try:
        value = job.schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        return f"malformed answer: {where}: {first['msg']}"
    problem = job.check(value) if job.check is not None else None
    return f"malformed answer: {problem}" if problem else value


def _retry_after(response: httpx.Response) -> float | None:
    header = response.headers.get("retry-after")
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
