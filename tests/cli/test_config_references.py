"""A config that names something that does not exist (a team, topic owner, metric, scope
field, channel, survey type, import field, scale) is an error with its file and line, from
every command that reads it, with the closest existing name suggested.

Each file in tests/data/config/ marks its faulty line with ``# error: KEY | HINT``: the
expected line, key and message are read from the file itself, not from the code's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from otklik.cli import main
from otklik.errors import ConfigError
from otklik.ingest import import_file
from otklik.kpi import parse_kpis
from otklik.ledger import make_engine, upgrade
from otklik.routing import DEFAULT_TEAMS
from tests.conftest import DATA

CONFIG = DATA / "config"
BROKEN = sorted(CONFIG.glob("*.yaml"))

# The command(s) that check each kind of file, by the file name's prefix.
COMMANDS: dict[str, list[list[str]]] = {
    "kpi": [["kpi", "validate", "{file}"], ["validate", "--kpis", "{file}"]],
    "taxonomy": [["validate", "--taxonomy", "{file}"]],
    "teams": [["validate", "--teams", "{file}"]],
    "policy": [["validate", "--policy", "{file}"]],
    "mapping": [["validate", "--mapping", "{file}"]],
}


def _marked(path: Path) -> tuple[int, str, str]:
    """(line, key, hint) of the ``# error:`` mark in ``path``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "# error:" in line:
            key, hint = line.split("# error:", 1)[1].split("|", 1)
            return number, key.strip(), hint.strip()
    raise AssertionError(f"{path.name} has no # error: mark")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_kind_has_a_broken_file() -> None:
    kinds = {path.name.split("_", 1)[0] for path in BROKEN}
    assert kinds == set(COMMANDS)
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=[path.stem for path in BROKEN])
def test_a_reference_to_nothing_is_located(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OTKLIK_TEAMS", "OTKLIK_KPIS", "OTKLIK_TAXONOMY", "OTKLIK_SURVEY_POLICY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(path.parent)  # no ./kpis.yaml is picked up
    line, key, hint = _marked(path)
    for command in COMMANDS[path.name.split("_", 1)[0]]:
        code, out, err = run(capsys, *(part.format(file=path) for part in command))
        assert code == 2, (command, out, err)
        assert "Traceback" not in err
        located = [row for row in err.splitlines() if row.startswith(f"{path}:{line}: {key}: ")]
        assert located, (command, err)
        assert hint in located[0], (command, located[0])


def test_the_owner_must_be_a_team_of_the_teams_file_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`digital` is a shipped team; with a teams file that lacks it, the same KPI file fails,
    and `--teams` or $OTKLIK_TEAMS decide which teams count."""
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(
        "kpis:\n  - name: nps\n    metric: nps\n    target: 20\n    owner: digital\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("OTKLIK_TEAMS", raising=False)
    assert run(capsys, "kpi", "validate", str(kpis))[0] == 0
    teams = tmp_path / "teams.yaml"
    teams.write_text(
        "version: 1\ndefault_team: cx\nteams:\n  cx: {sla_hours: 72}\n"
        "  digital_x: {sla_hours: 8}\n",
        encoding="utf-8",
    )
    owner_line = kpis.read_text(encoding="utf-8").splitlines().index("    owner: digital") + 1
    expected = (
        f"{kpis}:{owner_line}: kpis.0.owner: unknown team 'digital'; did you mean 'digital_x'? "
        "(teams: cx, digital_x)"
    )
    code, _out, err = run(capsys, "kpi", "validate", str(kpis), "--teams", str(teams))
    assert code == 2 and expected in err.splitlines()
    code, _out, err = run(capsys, "validate", "--kpis", str(kpis), "--teams", str(teams))
    assert code == 2 and expected in err.splitlines()
    monkeypatch.setenv("OTKLIK_TEAMS", str(teams))
    code, _out, err = run(capsys, "kpi", "validate", str(kpis))
    assert code == 2 and expected in err.splitlines()
    assert parse_kpis(kpis.read_text(encoding="utf-8"), str(kpis), teams=DEFAULT_TEAMS)[1] == []
    _config, issues = parse_kpis(kpis.read_text(encoding="utf-8"), str(kpis), teams={"cx"})
    assert [str(issue) for issue in issues] == [
        f"{kpis}:{owner_line}: kpis.0.owner: unknown team 'digital' (teams: cx)"
    ]


def test_a_mapping_naming_a_missing_field_stops_the_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "answers.csv"
    data.write_text("Дата,Оценка\n2025-03-01,9\n", encoding="utf-8")
    mapping = CONFIG / "mapping_column_field.yaml"
    line, key, hint = _marked(mapping)
    db = f"sqlite:///{tmp_path / 'otklik.db'}"
    code, _out, err = run(
        capsys, "import", str(data), "--kind", "survey", "--mapping", str(mapping), "--db", db
    )
    assert code == 2 and "Traceback" not in err
    assert f"{mapping}:{line}: {key}: " in err and hint in err


def test_the_shipped_configs_refer_only_to_what_exists(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("OTKLIK_TEAMS", "OTKLIK_KPIS", "OTKLIK_TAXONOMY", "OTKLIK_SURVEY_POLICY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "validate")
    assert code == 0, err
    code, _out, err = run(capsys, "kpi", "validate")
    assert code == 0, err


def test_a_mapping_naming_a_missing_header_is_located(tmp_path: Path) -> None:
    """A column the file does not have: the mapping's line, and the header it most likely
    meant (here the file's header ends in a Latin "a")."""
    data = tmp_path / "answers.csv"
    data.write_text("Дата,Оценк\u0061\n2025-03-01,9\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "scale: nps\ncolumns:\n  occurred_at: Дата\n  score: Оценка\n", encoding="utf-8"
    )
    db = f"sqlite:///{tmp_path / 'otklik.db'}"
    code = main(["import", str(data), "--kind", "survey", "--mapping", str(mapping), "--db", db])
    assert code == 2
    upgrade(make_engine(db))
    customers = tmp_path / "customers_mapping.yaml"
    customers.write_text("columns:\n  customer_id: id\n  channel: Канал\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        import_file(make_engine(db), data, kind="customers", mapping=customers)
    assert str(caught.value).startswith(f"{customers}:3: columns.channel: unknown field 'channel'")
    with pytest.raises(ConfigError) as caught:
        import_file(make_engine(db), data, kind="survey", mapping=mapping)
    assert str(caught.value).startswith(
        f"{mapping}:4: columns.score: column 'Оценка' for field score is not in answers.csv; "
        "did you mean 'Оценк\u0061'?"
    )


@pytest.mark.parametrize(
    ("channel", "problem"),
    [
        ("call", None),
        ("kiosk", None),  # the company's own channel, kept as written by the import
        ("chat_bot", None),
        ("cal", "unknown channel 'cal'; did you mean 'call'?"),
        ("emial", "unknown channel 'emial'; did you mean 'email'?"),
        ("E-mail", "channel 'E-mail' is stored as 'email'; write email"),
        ("телефон", "channel 'телефон' is stored as 'call'; write call"),
        (" call", "channel ' call' is stored as 'call'; write call"),
    ],
)
def test_channel_scopes_match_what_imports_store(channel: str, problem: str | None) -> None:
    source = (
        f"kpis:\n  - name: k\n    metric: aht\n    scope: {{channel: '{channel}'}}\n"
        "    target: 300\n    owner: contact_center\n"
    )
    _config, issues = parse_kpis(source, "k.yaml", teams=DEFAULT_TEAMS)
    found = [f"{i.line}: {i.key}: {i.message}" for i in issues]
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(f"4: kpis.0.scope.channel: {problem}")


def test_owners_against_a_broken_teams_file_are_not_passed(tmp_path: Path) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text("version: 1\ndefault_team: cx\nteams: {}\n", encoding="utf-8")
    source = "kpis:\n  - {name: k, metric: nps, target: 10, owner: cx}\n"
    config, issues = parse_kpis(source, "k.yaml", teams=teams)
    assert config is None
    assert [f"{i.line}: {i.key}: {i.message}" for i in issues] == [
        f"1: kpis: owners cannot be checked: the teams file {teams} has problems "
        "(`otklik validate`)"
    ]
