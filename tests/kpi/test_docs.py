"""docs/kpi.md keeps up with the commands and the shipped KPIs; modules list their names."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import otklik.kpi
from otklik.cli import command_tree
from otklik.kpi import load_kpis

DOC = (Path(__file__).resolve().parents[2] / "docs" / "kpi.md").read_text(encoding="utf-8")


def test_every_kpi_command_and_option_is_documented() -> None:
    group = command_tree().commands["kpi"]  # type: ignore[attr-defined]
    for name, command in group.commands.items():
        assert f"otklik kpi {name}" in DOC, name
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in DOC, f"otklik kpi {name} {option}"
    assert "otklik validate [--taxonomy FILE] [--teams FILE] [--kpis FILE]" in DOC
    assert "OTKLIK_KPIS" in DOC and "/scorecards" in DOC


def test_every_shipped_kpi_and_rule_is_explained() -> None:
    kpis = load_kpis()
    for kpi in kpis.kpis:
        assert f"`{kpi.name}`" in DOC, kpi.name
        for guard in kpi.guardrails:
            assert f"`{guard.name}`" in DOC, (kpi.name, guard.name)
    for name in ("min_n", "min_peers", "kpi_z", "guardrail_z", "alpha", "1.4826 · MAD"):
        assert name in DOC, name


@pytest.mark.parametrize("name", [info.name for info in pkgutil.iter_modules(otklik.kpi.__path__)])
def test_module_all_lists_what_it_defines(name: str) -> None:
    module = importlib.import_module(f"otklik.kpi.{name}")
    assert set(module.__all__) <= set(vars(module))
    defined = {
        key
        for key, value in vars(module).items()
        if not key.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }
    assert defined <= set(module.__all__), defined - set(module.__all__)


def test_package_all_is_its_surface() -> None:
    names = {
        key
        for key, value in vars(otklik.kpi).items()
        if not key.startswith("_") and not inspect.ismodule(value)
    }
    assert set(otklik.kpi.__all__) == names
