"""What a team lead may change: their own team's SLA, first-response time and titles, the
keywords of topics their team owns, and the KPIs their team owns; nothing else.

The rule compares the document before and after the change with the lead's own parts masked
out, so it holds alike for the forms and the raw YAML editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from otklik.configs.documents import ConfigKind

__all__ = ["lead_check", "lead_refusals"]

_TEAM_FIELDS = ("label", "sla_hours", "first_response_hours")


def _load(source: str) -> Any:
    try:
        return yaml.safe_load(source)
    except yaml.YAMLError:
        return None


def _mask_topics(topics: Any, owner: str | None, team: str) -> Any:
    if not isinstance(topics, list):
        return topics
    masked = []
    for topic in topics:
        if not isinstance(topic, dict):
            masked.append(topic)
            continue
        resolved = topic.get("owner") or owner
        copy = {key: value for key, value in topic.items() if key != "topics"}
        if resolved == team:
            copy.pop("keywords", None)
        copy["topics"] = _mask_topics(topic.get("topics") or [], resolved, team)
        masked.append(copy)
    return masked


def _mask(kind: ConfigKind, doc: Any, team: str) -> Any:
    if not isinstance(doc, dict):
        return doc
    doc = dict(doc)
    if kind is ConfigKind.TAXONOMY:
        doc["topics"] = _mask_topics(doc.get("topics"), doc.get("default_owner"), team)
    elif kind is ConfigKind.TEAMS:
        teams = doc.get("teams")
        if isinstance(teams, dict) and isinstance(teams.get(team), dict):
            own = {k: v for k, v in teams[team].items() if k not in _TEAM_FIELDS}
            doc["teams"] = {**teams, team: own}
    else:
        kpis = doc.get("kpis")
        if isinstance(kpis, list):
            doc["kpis"] = [k for k in kpis if not (isinstance(k, dict) and k.get("owner") == team)]
    return doc


def lead_refusals(kind: ConfigKind, old: str, new: str, team: str) -> list[str]:
    """Why the lead of ``team`` may not change ``old`` into ``new`` ([] when they may)."""
    if _mask(kind, _load(old), team) == _mask(kind, _load(new), team):
        return []
    allowed = {
        ConfigKind.TAXONOMY: f"the keywords of topics owned by {team!r}",
        ConfigKind.TEAMS: f"the SLA, first response and titles of the team {team!r}",
        ConfigKind.KPIS: f"KPIs owned by {team!r}",
    }[kind]
    return [f"a team lead may change only {allowed}; this change touches more"]


def lead_check(kind: ConfigKind, team: str) -> Callable[[str, str], list[str]]:
    """:func:`lead_refusals` for ``kind`` and ``team``, as ``save_config``'s ``check``."""
    return lambda old, new: lead_refusals(kind, old, new, team)
