"""Drafting and rewriting messages with an LLM, then checking them like any template.

:func:`draft_message` asks the configured OpenAI-compatible model (``OTKLIK_LLM_*``, see
:mod:`otklik.llm`) for a message of a type, channel, language (ru, en, id, ar, es) and form of
address; with ``rewrite`` it rewrites a given text instead. The facts and the text are masked
(:func:`otklik.llm.mask_for_llm`) before they leave. The answer must be in the language asked
(else it is asked again), and comes back with the same checks as a template: length on the
channel, tone, form of address and the promise-check.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from otklik.contact.checks import PUSH_BODY, SUBJECT_MAX, TextCheck, check_text
from otklik.contact.policy import CHANNELS, TYPES
from otklik.contact.templates import LANGUAGES
from otklik.errors import ConfigError
from otklik.llm import Answer, Job, LlmClient, Prompt, mask_for_llm, record_run

__all__ = ["DraftAnswer", "DraftResult", "draft_message", "load_draft_prompt"]

_LIMITS = {"sms": 300, "push": PUSH_BODY, "email": 1500, "messenger": 600}
_LANGUAGE_NAMES = {
    "ru": "Russian",
    "en": "English",
    "id": "Indonesian",
    "ar": "Arabic",
    "es": "Spanish",
}


class DraftAnswer(BaseModel):
    """The model's message: language, form of address used, subject/title and text."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    language: str = Field(min_length=2, max_length=10)
    address_form: str = Field(min_length=1, max_length=40)
    subject: str = Field("", max_length=300)
    text: str = Field(min_length=1, max_length=4000)


@dataclass
class DraftResult:
    """The draft (or why there is none), its checks and what the run cost."""

    answer: DraftAnswer | None
    check: TextCheck | None
    failure: str | None
    prompt_version: str
    model: str
    usage: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer.model_dump() if self.answer is not None else None,
            "check": self.check.to_dict() if self.check is not None else None,
            "failure": self.failure,
            "prompt_version": self.prompt_version,
            "model": self.model,
            "usage": self.usage,
        }


def load_draft_prompt(language: str = "en", *, directory: Path | None = None) -> Prompt:
    """The drafting prompt in ``ru`` (for Russian) or ``en`` (for the rest), the file in
    ``directory`` (``OTKLIK_LLM_PROMPTS_DIR``) first; format as :mod:`otklik.llm.prompts`."""
    lang = "ru" if language == "ru" else "en"
    name = f"draft.{lang}.txt"
    if directory is not None and (Path(directory) / name).is_file():
        path = Path(directory) / name
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        text = resources.files("otklik.contact").joinpath("prompts", name).read_text("utf-8")
        source = "shipped"
    text = text.replace("\r\n", "\n")
    head, _, rest = text.partition("\n")
    key, _, number = head.partition(":")
    system, marker, user = rest.removeprefix("## system\n").partition("\n## user\n")
    if key.strip() != "version" or not number.strip().isdecimal() or not marker:
        raise ConfigError(f"{source}: needs 'version: N', '## system' and '## user'")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return Prompt("draft", lang, int(number), digest, system.strip(), user.strip(), source)


def draft_message(
    client: LlmClient,
    *,
    type_: str,
    channel: str,
    language: str,
    address: str = "formal",
    facts: str = "",
    rewrite: str | None = None,
    engine: Engine | None = None,
    actor: str | None = None,
    directory: Path | None = None,
) -> DraftResult:
    """A draft of a ``type_`` message on ``channel`` in ``language``, from ``facts`` (or a
    rewrite of the text ``rewrite``); every text is masked before it is sent."""
    if type_ not in TYPES:
        raise ConfigError(f"unknown message type {type_!r} (use {', '.join(TYPES)})")
    if channel not in CHANNELS:
        raise ConfigError(f"unknown channel {channel!r} (use {', '.join(CHANNELS)})")
    if language not in LANGUAGES:
        raise ConfigError(f"unknown language {language!r} (use {', '.join(LANGUAGES)})")
    if address not in ("formal", "informal", "none"):
        raise ConfigError("address must be formal, informal or none")
    if not (facts.strip() or (rewrite or "").strip()):
        raise ConfigError("give the facts to write from, or a text to rewrite")
    prompt = load_draft_prompt(language, directory=directory)
    limit = _LIMITS.get(channel, 600)
    subject_rule = (
        f", and a subject of at most {SUBJECT_MAX}"
        if channel == "email"
        else ", and a title of at most 50"
        if channel == "push"
        else "; leave the subject empty"
    )
    task = (
        "Rewrite this text keeping its facts:" if rewrite else "Write the message from these facts:"
    )
    job = Job(
        prompt,
        {
            "type": type_.replace("_", " "),
            "channel": channel,
            "language": _LANGUAGE_NAMES[language],
            "address": address,
            "limit": limit,
            "subject_rule": subject_rule,
            "task": task,
            "facts": mask_for_llm(rewrite if rewrite else facts),
        },
        DraftAnswer,
        lambda answer: (
            None
            if answer.language.lower().startswith(language)
            else f"the draft is in {answer.language!r}, not {language!r}"
        ),
    )
    started_at, started, before = datetime.now(UTC), time.perf_counter(), client.usage.copy()
    result = client.ask(job)
    usage = client.usage.since(before)
    failure = None if isinstance(result, Answer) else result.reason
    if engine is not None:
        record_run(
            engine,
            task="draft",
            model=client.model,
            prompt_versions=[prompt.version],
            usage=usage,
            started_at=started_at,
            seconds=time.perf_counter() - started,
            failures=[(None, failure)] if failure else [],
            actor=actor,
        )
    answer: DraftAnswer | None = result.value if isinstance(result, Answer) else None
    checked = None
    if answer is not None:
        checked = check_text(
            answer.text,
            channel=channel,
            subject=(answer.subject or None) if channel in ("email", "push") else None,
            language=language,
            address=address,
        )
    return DraftResult(answer, checked, failure, prompt.version, client.model, usage.as_dict())
