"""Surveys: a type (nps, csat, ces, enps, exit), texts per language and, for exit surveys, the
ready reasons a leaving customer picks from (several at once, plus "other").

Each type answers on one ledger scale and lands as one ledger kind: NPS on ``nps`` (kind
survey), CSAT on ``csat5``, CES on ``ces7``, eNPS on ``nps`` as kind employee (so it feeds
``enps``, never ``nps``), exit as kind exit with the reasons in the item's attributes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from otklik.errors import InputFileError, NotFoundError, SurveyError
from otklik.ledger.models_surveys import Survey
from otklik.surveys.texts import (
    DEFAULT_EXIT_REASONS,
    DEFAULT_TEXTS,
    LANGUAGES,
    OTHER_REASON,
    direction,
    ui_texts,
)
from otklik.types import SCALES, Kind

__all__ = [
    "SURVEY_TYPES",
    "SurveyDef",
    "TypeSpec",
    "close_survey",
    "create_survey",
    "get_survey",
    "list_surveys",
    "load_reasons",
    "update_survey",
]

_MAX_REASONS = 20
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """How a survey type is asked and where its answers land in the ledger."""

    name: str
    kind: Kind
    scale: str | None

    @property
    def low(self) -> int | None:
        return SCALES[self.scale].low if self.scale else None

    @property
    def high(self) -> int | None:
        return SCALES[self.scale].high if self.scale else None


SURVEY_TYPES: Mapping[str, TypeSpec] = {
    "nps": TypeSpec("nps", Kind.SURVEY, "nps"),
    "csat": TypeSpec("csat", Kind.SURVEY, "csat5"),
    "ces": TypeSpec("ces", Kind.SURVEY, "ces7"),
    "enps": TypeSpec("enps", Kind.EMPLOYEE, "nps"),
    "exit": TypeSpec("exit", Kind.EXIT, None),
}


@dataclass(frozen=True)
class SurveyDef:
    """A stored survey."""

    id: int
    name: str
    type: str
    texts: Mapping[str, Mapping[str, str]]
    reasons: tuple[Mapping[str, str], ...]
    active: bool
    created_at: datetime

    @property
    def spec(self) -> TypeSpec:
        return SURVEY_TYPES[self.type]

    @property
    def reason_codes(self) -> frozenset[str]:
        return frozenset(reason["code"] for reason in self.reasons)

    def view(self, language: str) -> dict[str, Any]:
        """What a page or the widget shows in ``language``: texts, scale, reasons, direction."""
        language = language if language in LANGUAGES else "en"
        texts = self.texts.get(language) or self.texts.get("en") or {}
        spec = self.spec
        return {
            "id": self.id,
            "type": self.type,
            "language": language,
            "dir": direction(language),
            "question": texts.get("question", ""),
            "comment": texts.get("comment", ""),
            "low_label": texts.get("low", ""),
            "high_label": texts.get("high", ""),
            "scale": None
            if spec.scale is None
            else {
                "name": spec.scale,
                "low": spec.low,
                "high": spec.high,
            },
            "reasons": [
                {"code": reason["code"], "label": _label(reason, language)}
                for reason in self.reasons
            ],
            "ui": dict(ui_texts(language)),
        }

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "kind": spec.kind.value,
            "scale": spec.scale,
            "texts": {lang: dict(texts) for lang, texts in self.texts.items()},
            "reasons": [dict(reason) for reason in self.reasons],
            "active": self.active,
            "created_at": self.created_at.isoformat() + "Z",
        }


def _label(reason: Mapping[str, str], language: str) -> str:
    return (
        reason.get(language)
        or reason.get("en")
        or next((reason[lang] for lang in LANGUAGES if reason.get(lang)), reason["code"])
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _row(row: Mapping[Any, Any]) -> SurveyDef:
    return SurveyDef(
        id=row["id"],
        name=row["name"],
        type=row["type"],
        texts=row["texts"],
        reasons=tuple(row["reasons"] or ()),
        active=bool(row["active"]),
        created_at=row["created_at"],
    )


def _texts(survey_type: str, questions: Mapping[str | None, str]) -> dict[str, dict[str, str]]:
    texts = {lang: dict(DEFAULT_TEXTS[survey_type][lang]) for lang in LANGUAGES}
    common = questions.get(None)
    for lang in LANGUAGES:
        question = questions.get(lang) or common
        if question:
            texts[lang]["question"] = question
    return texts


def _check_reasons(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    checked: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, reason in enumerate(reasons, 1):
        code = str(reason.get("code") or "").strip().lower()
        if not _CODE.match(code):
            raise SurveyError(
                f"reason {number}: code {code!r} must be 1–40 letters, digits, _ or -"
            )
        if code == OTHER_REASON["code"]:
            continue  # added by otklik, with its own text field
        if code in seen:
            raise SurveyError(f"reason {number}: code {code!r} is given twice")
        labels = {lang: str(reason[lang]).strip() for lang in LANGUAGES if reason.get(lang)}
        if not labels:
            raise SurveyError(f"reason {number} ({code}) has no text in {', '.join(LANGUAGES)}")
        seen.add(code)
        checked.append({"code": code, **labels})
    if not checked:
        raise SurveyError("an exit survey needs at least one reason besides 'other'")
    if len(checked) > _MAX_REASONS:
        raise SurveyError(f"at most {_MAX_REASONS} reasons, got {len(checked)}")
    return [*checked, dict(OTHER_REASON)]


def create_survey(
    engine: Engine,
    *,
    name: str,
    type: str,
    questions: Mapping[str | None, str] | None = None,
    reasons: Sequence[Mapping[str, Any]] | None = None,
) -> SurveyDef:
    """Store a new survey. ``questions`` maps a language (None: all of them) to the question
    text; ``reasons`` (exit surveys only) default to otklik's ready list."""
    name = name.strip()
    if not name or len(name) > 200:
        raise SurveyError("a survey needs a name of 1–200 characters")
    if type not in SURVEY_TYPES:
        raise SurveyError(f"unknown survey type {type!r} (use {', '.join(SURVEY_TYPES)})")
    for lang in questions or {}:
        if lang is not None and lang not in LANGUAGES:
            raise SurveyError(f"no language {lang!r} (use {', '.join(LANGUAGES)})")
    if type != "exit" and reasons:
        raise SurveyError("only exit surveys have ready reasons; drop --reasons")
    checked = _check_reasons(reasons or DEFAULT_EXIT_REASONS) if type == "exit" else None
    values = {
        "name": name,
        "type": type,
        "texts": _texts(type, questions or {}),
        "reasons": checked,
        "active": True,
        "created_at": _now(),
    }
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(Survey).values(**values))
            assert result.inserted_primary_key is not None
            survey_id = int(result.inserted_primary_key[0])
    except IntegrityError:
        raise SurveyError(f"a survey named {name!r} already exists") from None
    return get_survey(engine, survey_id)


