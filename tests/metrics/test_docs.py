"""docs/metrics.md documents every metric (in English and Russian) and every CLI option."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otklik.cli import command_tree
from otklik.metrics import CATALOGUE

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
ROWS = (
    "Formula · Формула",
    "95% CI · Интервал",
    "Pros · Плюсы",
    "Cons · Минусы",
    "Gamed by · Как накручивают",
    "Guardrail · Страховка",
)


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_0-9]+)`", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].split("\n## ")[0] for i in range(1, len(parts), 2)}


def test_every_metric_has_a_section_and_nothing_else() -> None:
    assert list(_sections()) == list(CATALOGUE)


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_section_is_complete_in_both_languages(name: str) -> None:
    section = _sections()[name]
    for label in ROWS:
        row = next((line for line in section.splitlines() if line.startswith(f"| {label} |")), None)
        assert row is not None, f"{name}: no row {label!r}"
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 3 and all(cells), f"{name}: {label} needs English and Russian"
        if label.split(" ·")[0] in ("Formula", "Pros", "Cons", "Gamed by"):
            assert re.search("[а-яА-Я]", cells[2]), f"{name}: {label} has no Russian text"
    for guardrail in CATALOGUE[name].guardrails:
        assert f"`{guardrail}`" in section, f"{name}: guardrail {guardrail} not explained"


def test_every_cli_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    group = command_tree().commands["metrics"]  # type: ignore[attr-defined]
    for command in group.commands.values():
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in text, f"{command.name} {option} is not in docs/metrics.md"
