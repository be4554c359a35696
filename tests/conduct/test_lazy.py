"""Checking texts on arrival loads neither the figures' statistics nor scikit-learn: each
``otklik classify`` process and each of its workers imports ``otklik.conduct`` for ``detect`` and
``scan_items``; the rest of the package's names load on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import otklik.conduct

HEAVY = ("scipy.stats", "sklearn", "otklik.kpi", "otklik.metrics", "ibis")


def _loaded(code: str) -> list[str]:
    report = f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    probe = f"import json, sys\n{code}\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_arrival_check_loads_no_statistics_nor_scikit_learn() -> None:
    code = (
        "from otklik.routing import classify_and_route\n"
        "from otklik.conduct import detect, scan_items\n"
        "assert detect('ты дебил') and not detect('спасибо')"
    )
    assert _loaded(code) == []


def test_the_figures_and_the_model_load_on_first_use() -> None:
    loaded = _loaded("from otklik.conduct import PERIODS, load_conduct_model")
    assert {"scipy.stats", "sklearn", "otklik.kpi"} <= set(loaded), loaded
    for name in otklik.conduct.__all__:
        assert getattr(otklik.conduct, name) is not None, name
