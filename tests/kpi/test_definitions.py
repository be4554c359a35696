"""KPI files: the shipped set and its pairs, problems located by file, line and key, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from otklik.cli import app
from otklik.errors import ConfigError
from otklik.kpi import DEFAULT_KPIS, load_kpis, read_kpis

runner = CliRunner()


def test_the_shipped_set_is_valid_and_pairs_each_kpi_with_its_guardrails() -> None:
    kpis = load_kpis()
    pairs = {k.metric: {(g.name, g.window_days) for g in k.guardrails} for k in kpis.kpis}
    assert pairs["aht"] == {("repeat_rate", None), ("agent_hangup_rate", None)}
    assert ("repeat_rate", 30) in pairs["fcr"]  # repeat beyond FCR's own 7-day window
    assert {("response_rate", None), ("survey_coverage", None)} <= pairs["csat"]
    assert ("sample_size", None) in pairs["nps"]
    assert ("aht", None) in pairs["transfer_rate"]
    aht = kpis.get("aht_calls")
    assert aht.lower_is_better and aht.filters == {"channel": "call"}
    assert not kpis.get("fcr").lower_is_better  # the catalogue's direction by default
    assert [k.name for k in kpis.owned_by("cx")] == ["csat", "nps"]


BROKEN = """\
version: 1
kpis:
  - name: aht
    metric: aht
    target: 300
    owner: cc
    guardrails:
      - metric: repeat_rat
        tolerance: 2
      - metric: agent_hangup_rate
  - name: nps
    metric: nps
    target: 20
    owner: cx
    colour: red
"""

SEMANTIC = """\
version: 1
kpis:
  - name: aht
    metric: aht
    scope: {team: Contact center, region: north}
    target: 300
    direction: higher
    owner: contact_center
    window_days: 7
    guardrails:
      - metric: repeat_rate
        tolerance: 2
  - name: aht
    metric: csat
    target: 120
    owner: cx
    guardrails:
      - check: survey_coverage
        min: 5
"""


def _lines(path: Path) -> list[str]:
    _, issues = read_kpis(path)
    return [str(issue) for issue in issues]


def test_schema_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    lines = _lines(path)
    assert lines[0].startswith(
        f"{path}:8: kpis.0.guardrails.0.metric: unknown metric "
        "'repeat_rat'; did you mean repeat_rate"
    )
    assert lines[1] == (
        f"{path}:10: kpis.0.guardrails.1: guardrail agent_hangup_rate: give a "
        "tolerance, a limit or both"
    )
    assert lines[2].startswith(f"{path}:15: kpis.1.colour: Extra inputs are not permitted")
    assert len(lines) == 3
    with pytest.raises(ConfigError) as caught:
        load_kpis(path)
    assert str(caught.value).splitlines() == lines


def test_meaning_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(SEMANTIC, encoding="utf-8")
    assert _lines(path) == [
        f"{path}:5: kpis.0.scope.region: aht cannot be scoped by 'region' (use company or "
        "channel, team, agent, product, owner_team)",
        f"{path}:7: kpis.0.direction: aht: lower is better in the catalogue; a KPI pushing it "
        "the other way rewards making things worse",
        f"{path}:9: kpis.0.window_days: aht has no repeat window; --window-days does not apply",
        f"{path}:13: kpis.1.name: 'aht' is used twice",
        f"{path}:15: kpis.1.target: 120 is outside what csat can be (0…100 %)",
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text("kpis:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}:3: \(top\): not valid YAML"):
        read_kpis(path)


def test_validate_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(app, ["kpi", "validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:10: kpis.0.guardrails.1" in result.output
    assert "3 problem(s) found" in result.output
    ok = runner.invoke(app, ["kpi", "validate"])
    assert ok.exit_code == 0 and f"ok: {DEFAULT_KPIS} (7 KPIs)" in ok.output
    both = runner.invoke(app, ["validate", "--kpis", str(bad)])
    assert both.exit_code == 2 and "kpis.1.colour" in both.output
    good = tmp_path / "good.yaml"
    good.write_text(DEFAULT_KPIS.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("OTKLIK_KPIS", str(good))
    listed = runner.invoke(app, ["kpi", "list", "--format", "json"])
    assert listed.exit_code == 0 and '"name": "aht_calls"' in listed.output
    checked = runner.invoke(app, ["validate"])
    assert checked.exit_code == 0 and f"{good} (7 KPIs)" in checked.output


def test_owner_team_scope_names_a_known_team(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(
        "kpis:\n"
        "  - {name: ok, metric: fcr, target: 80, owner: payments,\n"
        "     scope: {owner_team: payments}}\n"
        "  - {name: typo, metric: fcr, target: 80, owner: payments,\n"
        "     scope: {owner_team: paymnts}}\n",
        encoding="utf-8",
    )
    lines = _lines(path)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:5: kpis.1.scope.owner_team:")
    assert "paymnts" in lines[0] and "payments" in lines[0]  # the unknown name and a suggestion


def test_absurd_targets_are_refused(tmp_path: Path) -> None:
    """1e308 seconds is within "0 … infinity" but no target: refused like a negative one."""
    path = tmp_path / "kpis.yaml"
    for target, ok in (("1e308", False), (".inf", False), ("2592001", False), ("600", True)):
        path.write_text(
            f"kpis:\n  - {{name: aht, metric: aht, target: {target}, owner: payments}}\n",
            encoding="utf-8",
        )
        lines = _lines(path)
        assert (not lines) is ok, (target, lines)
        if not ok:
            assert "kpis.0.target" in lines[0]


def test_every_shipped_kpi_explains_itself_in_russian_and_english() -> None:
    cyrillic = re.compile(r"[А-Яа-яЁё]")
    for kpi in load_kpis().kpis:
        ru, en = kpi.reason("ru"), kpi.reason("en")
        assert ru and cyrillic.search(ru), kpi.name
        assert en and not cyrillic.search(en), kpi.name
        assert kpi.reason("id") == en  # another language falls back to English
