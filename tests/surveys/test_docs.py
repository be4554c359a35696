"""docs/surveys.md keeps up: every command, setting, endpoint, mechanic and status, in English and
Russian; and every module's ``__all__`` names what it has."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import otklik.surveys
from otklik.cli import app
from otklik.cli.survey_cmd import survey_app
from otklik.config import Settings
from otklik.surveys import MECHANICS, SURVEY_TYPES, load_policy

DOCS = Path(__file__).resolve().parents[2] / "docs"
DOC = (DOCS / "surveys.md").read_text(encoding="utf-8")
SURVEY_SETTINGS = [name for name in Settings.model_fields if name.startswith("survey_")]


def test_every_command_and_option_is_documented() -> None:
    assert any(group.typer_instance is survey_app for group in app.registered_groups)
    for command in survey_app.registered_commands:
        assert f"otklik survey {command.name}" in DOC, command.name
    for option in (
        "--name",
        "--type",
        "--question",
        "--reasons",
        "--survey",
        "--customer",
        "--customers",
        "--expires-days",
        "--channel",
        "--mechanic",
        "--transaction",
        "--force",
        "--format",
    ):
        assert option in DOC, option


def test_every_setting_endpoint_and_mechanic_is_documented() -> None:
    for name in [*SURVEY_SETTINGS, "public_url", "secret_key"]:
        assert f"OTKLIK_{name.upper()}" in DOC, name
    for path in ("GET /s/<token>", "POST /s/<token>", "/widget.js", "/widget.css"):
        assert path in DOC, path
    for name in (*MECHANICS, *SURVEY_TYPES):
        assert f"`{name}`" in DOC, name
    for rule in load_policy().rules:
        assert f"`{rule.name}`" in DOC, rule.name
    for status in ("403", "404", "409", "410", "413", "422", "429"):
        assert re.search(rf"\| {status} \|", DOC), status


def test_both_languages_and_the_benchmark() -> None:
    english, russian = DOC.split("## Русский")
    assert "## English" in english and "Контактная политика" in russian
    for command in ("otklik survey create", "otklik survey invite", "otklik metrics"):
        assert command in russian
    bench = (DOCS / "benchmarks-surveys.md").read_text(encoding="utf-8")
    assert "python benchmarks/bench_collect.py" in bench and "answers/s" in bench


def test_all_lists_the_public_names() -> None:
    for info in pkgutil.walk_packages(otklik.surveys.__path__, "otklik.surveys."):
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        assert names is not None, f"{info.name} has no __all__"
        for name in names:
            assert hasattr(module, name), f"{info.name}.__all__ names a missing {name}"
    for name in otklik.surveys.__all__:
        assert hasattr(otklik.surveys, name), name
