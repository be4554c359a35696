"""Experiment definitions: YAML validated with every problem located (file:line), CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from otklik.errors import ConfigError
from otklik.experiments import load_experiments, parse_variant, plan, read_experiments

GOOD = """\
experiments:
  - key: sheet-vs-popup
    hypothesis: A bottom sheet is as good as a popup
    kind: mechanic
    survey_type: csat
    variants:
      - {name: bottom-sheet, mechanic: bottom-sheet}
      - {name: popup, weight: 2, mechanic: popup}
    metric: response_rate
    guardrails: [csat]
    mde: 5
    baseline: 20
"""

BAD = """\
experiments:
  - key: one
    variants:
      - {name: a}
      - {name: a}
    metric: response_rate
  - key: two
    variants: [{name: a}, {name: b}]
    metric: nsp
  - key: two
    variants: [{name: a}, {name: b}]
    metric: nps
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "experiments.yaml"
    path.write_text(GOOD, encoding="utf-8")
    [found] = load_experiments(path)
    assert found.control_name == "bottom-sheet"
    assert found.weights() == pytest.approx([1 / 3, 2 / 3])
    assert found.guardrails == ("csat",)


def test_every_problem_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    found, issues = read_experiments(path)
    assert found is None
    text = [str(issue) for issue in issues]
    assert any(t.startswith(f"{path}:2:") and "variant 'a' is given twice" in t for t in text)
    assert any(t.startswith(f"{path}:7:") and "unknown metric 'nsp'" in t for t in text)
    with pytest.raises(ConfigError):
        load_experiments(path)


def test_duplicate_keys_are_named_with_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    fixed = BAD.replace("metric: nsp", "metric: nps").replace(
        "- {name: a}\n      - {name: a}", "- {name: a}\n      - {name: b}"
    )
    path.write_text(fixed, encoding="utf-8")
    _, issues = read_experiments(path)
    assert any("given twice (first at line 7)" in str(i) and ":10:" in str(i) for i in issues)


def test_cli_variants() -> None:
    assert parse_variant("popup=2").weight == 2
    assert parse_variant("popup").mechanic == "popup"
    assert parse_variant("treatment").mechanic is None
    with pytest.raises(ConfigError, match="weight must be a number"):
        parse_variant("a=x")
    with pytest.raises(ConfigError, match="--variant"):
        parse_variant("a b")


def test_plan_is_the_power_calculation(tmp_path: Path) -> None:
    path = tmp_path / "experiments.yaml"
    path.write_text(GOOD, encoding="utf-8")
    [found] = load_experiments(path)
    # baseline 20%, MDE 5 pp, α 0.05, power 0.8: the classic formula gives 1094 per group
    assert plan(found) == 1094
