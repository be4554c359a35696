"""The config documents edited in the browser and how a save works.

The YAML file stays the source that the CLI, the classifier and the KPI report read
(``OTKLIK_TAXONOMY``, ``OTKLIK_TEAMS``, the KPI file of :func:`otklik.kpi.kpis_save_path`).
:func:`save_config` checks the text exactly as the CLI checks the file, and only when there is
no problem writes the file atomically *and* records the text as a new version in the store
(``config_versions``). When the file was changed by hand since the last recorded version, its
text as found is recorded first (author none), so the history and its diffs stay true to what
was in force. The shipped defaults inside the package are never written: to edit the taxonomy
or the teams in the browser, point ``OTKLIK_TAXONOMY`` / ``OTKLIK_TEAMS`` at a writable copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine

from otklik.classify import DEFAULT_TAXONOMY, parse_taxonomy, read_taxonomy
from otklik.config import Settings
from otklik.configs.versions import Version, get_version, latest_version, record_version
from otklik.errors import ConfigError
from otklik.kpi import DEFAULT_KPIS, kpis_in_force, kpis_save_path, parse_kpis
from otklik.routing import DEFAULT_TEAMS, parse_teams, read_teams, sync_teams, teams_in_force
from otklik.yamlconf import ConfigIssue, write_atomically

__all__ = [
    "ConfigKind",
    "SaveResult",
    "check_team",
    "check_topic",
    "file_in_force",
    "read_source",
    "revert_config",
    "save_config",
    "team_names",
    "validate_config",
    "writable_file",
]


class ConfigKind(StrEnum):
    """A config document kept as a YAML file."""

    TAXONOMY = "taxonomy"
    TEAMS = "teams"
    KPIS = "kpis"


_SHIPPED = {
    ConfigKind.TAXONOMY: DEFAULT_TAXONOMY,
    ConfigKind.TEAMS: DEFAULT_TEAMS,
    ConfigKind.KPIS: DEFAULT_KPIS,
}
_VARIABLE = {ConfigKind.TAXONOMY: "OTKLIK_TAXONOMY", ConfigKind.TEAMS: "OTKLIK_TEAMS"}


@dataclass(frozen=True)
class SaveResult:
    """What a save did: ``issues`` (nothing written when any), else the ``version`` recorded
    and the ``path`` written."""

    issues: list[ConfigIssue] = field(default_factory=list)
    version: Version | None = None
    path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.issues


def file_in_force(kind: ConfigKind, settings: Settings) -> Path:
    """The file of ``kind`` that otklik reads now (a configured file, else the shipped one)."""
    if kind is ConfigKind.TAXONOMY:
        return settings.taxonomy or DEFAULT_TAXONOMY
    if kind is ConfigKind.TEAMS:
        return teams_in_force(settings)
    return kpis_in_force(settings)


def writable_file(kind: ConfigKind, settings: Settings) -> Path | None:
    """Where a save of ``kind`` is written, or None when only the shipped file is configured
    (taxonomy and teams: set ``OTKLIK_TAXONOMY`` / ``OTKLIK_TEAMS``; KPIs always have one)."""
    if kind is ConfigKind.KPIS:
        return kpis_save_path(settings)
    path = file_in_force(kind, settings)
    return None if path.resolve() == _SHIPPED[kind].resolve() else path


def read_source(kind: ConfigKind, settings: Settings) -> str:
    """The text of the file in force ("" when it does not exist yet)."""
    path = file_in_force(kind, settings)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{kind.value} {path}: cannot be read ({exc})") from exc


def team_names(settings: Settings) -> set[str] | None:
    """The team names of the teams file in force, or None when it cannot be read or is wrong."""
    try:
        config, _issues = read_teams(teams_in_force(settings))
    except ConfigError:
        return None
    return set(config.teams) if config is not None else None


def check_team(settings: Settings, team: str | None) -> None:
    """A ConfigError naming the teams when ``team`` is not in the teams file in force (nothing
    is checked when no team is given or the file cannot be read)."""
    if not team:
        return
    names = team_names(settings)
    if names is not None and team not in names:
        raise ConfigError(f"unknown team {team!r}; teams: {', '.join(sorted(names))}")


def check_topic(settings: Settings, topic: str | None) -> None:
    """A ConfigError when ``topic`` is not an id of the taxonomy in force (nothing is checked
    when no topic is given or the taxonomy cannot be read)."""
    if not topic:
        return
    try:
        taxonomy, _issues = read_taxonomy(file_in_force(ConfigKind.TAXONOMY, settings))
    except ConfigError:
        return
    if taxonomy is None:
        return
    known = taxonomy.topic_ids()
    if topic not in known:
        close = [t for t in known if topic in t.split(".") or t.startswith(topic)][:5]
        hint = f"; did you mean {', '.join(close)}" if close else ""
        raise ConfigError(f"unknown topic {topic!r}: not in the taxonomy in force{hint}")


def validate_config(kind: ConfigKind, source: str, settings: Settings) -> list[ConfigIssue]:
    """Every problem in ``source`` as the CLI finds it in the file (``otklik validate``,
    ``otklik kpi validate``): the taxonomy's owners among the teams in force; a teams file
    together with the taxonomy in force (no topic may lose its owner team)."""
    label = str(writable_file(kind, settings) or file_in_force(kind, settings))
    if kind is ConfigKind.TAXONOMY:
        return parse_taxonomy(source, label, teams=team_names(settings))[1]
    if kind is ConfigKind.KPIS:
        return parse_kpis(source, label, teams=teams_in_force(settings))[1]
    config, issues = parse_teams(source, label)
    if config is None:
        return issues
    taxonomy_path = file_in_force(ConfigKind.TAXONOMY, settings)
    try:
        taxonomy_text = taxonomy_path.read_text(encoding="utf-8")
    except OSError:
        return issues
    return parse_taxonomy(taxonomy_text, str(taxonomy_path), teams=set(config.teams))[1]


def _after_save(kind: ConfigKind, engine: Engine, source: str) -> None:
    if kind is ConfigKind.TEAMS:
        config, _issues = parse_teams(source)
        if config is not None:
            sync_teams(engine, config)  # the teams table mirrors the file


def save_config(
    engine: Engine,
    settings: Settings,
    kind: ConfigKind,
    source: str,
    *,
    author: str,
    comment: str | None = None,
    check: Callable[[str, str], list[str]] | None = None,
) -> SaveResult:
    """Validate ``source``; when it has no problem, write the file atomically and record it as
    the next version. ``check(old, new)`` may refuse the change (a team lead's limits): its
    messages come back as issues and nothing is written. Raises
    :class:`~otklik.errors.ConfigError` when only the shipped file is configured, and
    :class:`OSError` when the file cannot be written."""
    source = source.replace("\r\n", "\n")
    issues = validate_config(kind, source, settings)
    if issues:
        return SaveResult(issues)
    path = writable_file(kind, settings)
    if path is None:
        raise ConfigError(
            f"the {kind.value} in force is the one shipped with otklik; copy it and point "
            f"{_VARIABLE[kind]} at the copy to edit it here"
        )
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if check is not None:
        refused = check(current if current is not None else read_source(kind, settings), source)
        if refused:
            return SaveResult([ConfigIssue(str(path), 1, "", message) for message in refused])
    latest = latest_version(engine, kind.value)
    if current is not None and (latest is None or latest.content != current):
        record_version(engine, kind.value, current, author=None, comment=f"as found in {path}")
    write_atomically(path, source)
    version = record_version(engine, kind.value, source, author=author, comment=comment)
    _after_save(kind, engine, source)
    return SaveResult([], version, path)


def revert_config(
    engine: Engine,
    settings: Settings,
    kind: ConfigKind,
    version: int,
    *,
    author: str,
    check: Callable[[str, str], list[str]] | None = None,
) -> SaveResult:
    """Make version ``version`` the one in force again: saved (validated, written, recorded)
    as a new version with the old content, so the history only grows."""
    old = get_version(engine, kind.value, version)
    return save_config(
        engine,
        settings,
        kind,
        old.content,
        author=author,
        comment=f"revert to version {version}",
        check=check,
    )
