"""Experiment definitions: YAML validated with every problem located (file:line), CLI flags."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({"metric": "response_rate", "baseline": 150}, "baseline (150) and baseline + MDE (153)"),
        ({"metric": "csat", "baseline": 98}, "baseline (98) and baseline + MDE (103)"),
        ({"metric": "response_rate", "mde": 200}, "baseline (20) and baseline + MDE (220)"),
        ({"metric": "csat", "baseline": -5, "mde": 5}, "baseline (-5) and baseline + MDE (0)"),
    ],
)
def test_a_share_baseline_outside_0_100_is_refused(extra: dict[str, object], shown: str) -> None:
    """`experiment create --baseline 150` ended in a ValueError traceback from the power
    calculation; the definition now refuses it (defaults: response_rate 20 + 3, csat 75 + 5)."""
    from otklik.experiments import build

    data = {"key": "b", "variants": [{"name": "a"}, {"name": "b"}], **extra}
    with pytest.raises(ConfigError, match=re.escape(f"is a share in %: {shown}")):
        build(data)
    # a share metric with room on both sides is fine; a mean metric has no such bound
    assert build({**data, "baseline": 50, "mde": 5}).baseline == 50
    assert build({**data, "metric": "nps", "baseline": 150}).baseline == 150
