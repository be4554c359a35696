"""The web KPI editor refuses a KPI file naming a team, metric or channel that does not exist,
with the same located message as ``otklik kpi validate``, checked against the app's teams."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from otklik.kpi import read_kpis
from tests.web.conftest import WebEnv, csrf_of
from tests.web.test_kpi_edit import KPIS, _login, _save, _state, kpi_file  # noqa: F401


def _errors(page: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r"<li>(line \d+: [^<]+)</li>", page)]


@pytest.mark.parametrize(
    ("old", "new", "key", "hint"),
    [
        ("owner: payments", "owner: paymets", "kpis.0.owner", "did you mean 'payments'?"),
        ("scope: {channel: app}", "scope: {channel: ap}", "kpis.0.scope.channel", "'app'"),
        (
            "metric: nps\n    scope: {channel",
            "metric: nsp\n    scope: {channel",
            "kpis.0.metric",
            "did you mean nps",
        ),
    ],
)
def test_the_editor_reports_what_the_cli_reports(
    web: WebEnv,
    kpi_file: Path,  # noqa: F811 - the fixture of test_kpi_edit
    tmp_path: Path,
    old: str,
    new: str,
    key: str,
    hint: str,
) -> None:
    kpi_file.write_text(KPIS, encoding="utf-8")
    client = _login(web, "admin")
    token = csrf_of(client.get("/settings/kpis").text)
    bad = KPIS.replace(old, new)
    assert bad != KPIS
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if new.split("\n")[0] in text)
    answer = _save(client, bad, token)
    assert answer.status_code == 422
    errors = _errors(answer.text)
    assert len(errors) == 1 and errors[0].startswith(f"line {line}: {key}: ") and hint in errors[0]
    copy = tmp_path / "copy.yaml"
    copy.write_text(bad, encoding="utf-8")
    _config, issues = read_kpis(copy)
    assert [f"line {i.line}: {i.key}: {i.message}" for i in issues] == errors
    assert kpi_file.read_text(encoding="utf-8") == KPIS


def test_the_editor_checks_owners_against_the_apps_teams_file(
    web: WebEnv,
    kpi_file: Path,  # noqa: F811 - the fixture of test_kpi_edit
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text(
        "version: 1\ndefault_team: cx\nteams:\n  cx: {sla_hours: 72}\n  cards: {sla_hours: 48}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(_state(web).settings, "teams", teams)
    kpi_file.write_text(KPIS, encoding="utf-8")
    client = _login(web, "admin")
    page = client.get("/settings/kpis").text  # the file in force is shown with its problem
    line = KPIS.splitlines().index("    owner: payments") + 1
    expected = f"line {line}: kpis.0.owner: unknown team 'payments' (teams: cards, cx)"
    assert _errors(page) == [expected]
    answer = _save(client, KPIS.replace("target: 10", "target: 12"), csrf_of(page))
    assert answer.status_code == 422 and _errors(answer.text) == [expected]
    fixed = KPIS.replace("owner: payments", "owner: cx")
    assert _save(client, fixed, csrf_of(page)).status_code == 303
    assert kpi_file.read_text(encoding="utf-8") == fixed
