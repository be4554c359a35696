"""Surveys: each type lands on its ledger kind and scale; texts in three languages; reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from otklik.errors import InputFileError, NotFoundError, SurveyError
from otklik.surveys import SURVEY_TYPES, create_survey, get_survey, list_surveys, load_reasons


def test_each_type_has_its_kind_scale_and_texts(engine: Engine) -> None:
    expected = {
        "nps": ("survey", "nps", 0, 10),
        "csat": ("survey", "csat5", 1, 5),
        "ces": ("survey", "ces7", 1, 7),
        "enps": ("employee", "nps", 0, 10),
        "exit": ("exit", None, None, None),
    }
    assert set(SURVEY_TYPES) == set(expected)
    for kind, (ledger_kind, scale, low, high) in expected.items():
        survey = create_survey(engine, name=f"my-{kind}", type=kind)
        data = survey.to_dict()
        assert (data["kind"], data["scale"]) == (ledger_kind, scale)
        assert set(data["texts"]) == {"ru", "en", "ar"}
        view = survey.view("en")
        assert view["question"] and view["comment"]
        assert view["scale"] == (
            None if scale is None else {"name": scale, "low": low, "high": high}
        )
        assert (view["dir"], survey.view("ar")["dir"], survey.view("ru")["dir"]) == (
            "ltr",
            "rtl",
            "ltr",
        )
    assert [s.name for s in list_surveys(engine)] == [f"my-{k}" for k in expected]


def test_exit_reasons_default_and_from_files(engine: Engine, tmp_path: Path) -> None:
    default = create_survey(engine, name="leaving", type="exit")
    codes = [reason["code"] for reason in default.reasons]
    assert codes[-1] == "other" and len(codes) >= 4
    assert default.view("ru")["reasons"][-1]["label"] == "Другое"
    yaml_file = tmp_path / "reasons.yaml"
    yaml_file.write_text(
        "- code: rates\n  ru: Ставки\n  en: Rates\n- Переезд в другую страну\n", encoding="utf-8"
    )
    custom = create_survey(engine, name="leaving-2", type="exit", reasons=load_reasons(yaml_file))
    assert [r["code"] for r in custom.reasons] == ["rates", "r2", "other"]
    assert custom.view("ar")["reasons"][0]["label"] == "Rates"  # falls back to English
    text_file = tmp_path / "reasons.txt"
    text_file.write_text("Too expensive\nMoved away\n\nother\n", encoding="utf-8")
    third = create_survey(engine, name="leaving-3", type="exit", reasons=load_reasons(text_file))
    assert [r["code"] for r in third.reasons] == ["too_expensive", "moved_away", "other"]


def test_questions_per_language(engine: Engine) -> None:
    survey = create_survey(
        engine,
        name="app-csat",
        type="csat",
        questions={None: "Как вам приложение?", "en": "How do you like the app?"},
    )
    assert survey.view("ru")["question"] == "Как вам приложение?"
    assert survey.view("en")["question"] == "How do you like the app?"
    assert survey.view("ar")["question"] == "Как вам приложение?"
    assert get_survey(engine, survey.id) == survey


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "type": "poll"}, "unknown survey type 'poll'"),
        ({"name": " ", "type": "nps"}, "needs a name"),
        ({"name": "x", "type": "nps", "reasons": [{"code": "a", "en": "A"}]}, "only exit"),
        ({"name": "x", "type": "exit", "reasons": [{"code": "Bad code!", "en": "A"}]}, "code"),
        ({"name": "x", "type": "exit", "reasons": [{"code": "a"}]}, "has no text"),
        ({"name": "x", "type": "exit", "reasons": [{"code": "other", "en": "O"}]}, "at least one"),
        ({"name": "x", "type": "nps", "questions": {"de": "Wie?"}}, "no language 'de'"),
    ],
)
def test_bad_surveys_are_refused(engine: Engine, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SurveyError, match=message):
        create_survey(engine, **kwargs)  # type: ignore[arg-type]


def test_names_are_unique_and_ids_must_exist(engine: Engine, tmp_path: Path) -> None:
    create_survey(engine, name="same", type="nps")
    with pytest.raises(SurveyError, match="already exists"):
        create_survey(engine, name="same", type="csat")
    with pytest.raises(NotFoundError, match="no survey 999"):
        get_survey(engine, 999)
    with pytest.raises(InputFileError, match="cannot read"):
        load_reasons(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("- [unclosed\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid YAML"):
        load_reasons(broken)
