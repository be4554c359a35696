"""Every package says what it offers: ``__all__`` exists, has no repeats, and every name in it
resolves (lazily loaded names included)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import otklik

PACKAGES = sorted(
    info.name
    for info in pkgutil.walk_packages(otklik.__path__, prefix="otklik.")
    if info.ispkg and ".migrations" not in info.name and ".data" not in info.name
)


def test_the_domain_packages_are_all_there() -> None:
    expected = {
        "cli",
        "classify",
        "demo",
        "ingest",
        "kpi",
        "ledger",
        "metrics",
        "routing",
        "surveys",
        "web",
    }
    assert expected <= {name.split(".")[1] for name in PACKAGES}


@pytest.mark.parametrize("name", PACKAGES)
def test_public_surface_resolves(name: str) -> None:
    module = importlib.import_module(name)
    names = getattr(module, "__all__", None)
    assert names is not None, f"{name} has no __all__"
    assert len(names) == len(set(names)), f"{name}.__all__ repeats a name"
    for public in names:
        assert getattr(module, public, None) is not None, f"{name}.{public} does not resolve"