_SELECT = select(Survey.__table__)


_TEXT_KEYS = frozenset({"question", "comment", "low", "high"})


def _check_texts(texts: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    checked: dict[str, dict[str, str]] = {}
    for lang, values in texts.items():
        if lang not in LANGUAGES:
            raise SurveyError(f"texts: no language {lang!r} (use {', '.join(LANGUAGES)})")
        if not isinstance(values, Mapping):
            raise SurveyError(f"texts.{lang}: expected question, comment, low and high")
        unknown = sorted(set(values) - _TEXT_KEYS)
        if unknown:
            raise SurveyError(
                f"texts.{lang}: unknown {', '.join(unknown)} (use {', '.join(sorted(_TEXT_KEYS))})"
            )
        clean = {key: str(value).strip() for key, value in values.items() if value is not None}
        if not clean.get("question"):
            raise SurveyError(f"texts.{lang}.question: a survey needs a question")
        if len(" ".join(clean.values())) > 4000:
            raise SurveyError(f"texts.{lang}: at most 4000 characters")
        checked[lang] = clean
    if not checked:
        raise SurveyError("texts: a survey needs its texts in at least one language")
    return checked


def update_survey(
    engine: Engine,
    survey_id: int,
    *,
    name: str,
    texts: Mapping[str, Mapping[str, str]],
    reasons: Sequence[Mapping[str, Any]] | None = None,
    active: bool = True,
) -> SurveyDef:
    """Change a survey's name, texts per language (question, comment, low, high), exit reasons
    and whether it is active; its type never changes (answers already given keep their scale).
    Refuses what :func:`create_survey` refuses, with :class:`~otklik.errors.SurveyError`."""
    survey = get_survey(engine, survey_id)
    name = name.strip()
    if not name or len(name) > 200:
        raise SurveyError("a survey needs a name of 1–200 characters")
    if survey.type != "exit" and reasons:
        raise SurveyError("only exit surveys have ready reasons")
    values = {
        "name": name,
        "texts": _check_texts(texts),
        "reasons": _check_reasons(reasons or ()) if survey.type == "exit" else None,
        "active": active,
    }
    try:
        with engine.begin() as conn:
            conn.execute(update(Survey).where(Survey.id == survey_id).values(**values))
    except IntegrityError:
        raise SurveyError(f"a survey named {name!r} already exists") from None
    return get_survey(engine, survey_id)


def close_survey(engine: Engine, survey_id: int) -> SurveyDef:
    """Stop a survey: no new invitations; its open links answer 410 from the next request."""
    get_survey(engine, survey_id)
    with engine.begin() as conn:
        conn.execute(update(Survey).where(Survey.id == survey_id).values(active=False))
    return get_survey(engine, survey_id)


def get_survey(engine: Engine, survey_id: int) -> SurveyDef:
    with engine.connect() as conn:
        found = conn.execute(_SELECT.where(Survey.id == survey_id)).mappings().first()
    if found is None:
        raise NotFoundError(f"no survey {survey_id} (see `otklik survey list`)")
    return _row(found)


def list_surveys(engine: Engine) -> list[SurveyDef]:
    with engine.connect() as conn:
        rows = conn.execute(_SELECT.order_by(Survey.id)).mappings().all()
    return [_row(row) for row in rows]


def _slug(label: str, number: int) -> str:
    code = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
    return code if _CODE.match(code) else f"r{number}"


def load_reasons(path: Path) -> list[dict[str, str]]:
    """Reasons from a file: YAML/JSON (a list of texts, or of ``{code, ru, en, ar}``) or plain
    text (one reason per line, the same text in every language)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the reasons ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: the reasons are not UTF-8 text") from None
    items: list[Any]
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        try:
            loaded = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
        except (ValueError, yaml.YAMLError) as exc:
            raise InputFileError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from None
        if isinstance(loaded, dict) and "reasons" in loaded:
            loaded = loaded["reasons"]
        if not isinstance(loaded, list):
            raise InputFileError(f"{path}: expected a list of reasons")
        items = loaded
    else:
        items = [line.strip() for line in raw.splitlines() if line.strip()]
    reasons: list[dict[str, str]] = []
    for number, item in enumerate(items, 1):
        if isinstance(item, str):
            reasons.append({"code": _slug(item, number), **dict.fromkeys(LANGUAGES, item)})
        elif isinstance(item, dict):
            reasons.append({str(k): str(v) for k, v in item.items() if v is not None})
        else:
            raise InputFileError(f"{path}: reason {number} is neither a text nor a mapping")
    return reasons
