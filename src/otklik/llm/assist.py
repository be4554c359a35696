"""Summaries, reply drafts and beyond-the-script offers from the ledger's items.

Each function reads the items, masks every text (:func:`~otklik.llm.privacy.mask_for_llm`),
asks one prompt and returns the validated answer with the run's :class:`Usage`; the run and
any failure are recorded in the store. A summary whose quotes are not copied from the
comments is malformed (asked again, then a failure): quotes are checked, never trusted.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from otklik.classify import current_labels, detect_language, topic_filter
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import FeedbackItem, get_item, search_items
from otklik.llm.client import Answer, Failure, Job, LlmClient
from otklik.llm.privacy import mask_for_llm
from otklik.llm.prompts import load_prompt, prompt_language
from otklik.llm.runs import record_run
from otklik.llm.schemas import OfferAnswer, ReplyAnswer, SummaryAnswer
from otklik.metrics import as_utc_naive, get_zone

__all__ = ["AssistResult", "draft_reply", "suggest_offer", "summarize_topic"]

MAX_COMMENTS = 200  # comments one summary reads (the newest)
MAX_HISTORY = 20  # earlier contacts an offer reads (the latest)
_TEXT_CHARS = 600  # each comment or history line is cut here
_SPACES = re.compile(r"\s+")


@dataclass
class AssistResult:
    """The answer (or failure) of one assist run, what it read and what it cost."""

    task: str
    answer: BaseModel | None
    failure: str | None
    prompt_version: str
    model: str
    usage: dict[str, Any]
    read: int  # comments or history lines the prompt was given
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "read": self.read,
            "answer": self.answer.model_dump() if self.answer is not None else None,
            "failure": self.failure,
            "usage": self.usage,
            "run_id": self.run_id,
        }


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def _run(
    engine: Engine | None,
    client: LlmClient,
    task: str,
    job: Job,
    read: int,
    *,
    item_id: int | None,
    actor: str | None,
) -> AssistResult:
    started_at, started, before = datetime.now(UTC), time.perf_counter(), client.usage.copy()
    result: Answer[Any] | Failure = client.ask(job)
    usage = client.usage.since(before)
    failure = result.reason if isinstance(result, Failure) else None
    run_id = None
    if engine is not None:
        run_id = record_run(
            engine,
            task=task,
            model=client.model,
            prompt_versions=[job.prompt.version],
            usage=usage,
            started_at=started_at,
            seconds=time.perf_counter() - started,
            failures=[(item_id, failure)] if failure else [],
            actor=actor,
        )
    return AssistResult(
        task,
        result.value if isinstance(result, Answer) else None,
        failure,
        job.prompt.version,
        client.model,
        usage.as_dict(),
        read,
        run_id,
    )


def summarize_topic(
    engine: Engine,
    client: LlmClient,
    *,
    topic: str,
    since: date | None = None,
    until: date | None = None,
    zone: str = "UTC",
    language: str | None = None,
    max_problems: int = 5,
    directory: Path | None = None,
    actor: str | None = None,
) -> AssistResult:
    """The main problems in ``topic``'s comments from day ``since`` to day ``until`` (both
    included, days of the reporting ``zone``), with quotes copied from them; the newest
    ``MAX_COMMENTS`` comments are read.

    ``language`` (ru/en) is the summary's; default: the comments' most common language.
    Raises NotFoundError when the topic has no comment in the period.
    """
    if since is not None and until is not None and until < since:
        raise ConfigError(f"--until {until} is before --since {since}")
    where = get_zone(zone)
    start = as_utc_naive(since, where) if since else None
    end = as_utc_naive(until + timedelta(days=1), where) if until else None
    extra = topic_filter(engine, [topic])
    rows, _ = search_items(
        engine, start=start, end=end, extra=extra, limit=MAX_COMMENTS * 3, count=False
    )
    rows = [row for row in rows if row.get("text") and str(row["text"]).strip()][:MAX_COMMENTS]
    if not rows:
        raise NotFoundError(f"no comments about {topic!r} in that period")
    comments = [mask_for_llm(str(row["text"]))[:_TEXT_CHARS].replace("\n", " ") for row in rows]
    if language is None:
        counted = Counter(prompt_language(row.get("language")) for row in rows)
        language = counted.most_common(1)[0][0]
    prompt = load_prompt("summarize", language, directory=directory)
    flat = [_flat(comment) for comment in comments]

    def check(answer: SummaryAnswer) -> str | None:
        for problem in answer.problems:
            for quote in problem.quotes:
                needle = _flat(quote).strip("«»\"'.… ")
                if needle and not any(needle in comment for comment in flat):
                    return f"quote {quote[:60]!r} is not in the comments"
        return None

    period = f"{since or '…'} – {until or '…'}"
    job = Job(
        prompt,
        {
            "topic": topic,
            "period": period,
            "n": len(comments),
            "max_problems": max_problems,
            "comments": "\n".join(f"- {comment}" for comment in comments),
        },
        SummaryAnswer,
        check,
    )
    return _run(engine, client, "summarize", job, len(comments), item_id=None, actor=actor)


def _item_or_fail(engine: Engine, item_id: int) -> dict[str, Any]:
    item = get_item(engine, item_id)
    if item is None:
        raise NotFoundError(f"no item {item_id}")
    if not item.get("text") or not str(item["text"]).strip():
        raise ConfigError(f"item {item_id} has no text to answer")
    return item


def draft_reply(
    engine: Engine,
    client: LlmClient,
    *,
    item_id: int,
    directory: Path | None = None,
    actor: str | None = None,
) -> AssistResult:
    """A draft reply to item ``item_id`` in the customer's language and form of address."""
    item = _item_or_fail(engine, item_id)
    text = str(item["text"])
    language = item.get("language") or detect_language(text)[0] or "en"
    label = current_labels(engine, [item_id]).get(item_id) or {}
    prompt = load_prompt("reply", language, directory=directory)
    job = Job(
        prompt,
        {
            "language": language,
            "kind": item.get("channel") or item.get("kind") or "—",
            "score": "—" if item.get("score") is None else f"{item['score']:g}",
            "topic": ", ".join(label.get("topics") or []) or "—",
            "text": mask_for_llm(text),
        },
        ReplyAnswer,
    )
    return _run(engine, client, "reply", job, 1, item_id=item_id, actor=actor)


