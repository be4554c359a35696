"""Editing a KPI file: text checked like a file, written atomically only when valid, and which
file is in force (``OTKLIK_KPIS``, else ``./kpis.yaml`` when it exists, else the shipped set)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from otklik.cli import app
from otklik.config import Settings
from otklik.kpi import (
    DEFAULT_KPIS,
    is_shipped,
    kpis_in_force,
    kpis_save_path,
    parse_kpis,
    read_kpis,
    save_kpis,
)

runner = CliRunner()
ONE = "kpis:\n  - {name: only_nps, metric: nps, target: 10, owner: cx}\n"


def test_text_is_checked_like_a_file(tmp_path: Path) -> None:
    text = DEFAULT_KPIS.read_text(encoding="utf-8").replace("target: 300", "target: -5")
    path = tmp_path / "kpis.yaml"
    path.write_text(text, encoding="utf-8")
    assert parse_kpis(text, str(path)) == read_kpis(path)
    config, issues = parse_kpis(text, "edit")
    assert config is None and [(i.key, i.file) for i in issues] == [("kpis.0.target", "edit")]
    config, issues = parse_kpis("kpis:\n  - name: [unclosed\n", "edit")
    assert config is None and [str(i) for i in issues] == [
        "edit:3: (top): not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    config, issues = parse_kpis(ONE)
    assert config is not None and not issues


def test_save_writes_only_a_valid_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(ONE, encoding="utf-8")
    path.chmod(0o640)
    config, issues = save_kpis(ONE.replace("target: 10", "target: 500"), path)
    assert config is None and issues[0].key == "kpis.0.target"
    assert path.read_text(encoding="utf-8") == ONE
    config, issues = save_kpis(ONE.replace("10", "12"), path)
    assert config is not None and config.kpis[0].target == 12 and not issues
    assert path.read_text(encoding="utf-8") == ONE.replace("10", "12")
    assert path.stat().st_mode & 0o777 == 0o640  # the file keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["kpis.yaml"]
    fresh = tmp_path / "new.yaml"
    assert save_kpis(ONE, fresh)[0] is not None and fresh.read_text(encoding="utf-8") == ONE


def test_which_file_is_in_force_and_where_edits_go(tmp_path: Path) -> None:
    local = tmp_path / "kpis.yaml"
    own = tmp_path / "own.yaml"
    unset = Settings(kpis=None, kpis_local=local)
    assert kpis_in_force(unset) == DEFAULT_KPIS and kpis_save_path(unset) == local
    local.write_text(ONE, encoding="utf-8")
    assert kpis_in_force(unset) == local
    configured = Settings(kpis=own, kpis_local=local)
    assert kpis_in_force(configured) == own and kpis_save_path(configured) == own
    shipped = Settings(kpis=DEFAULT_KPIS, kpis_local=local)  # read-only: edits go beside it
    assert is_shipped(DEFAULT_KPIS) and not is_shipped(local)
    assert kpis_save_path(shipped) == local and kpis_in_force(shipped) == local


def test_the_cli_uses_the_local_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OTKLIK_KPIS", raising=False)
    monkeypatch.delenv("OTKLIK_KPIS_LOCAL", raising=False)
    assert f"ok: {DEFAULT_KPIS} (7 KPIs)" in runner.invoke(app, ["kpi", "validate"]).output
    Path("kpis.yaml").write_text(ONE, encoding="utf-8")
    listed = runner.invoke(app, ["kpi", "list", "--format", "json"])
    assert listed.exit_code == 0 and '"name": "only_nps"' in listed.output
    assert "ok: kpis.yaml (1 KPIs)" in runner.invoke(app, ["kpi", "validate"]).output
    Path("kpis.yaml").write_text(ONE.replace("nps,", "nope,"), encoding="utf-8")
    checked = runner.invoke(app, ["validate"])
    assert checked.exit_code == 2 and "kpis.yaml:2: kpis.0.metric" in checked.output
