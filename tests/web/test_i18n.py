"""Catalogues: both languages say everything the templates ask for; public names are listed."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import otklik.web
from otklik.web.i18n import catalogue, negotiate, translator

TEMPLATES = Path(otklik.web.__file__).parent / "templates"
SOURCES = Path(otklik.web.__file__).parent


def test_catalogues_have_the_same_keys() -> None:
    assert set(catalogue("ru")) == set(catalogue("en"))


def test_every_literal_key_used_exists() -> None:
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *SOURCES.rglob("*.py")]:
        used.update(re.findall(r'\bt\("([a-z_]+\.[a-z_.%]+)"', path.read_text(encoding="utf-8")))
    keys = set(catalogue("en"))
    # t("contact.type." ~ value): a prefix completed at run time needs keys under it
    prefixes = {key for key in used if key.endswith(".")}
    missing = sorted(used - prefixes - keys)
    missing += sorted(p for p in prefixes if not any(k.startswith(p) for k in keys))
    assert not missing


def test_dynamic_keys_exist() -> None:
    from otklik.metrics import CATALOGUE
    from otklik.web.pages.explore import EXPLORE_FILTERS, SEGMENTS

    keys = {f"metric.{name}" for name in CATALOGUE}
    keys |= {f"field.{name}" for name in (*EXPLORE_FILTERS, *SEGMENTS, "scale")}
    keys |= {f"grain.{g}" for g in ("day", "week", "month", "quarter", "year", "all")}
    keys |= {f"role.{r}" for r in ("admin", "analyst", "team")}
    keys |= {f"status.{s}" for s in ("open", "in_progress", "closed")}
    keys |= {f"unit.{spec.unit}" for spec in CATALOGUE.values()}
    assert not sorted(keys - set(catalogue("ru")))


def test_negotiation_and_formatting() -> None:
    assert negotiate("en-US,en;q=0.9", "ru") == "en"
    assert negotiate("de-DE,ru;q=0.5", "en") == "ru"
    assert negotiate(None, "ru") == "ru"
    assert translator("ru").number(12345.678) == "12\xa0345,7"
    assert translator("en").number(12345.678) == "12,345.7"
    assert translator("ru").percent(42.5) == "42,5\xa0%"


def test_all_lists_the_public_names() -> None:
    for info in pkgutil.walk_packages(otklik.web.__path__, "otklik.web."):
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        assert names is not None, f"{info.name} has no __all__"
        for name in names:
            assert hasattr(module, name), f"{info.name}.__all__ names a missing {name}"
