"""Surveys as versioned documents: a survey's name, texts per language, exit reasons and
whether it is active, edited as YAML or through a form, each save recorded (kind
``survey:<id>``) and any version restorable. The survey row in the store is the source the
public pages read; the versions are its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from sqlalchemy import Engine

from otklik.configs.versions import Version, get_version, latest_version, record_version
from otklik.errors import SurveyError
from otklik.surveys import SurveyDef, create_survey, get_survey, update_survey

__all__ = [
    "new_survey",
    "revert_survey",
    "save_survey",
    "survey_kind",
    "survey_source",
    "survey_texts_source",
]


def survey_kind(survey_id: int) -> str:
    """The version kind of the survey ``survey_id``: ``survey:<id>``."""
    return f"survey:{survey_id}"


def survey_source(survey: SurveyDef) -> str:
    """A survey as the YAML document that is edited and versioned."""
    doc: dict[str, Any] = {
        "name": survey.name,
        "type": survey.type,
        "active": survey.active,
        "texts": {lang: dict(texts) for lang, texts in survey.texts.items()},
    }
    if survey.type == "exit":
        doc["reasons"] = [dict(r) for r in survey.reasons if r.get("code") != "other"]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def new_survey(
    engine: Engine,
    *,
    name: str,
    type: str,
    questions: Mapping[str | None, str] | None = None,
    author: str,
) -> SurveyDef:
    """Create a survey (:func:`otklik.surveys.create_survey`: default texts in every language,
    ``questions`` replacing the question) and record it as its version 1."""
    survey = create_survey(engine, name=name, type=type, questions=questions)
    record_version(
        engine, survey_kind(survey.id), survey_source(survey), author=author, comment="created"
    )
    return survey


def survey_texts_source(
    survey: SurveyDef,
    *,
    name: str,
    active: bool,
    texts: Mapping[str, Mapping[str, str]],
) -> str:
    """The survey's YAML document with a new name, state and texts (reasons kept): what the
    survey form saves through :func:`save_survey`."""
    doc = yaml.safe_load(survey_source(survey))
    doc.update(name=name, active=active, texts={k: dict(v) for k, v in texts.items()})
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def save_survey(
    engine: Engine, survey_id: int, source: str, *, author: str, comment: str | None = None
) -> Version:
    """Apply the YAML ``source`` to the survey and record it as its next version (the survey
    as it was is recorded first when it has no version yet). Raises
    :class:`~otklik.errors.SurveyError` for a document it refuses (nothing changes then)."""
    survey = get_survey(engine, survey_id)
    try:
        doc = yaml.safe_load(source.replace("\r\n", "\n"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise SurveyError(f"{line}not valid YAML") from None
    if not isinstance(doc, dict):
        raise SurveyError("expected a mapping with name, type, active, texts")
    unknown = sorted(set(doc) - {"name", "type", "active", "texts", "reasons"})
    if unknown:
        raise SurveyError(f"unknown keys: {', '.join(unknown)}")
    if doc.get("type", survey.type) != survey.type:
        raise SurveyError(f"a survey's type cannot change (it is {survey.type})")
    texts = doc.get("texts")
    if not isinstance(texts, dict):
        raise SurveyError("texts: expected a mapping of languages")
    reasons = doc.get("reasons")
    if reasons is not None and not (
        isinstance(reasons, list) and all(isinstance(r, dict) for r in reasons)
    ):
        raise SurveyError("reasons: expected a list of {code, ru, en, …}")
    kind = survey_kind(survey_id)
    if latest_version(engine, kind) is None:
        record_version(engine, kind, survey_source(survey), author=None, comment="as created")
    updated = update_survey(
        engine,
        survey_id,
        name=str(doc.get("name") or ""),
        texts=texts,
        reasons=reasons,
        active=bool(doc.get("active", True)),
    )
    return record_version(engine, kind, survey_source(updated), author=author, comment=comment)


def revert_survey(engine: Engine, survey_id: int, version: int, *, author: str) -> Version:
    """Make version ``version`` of the survey the one in force again, as a new version."""
    old = get_version(engine, survey_kind(survey_id), version)
    return save_survey(
        engine, survey_id, old.content, author=author, comment=f"revert to version {version}"
    )
