"""Checking an answer against its survey: a score on the survey's scale, known exit reasons,
bounded texts. Every refusal is an :class:`~otklik.errors.AnswerError` naming the field and
saying what is wrong (the web answers it with 422).

Types are strict. An answer comes as a form (every value text, each field once; ``reasons``
may repeat) or as JSON (``score`` and ``dwell_ms`` numbers, texts strings, ``reasons`` a list
of codes or one code): ``"score": [9]``, ``"score": "9"`` in JSON, ``score=9&score=1`` in a
form, or a score of ``9.5`` are refused, never guessed. Texts count characters the way a
browser's ``maxlength`` does: a line break is one character, whether it came as CRLF (what a
form submits), CR or LF, and the text is stored with LF line breaks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otklik.errors import AnswerError
from otklik.surveys.invite import CHANNELS, MECHANICS
from otklik.surveys.surveys import SurveyDef
from otklik.surveys.texts import LANGUAGES

__all__ = ["MAX_COMMENT", "MAX_OTHER", "Answer", "normalize_text", "parse_answer"]

MAX_COMMENT = 2000  # characters, line breaks counted once (the page's maxlength)
MAX_OTHER = 500
_MAX_DWELL_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Answer:
    """A checked answer: a score on the survey's scale (None for exit surveys), a comment,
    exit reasons, and how it was given (mode, reported channel, language, time on screen)."""

    score: int | None
    comment: str | None = None
    reasons: tuple[str, ...] = ()
    other: str | None = None
    mode: str | None = None
    channel: str | None = None
    language: str | None = None
    dwell_ms: int | None = None


def _first(fields: Mapping[str, Any], name: str, *, form: bool) -> Any:
    """The single value of ``name``: a form's field given once, or a JSON scalar."""
    value = fields.get(name)
    if form and isinstance(value, list | tuple):
        if len(value) > 1:
            raise AnswerError(f"{name} is given {len(value)} times; give it once", field=name)
        value = value[0] if value else None
    if isinstance(value, list | tuple | dict):
        raise AnswerError(f"{name} must be a single value, not a list or an object", field=name)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _many(fields: Mapping[str, Any], name: str) -> list[str]:
    value = fields.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    found: list[str] = []
    for item in values:
        if not isinstance(item, str):
            raise AnswerError(f"{name} must be text codes", field=name)
        found.extend(part.strip() for part in item.split(",") if part.strip())
    return found


def _score(survey: SurveyDef, raw: Any, *, form: bool) -> int | None:
    spec = survey.spec
    if spec.scale is None:
        if raw is not None:
            raise AnswerError(f"{survey.type} surveys take reasons, not a score", field="score")
        return None
    assert spec.low is not None and spec.high is not None
    scale = f"{spec.scale} scale ({spec.low}–{spec.high})"
    if raw is None:
        raise AnswerError(f"score is required: a whole number on the {scale}", field="score")
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str) and not form:
        raise AnswerError(
            f"score must be a JSON number on the {scale}, not the text {raw[:20]!r}", field="score"
        )
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and raw.lstrip("-").isascii() and raw.lstrip("-").isdigit():
        raw = int(raw) if len(raw) <= 3 else raw
    if not isinstance(raw, int):
        raise AnswerError(
            f"score {str(raw)[:20]!r} is not a whole number on the {scale}", field="score"
        )
    if not spec.low <= raw <= spec.high:
        raise AnswerError(f"score {raw} is outside the {scale}", field="score")
    return raw


def normalize_text(text: str) -> str:
    """Line breaks as LF (CRLF and a lone CR are one break each), as a browser counts them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _limited(fields: Mapping[str, Any], name: str, limit: int, *, form: bool) -> str | None:
    value = _first(fields, name, form=form)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AnswerError(f"{name} must be text", field=name)
    value = normalize_text(value)
    if len(value) > limit:
        raise AnswerError(
            f"{name} is longer than {limit} characters ({len(value)}; a line break counts once)",
            field=name,
        )
    return value


def parse_answer(survey: SurveyDef, fields: Mapping[str, Any], *, form: bool = True) -> Answer:
    """An :class:`Answer` from form fields (``form=True``: text values, each possibly a
    one-item list as a form parser gives them) or JSON fields (``form=False``: see the module
    doc) — ``score``, ``comment``, ``reasons``, ``other``, ``mode``, ``channel``, ``lang``,
    ``dwell_ms`` — or an :class:`AnswerError` that says what is wrong."""
    score = _score(survey, _first(fields, "score", form=form), form=form)
    reasons = list(dict.fromkeys(_many(fields, "reasons")))
    other = _limited(fields, "other", MAX_OTHER, form=form)
    if survey.type == "exit" and other and other.strip() and "other" not in reasons:
        # Text typed into "other" is the customer's reason even when the box stayed unticked:
        # it is never dropped.
        reasons.append("other")
    if survey.type == "exit":
        unknown = [code for code in reasons if code not in survey.reason_codes]
        if unknown:
            raise AnswerError(
                f"unknown reason {unknown[0][:40]!r} (choose from "
                f"{', '.join(sorted(survey.reason_codes))})",
                field="reasons",
            )
        if not reasons:
            raise AnswerError("choose at least one reason", field="reasons")
    elif reasons:
        raise AnswerError(f"{survey.type} surveys have no reasons to choose", field="reasons")
    mode = _first(fields, "mode", form=form)
    if mode is not None and mode not in MECHANICS:
        raise AnswerError(
            f"unknown mode {str(mode)[:30]!r} (use {', '.join(MECHANICS)})", field="mode"
        )
    channel = _first(fields, "channel", form=form)
    if channel is not None and channel not in CHANNELS:
        raise AnswerError(f"unknown channel {str(channel)[:30]!r}", field="channel")
    language = _first(fields, "lang", form=form)
    dwell = _first(fields, "dwell_ms", form=form)
    if dwell is not None:
        if isinstance(dwell, bool) or (isinstance(dwell, str) and not form):
            raise AnswerError("dwell_ms must be a number of milliseconds", field="dwell_ms")
        try:
            dwell = int(dwell)
        except (TypeError, ValueError, OverflowError):
            raise AnswerError("dwell_ms must be a whole number", field="dwell_ms") from None
        dwell = min(max(dwell, 0), _MAX_DWELL_MS)
    return Answer(
        score=score,
        comment=_limited(fields, "comment", MAX_COMMENT, form=form),
        reasons=tuple(reasons),
        other=(other.strip() or None) if other and "other" in reasons else None,
        mode=mode,
        channel=channel,
        language=language if language in LANGUAGES else None,
        dwell_ms=dwell,
    )
