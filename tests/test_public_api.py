"""Every package says what it offers: ``__all__`` exists, has no repeats, and every name in it
resolves (lazily loaded names included)."""

from __future__ import annotations

import importlib
import inspect
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


@pytest.mark.parametrize("name", PACKAGES)
def test_no_public_name_is_shadowed_by_a_submodule(name: str) -> None:
    """A package's public ``f`` and its submodule ``f.py``: importing the submodule makes the
    package attribute the module, so ``from package import f`` then returns a module where a
    function was promised (it happened to ``otklik.classify.evaluate``, a lazily loaded name)."""
    module = importlib.import_module(name)
    submodules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    for public in getattr(module, "__all__", ()):
        if public in submodules and public != "__init__":
            importlib.import_module(f"{name}.{public}")
            value = getattr(module, public)
            assert not inspect.ismodule(value), (
                f"{name}.{public} is both a public name and a submodule; rename the submodule"
            )