def suggest_offer(
    engine: Engine,
    client: LlmClient,
    *,
    item_id: int,
    language: str | None = None,
    directory: Path | None = None,
    actor: str | None = None,
) -> AssistResult:
    """What an operator may offer beyond the script on item ``item_id``, given the customer's
    earlier items (the latest ``MAX_HISTORY`` before it; none when it has no customer id)."""
    item = _item_or_fail(engine, item_id)
    history: list[dict[str, Any]] = []
    if item.get("customer_id"):
        rows, _ = search_items(
            engine,
            extra=(FeedbackItem.customer_id == item["customer_id"]) & (FeedbackItem.id != item_id),
            end=item["occurred_at"],
            limit=MAX_HISTORY,
            count=False,
        )
        history = list(reversed(rows))
    labels = current_labels(engine, [row["id"] for row in history]) if history else {}
    lines = []
    for row in history:
        label = labels.get(row["id"]) or {}
        score = "—" if row.get("score") is None else f"{row['score']:g} ({row.get('scale')})"
        text = mask_for_llm(str(row.get("text") or ""))[:_TEXT_CHARS].replace("\n", " ")
        lines.append(
            f"- {row['occurred_at']:%Y-%m-%d} · {row.get('channel') or row.get('kind')} · "
            f"score {score} · {label.get('type') or '—'} · {text or '(no comment)'}"
        )
    text = str(item["text"])
    prompt = load_prompt(
        "offer",
        language or item.get("language") or detect_language(text)[0] or "en",
        directory=directory,
    )
    job = Job(
        prompt,
        {
            "kind": item.get("channel") or item.get("kind") or "—",
            "score": "—" if item.get("score") is None else f"{item['score']:g}",
            "text": mask_for_llm(text),
            "n": len(lines),
            "history": "\n".join(lines) or "—",
        },
        OfferAnswer,
    )
    return _run(engine, client, "offer", job, len(lines), item_id=item_id, actor=actor)
