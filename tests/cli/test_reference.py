"""Docs checked by tests: the CLI reference is current and every command is documented."""

from __future__ import annotations

from pathlib import Path

from otklik.cli import command_tree
from otklik.cli.reference import render_reference

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _leaves(command: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    children = getattr(command, "commands", None)
    if not children:
        return [path]
    return [leaf for name, child in children.items() for leaf in _leaves(child, (*path, name))]


def test_cli_reference_is_current() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_reference(), (
        "docs/cli.md is out of date: run `make docs`"
    )


def test_every_command_and_option_is_in_the_reference() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    root = command_tree()
    leaves = _leaves(root, ("otklik",))
    assert len(leaves) > 25
    for path in leaves:
        assert f"## `{' '.join(path)}`" in text
    assert "| `--kind` VALUE | yes |" in text  # an option of `otklik import`, with its flag
