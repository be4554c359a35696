"""Team and topic codes as people read them: the configs' own translations, in the user's language.

A team's title comes from the teams file in force (``label: {ru: …, en: …}``), a topic's from
the taxonomy in force (each node's ``label``); a code that neither file knows (a desk from an
import, a team removed since) is shown as stored. Both files are read once per file state
(path, size and modification time), so a saved edit shows on the next request.

Every page gets a :class:`Names` as ``names`` (see :mod:`otklik.web.rendering`):
``{{ names.team(case.team) }}``, ``{{ names.topic(code) }}``, ``{{ names.topics(codes) }}``,
and a :class:`Labels` as ``label``: ``{{ label("channel", item.channel) }}`` shows any stored
value of a known field in the user's language (codes through ``t.code``, teams and topics
through :class:`Names`, times, numbers and yes/no in the locale's format). Exports and chart
labels use the same :class:`Labels`, so a value reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from otklik.classify import DEFAULT_TAXONOMY, read_taxonomy
from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.routing import DEFAULT_TEAMS, read_teams
from otklik.web.i18n import Translator, translator

__all__ = [
    "CODE_FIELDS",
    "LABELLED_FIELDS",
    "TEAM_FIELDS",
    "TOPIC_FIELDS",
    "Labels",
    "Names",
    "file_stamp",
    "labels_for",
    "names_for",
]

# Field (column) name -> the kind of code it stores (``code.<kind>.<value>`` messages).
CODE_FIELDS: Mapping[str, str] = {
    "channel": "channel",
    "kind": "kind",
    "scale": "scale",
    "status": "status",
    "role": "role",
    "type": "type",
    "sentiment": "sentiment",
    "method": "method",
    "mechanic": "mechanic",
    "reason": "reason",
    "action": "action",
    "ended_by": "ended_by",
    "language": "language",
    "flags": "flag",
    "flag": "flag",
    "grain": "grain",
    "from_status": "status",
    "to_status": "status",
    "direction": "direction",
    "sla": "sla_state",
}
TEAM_FIELDS: frozenset[str] = frozenset({"owner_team", "team", "owner", "escalate_to", "zone"})
TOPIC_FIELDS: frozenset[str] = frozenset({"topic", "topics"})
# Every field whose stored values :class:`Labels` shows differently from the stored text.
LABELLED_FIELDS: frozenset[str] = frozenset(
    {*CODE_FIELDS, *TEAM_FIELDS, *TOPIC_FIELDS, "metric", "kpi_status", "guard"}
)

_Titles = Mapping[str, Mapping[str, str]]  # code -> {language: title}


def file_stamp(path: Path) -> tuple[str, int, int]:
    """(path, size, modification time): a cache key that changes when the file is saved."""
    try:
        stat = path.stat()
    except OSError:
        return str(path), -1, -1
    return str(path), stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=8)
def _team_titles(stamp: tuple[str, int, int]) -> _Titles:
    try:
        config, _ = read_teams(Path(stamp[0]))
    except ConfigError:
        return {}
    if config is None:
        return {}
    return {name: dict(spec.label) for name, spec in config.teams.items()}


@lru_cache(maxsize=8)
def _topic_titles(stamp: tuple[str, int, int]) -> _Titles:
    try:
        taxonomy, _ = read_taxonomy(Path(stamp[0]))
    except ConfigError:
        return {}
    if taxonomy is None:
        return {}
    return {node.id: dict(node.topic.label) for node in taxonomy.flat_topics()}


def _title(titles: _Titles, code: str, locale: str) -> str:
    label = titles.get(code)
    if not label:
        return code
    return label.get(locale) or label.get("en") or code


@dataclass(frozen=True)
class Names:
    """Titles of team and topic codes in ``locale`` (``ru``/``en``)."""

    locale: str
    teams_path: Path
    taxonomy_path: Path

    def team(self, code: str | None) -> str:
        """The team's title (``payments`` → ``Платежи``); ``–`` for none; unknown: as stored."""
        if code is None or code == "":
            return "–"
        return _title(_team_titles(file_stamp(self.teams_path)), str(code), self.locale)

    def topic(self, code: str | None) -> str:
        """The topic's title (``cards.limits`` → ``Лимиты по картам``); unknown: as stored."""
        if code is None or code == "":
            return "–"
        return _title(_topic_titles(file_stamp(self.taxonomy_path)), str(code), self.locale)

    def topics(self, codes: Iterable[str] | None) -> str:
        """Several topics, comma-separated; ``–`` for none."""
        shown = [self.topic(code) for code in codes or ()]
        return ", ".join(shown) or "–"

    def knows_team(self, code: str) -> bool:
        return code in _team_titles(file_stamp(self.teams_path))

    def knows_topic(self, code: str) -> bool:
        return code in _topic_titles(file_stamp(self.taxonomy_path))


def names_for(settings: Settings, locale: str) -> Names:
    """The :class:`Names` for the files in force under ``settings`` (``OTKLIK_TEAMS``,
    ``OTKLIK_TAXONOMY``, else the shipped ones)."""
    return Names(
        locale=locale,
        teams_path=settings.teams or DEFAULT_TEAMS,
        taxonomy_path=settings.taxonomy or DEFAULT_TAXONOMY,
    )


@dataclass(frozen=True)
class Labels:
    """Any stored value of a known field as people read it, in ``t``'s language.

    ``labels("channel", "app")`` → ``Приложение``; ``labels("owner_team", "cards")`` → the
    team's title; ``labels("resolved", True)`` → ``да``; a list (flags, topics) is labelled
    item by item and joined with ``, ``; a time is formatted by ``t.date``; any other value
    (customer text, ids) is returned as ``str`` unchanged; None is ``–``.
    """

    t: Translator
    names: Names

    def __call__(self, field: str, value: object) -> str:
        if value is None or value == "":
            return "–"
        if isinstance(value, list | tuple | set | frozenset):
            return ", ".join(self(field, part) for part in value) or "–"
        if isinstance(value, str) and field in ("flags",) and ";" in value:
            return self(field, [part for part in value.split(";") if part])
        if field in TEAM_FIELDS:
            return self.names.team(str(value))
        if field in TOPIC_FIELDS:
            return self.names.topic(str(value))
        if field == "metric" and self.t.has(f"metric.{value}"):
            return self.t(f"metric.{value}")
        if field in ("kpi_status", "guard"):
            return self.t.code(field, value)
        kind = CODE_FIELDS.get(field)
        if kind is not None:
            return self.t.code(kind, value)
        if isinstance(value, bool):
            return self.t.boolean(value)
        if isinstance(value, dt.date | dt.datetime):
            return self.t.date(value)
        return str(value)

    def header(self, field: str) -> str:
        """The column's name in ``t``'s language (:meth:`Translator.column`)."""
        return self.t.column(field)


def labels_for(settings: Settings, locale: str) -> Labels:
    """The :class:`Labels` of ``locale`` for the configs in force under ``settings``."""
    return Labels(translator(locale), names_for(settings, locale))
