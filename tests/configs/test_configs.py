"""Config documents saved from the browser: validated like the CLI, written atomically,
versioned with who/when and a diff, reverted exactly; a team lead limited to their team.
On SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from otklik.classify import DEFAULT_TAXONOMY
from otklik.config import Settings
from otklik.configs import (
    ConfigKind,
    get_version,
    lead_check,
    list_versions,
    revert_config,
    save_config,
    set_team,
    set_topic,
    version_diff,
)
from otklik.errors import ConfigError
from otklik.routing import DEFAULT_TEAMS, list_teams

KPIS = """\
version: 1
kpis:
  - name: pay_nps
    metric: nps
    period: quarter
    target: 10
    owner: payments
  - name: cards_nps
    metric: nps
    period: quarter
    target: 20
    owner: cards
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Writable copies of the shipped taxonomy and teams, and a KPI file, in ``tmp_path``."""
    shutil.copy(DEFAULT_TAXONOMY, tmp_path / "taxonomy.yaml")
    shutil.copy(DEFAULT_TEAMS, tmp_path / "teams.yaml")
    (tmp_path / "kpis.yaml").write_text(KPIS, encoding="utf-8")
    return Settings(
        taxonomy=tmp_path / "taxonomy.yaml",
        teams=tmp_path / "teams.yaml",
        kpis=tmp_path / "kpis.yaml",
    )


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_teams_save_writes_the_file_records_versions_and_syncs(
    engine: Engine, settings: Settings
) -> None:
    assert settings.teams is not None
    original = settings.teams.read_text(encoding="utf-8")
    changed = original.replace(
        "  payments:\n    label: {ru: Платежи и комиссии, en: Payments}\n    sla_hours: 48",
        "  payments:\n    label: {ru: Платежи и комиссии, en: Payments}\n    sla_hours: 36",
    )
    assert changed != original
    result = save_config(
        engine, settings, ConfigKind.TEAMS, changed, author="lead@bank.ru", comment="faster"
    )
    assert result.ok and result.path == settings.teams
    assert settings.teams.read_text(encoding="utf-8") == changed
    versions = list_versions(engine, "teams")
    assert [(v.version, v.author, v.comment) for v in versions] == [
        (2, "lead@bank.ru", "faster"),
        (1, None, f"as found in {settings.teams}"),
    ]
    assert versions[1].content == original and versions[0].content == changed
    diff = version_diff(engine, "teams", 2).splitlines()
    assert diff[:2] == ["--- teams v1", "+++ teams v2"]
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        "-    sla_hours: 48",
        "+    sla_hours: 36",
    ]
    payments = next(t for t in list_teams(engine) if t["name"] == "payments")
    assert payments["sla_hours"] == 36


def test_an_invalid_save_names_the_line_and_writes_nothing(
    engine: Engine, settings: Settings
) -> None:
    assert settings.teams is not None
    original = settings.teams.read_text(encoding="utf-8")
    broken = original.replace("    escalate_to: cx\n", "    escalate_to: cxx\n", 1)
    result = save_config(engine, settings, ConfigKind.TEAMS, broken, author="a@b.ru")
    assert not result.ok
    assert [(i.line, i.key) for i in result.issues] == [
        (_line_of(broken, "escalate_to: cxx"), "teams.payments.escalate_to")
    ]
    assert "did you mean 'cx'" in result.issues[0].message
    assert settings.teams.read_text(encoding="utf-8") == original
    assert list_versions(engine, "teams") == []


def test_teams_save_is_checked_against_the_taxonomy_like_otklik_validate(
    engine: Engine, settings: Settings
) -> None:
    assert settings.teams is not None and settings.taxonomy is not None
    without_cards = set_team(
        settings.teams.read_text(encoding="utf-8"), "cards", labels={"en": "x"}, sla_hours=1
    ).replace("  cards:\n", "  cardz:\n")
    result = save_config(engine, settings, ConfigKind.TEAMS, without_cards, author="a@b.ru")
    taxonomy = settings.taxonomy.read_text(encoding="utf-8")
    assert {i.file for i in result.issues} == {str(settings.taxonomy)}
    assert _line_of(taxonomy, "owner: cards") in {i.line for i in result.issues}


def test_taxonomy_title_edit_diff_and_exact_revert(engine: Engine, settings: Settings) -> None:
    assert settings.taxonomy is not None
    original = settings.taxonomy.read_text(encoding="utf-8")
    edited = set_topic(
        original,
        "payments.fees",
        labels={"ru": "Комиссии банка", "en": "Bank fees"},
        keywords={"ru": ["комиссия"], "en": ["fee"]},
    )
    first = save_config(engine, settings, ConfigKind.TAXONOMY, edited, author="admin@bank.ru")
    assert first.ok, first.issues
    assert first.version is not None and first.version.version == 2
    diff = version_diff(engine, "taxonomy", 2)
    changed = [line for line in diff.splitlines() if line[:1] in "+-"][2:]
    assert (
        changed[0] == "-        label: {ru: Комиссии и плата за обслуживание, en: Fees and charges}"
    )
    assert "+        label: {ru: Комиссии банка, en: Bank fees}" in changed
    assert "+          ru: [комиссия]" in changed and "+          en: [fee]" in changed
    reverted = revert_config(engine, settings, ConfigKind.TAXONOMY, 1, author="admin@bank.ru")
    assert reverted.ok and reverted.version is not None
    assert reverted.version.version == 3
    assert reverted.version.comment == "revert to version 1"
    assert settings.taxonomy.read_text(encoding="utf-8") == original
    assert get_version(engine, "taxonomy", 3).content == original


def test_taxonomy_with_an_unknown_owner_is_refused(engine: Engine, settings: Settings) -> None:
    assert settings.taxonomy is not None
    original = settings.taxonomy.read_text(encoding="utf-8")
    broken = original.replace("owner: payments", "owner: paymentz", 1)
    result = save_config(engine, settings, ConfigKind.TAXONOMY, broken, author="a@b.ru")
    assert [i.line for i in result.issues] == [_line_of(broken, "owner: paymentz")]
    assert settings.taxonomy.read_text(encoding="utf-8") == original


def test_kpis_valid_and_invalid(engine: Engine, settings: Settings) -> None:
    assert settings.kpis is not None
    bad = KPIS.replace(
        "metric: nps\n    period: quarter\n    target: 20",
        "metric: npz\n    period: quarter\n    target: 20",
    )
    result = save_config(engine, settings, ConfigKind.KPIS, bad, author="a@b.ru")
    assert [i.line for i in result.issues] == [_line_of(bad, "metric: npz")]
    assert settings.kpis.read_text(encoding="utf-8") == KPIS
    good = KPIS.replace("target: 20", "target: 25")
    assert save_config(engine, settings, ConfigKind.KPIS, good, author="a@b.ru").ok
    assert settings.kpis.read_text(encoding="utf-8") == good
    assert [v.version for v in list_versions(engine, "kpis")] == [2, 1]


def test_saving_the_same_text_twice_records_one_version(engine: Engine, settings: Settings) -> None:
    good = KPIS.replace("target: 20", "target: 21")
    for _ in range(2):
        assert save_config(engine, settings, ConfigKind.KPIS, good, author="a@b.ru").ok
    assert [v.version for v in list_versions(engine, "kpis")] == [2, 1]


def test_the_shipped_file_is_never_written(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(kpis_local=tmp_path / "kpis.yaml")
    text = DEFAULT_TEAMS.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="OTKLIK_TEAMS"):
        save_config(engine, settings, ConfigKind.TEAMS, text, author="a@b.ru")
    assert DEFAULT_TEAMS.read_text(encoding="utf-8") == text


def test_a_team_lead_changes_only_their_team(engine: Engine, settings: Settings) -> None:
    assert settings.teams is not None and settings.taxonomy is not None
    teams = settings.teams.read_text(encoding="utf-8")
    check = lead_check(ConfigKind.TEAMS, "payments")
    own = set_team(
        teams,
        "payments",
        labels={"ru": "Платежи", "en": "Payments"},
        sla_hours=30,
        first_response_hours=6,
        escalate_to="cx",
    )
    other = set_team(teams, "cards", labels={"en": "Cards"}, sla_hours=30, escalate_to="cx")
    escalation = set_team(teams, "payments", labels={"en": "Payments"}, sla_hours=30)
    assert save_config(engine, settings, ConfigKind.TEAMS, own, author="l@b.ru", check=check).ok
    for refused in (other, escalation):
        result = save_config(
            engine, settings, ConfigKind.TEAMS, refused, author="l@b.ru", check=check
        )
        assert [i.message for i in result.issues] == [
            "a team lead may change only the SLA, first response and titles of the team "
            "'payments'; this change touches more"
        ]
    assert settings.teams.read_text(encoding="utf-8") == own

    taxonomy = settings.taxonomy.read_text(encoding="utf-8")
    tax_check = lead_check(ConfigKind.TAXONOMY, "payments")
    keywords = set_topic(
        taxonomy,
        "payments.fees",
        labels={"ru": "Комиссии и плата за обслуживание", "en": "Fees and charges"},
        keywords={"ru": ["комиссия"]},
    )
    title = set_topic(taxonomy, "payments.fees", labels={"ru": "Другое", "en": "Fees and charges"})
    assert tax_check(taxonomy, title) and not tax_check(
        taxonomy,
        keywords.replace(
            "ru: Комиссии и плата за обслуживание", "ru: Комиссии и плата за обслуживание"
        ),
    )
    kpi_check = lead_check(ConfigKind.KPIS, "payments")
    assert kpi_check(KPIS, KPIS.replace("target: 10", "target: 11")) == []
    assert kpi_check(KPIS, KPIS.replace("target: 20", "target: 21")) != []
