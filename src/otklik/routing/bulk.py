"""Bulk actions on cases: assign, close or relabel many at once, one audit entry per case.

The cases are given by id (what a person ticked) or by a :class:`CaseFilter` ("all N matching");
:func:`bulk_targets` resolves either into ids, and :func:`bulk_apply` changes them in one
transaction. A team user acts in their zone only: an id of another team's case (or one that does
not exist) refuses the whole action before anything is written, so a forged form changes
nothing and learns nothing.

**Relabel** moves the cases to another team and, when a topic is given, sets the item's topic
as a *human* label (:func:`otklik.classify.write_human_labels`, the same store ``otklik label
import`` writes). It is the inbox's answer to "this is not ours / not this topic": the queue
follows the team, and the corrected topic becomes training data for ``otklik model train`` and
moves the item in topic reports. The item's type is corrected on the item page, not in bulk.
The due date stays: the customer's clock does not restart because a case changed hands.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update

from otklik.classify.store import HumanLabel, write_human_labels
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseEvent
from otklik.routing.filters import CaseFilter
from otklik.routing.queue import case_ids

__all__ = ["BULK_ACTIONS", "BulkResult", "bulk_apply", "bulk_targets"]

BULK_ACTIONS = ("assign", "close", "relabel")
_CHUNK = 5000
_OPEN = ("open", "in_progress")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: ``changed`` cases (one audit event each) and the ids it
    ``skipped`` because their status does not allow the action (a closed case is not
    assigned or closed again)."""

    action: str
    changed: int
    skipped: list[int] = field(default_factory=list)


def _rows(engine: Engine, ids: Sequence[int]) -> dict[int, Any]:
    query = select(Case.id, Case.team, Case.status, Case.item_id, Case.assignee).where(
        Case.id.in_(bindparam("ids", expanding=True))
    )
    found: dict[int, Any] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), _CHUNK):
            for row in conn.execute(query, {"ids": list(ids[start : start + _CHUNK])}):
                found[int(row.id)] = row
    return found


def bulk_targets(
    engine: Engine,
    *,
    ids: Sequence[int] | None = None,
    where: CaseFilter | None = None,
    zone: str | None = None,
    now: datetime | None = None,
) -> list[int]:
    """The case ids a bulk action acts on: ``ids`` (each must exist and, with a ``zone``,
    belong to it: else NotFoundError naming them, nothing done) or every case ``where``
    matches (limited to ``zone``). Sorted, without repeats."""
    if ids is not None:
        wanted = sorted(set(ids))
        rows = _rows(engine, wanted)
        missing = [i for i in wanted if i not in rows or (zone and rows[i].team != zone)]
        if missing:
            shown = ", ".join(str(i) for i in missing[:10])
            raise NotFoundError(f"no case {shown} in your zone; nothing was changed")
        return wanted
    if where is None:
        raise ConfigError("a bulk action needs case ids or a filter")
    if zone is not None:
        where = replace(where, zone=zone)
    return case_ids(engine, where, now=now)


def bulk_apply(
    engine: Engine,
    action: str,
    ids: Sequence[int],
    *,
    actor: str,
    zone: str | None = None,
    assignee: str | None = None,
    note: str | None = None,
    team: str | None = None,
    topic: str | None = None,
    known_teams: Collection[str] | None = None,
    known_topics: Collection[str] | None = None,
    now: datetime | None = None,
) -> BulkResult:
    """Apply ``action`` (of :data:`BULK_ACTIONS`) to the cases ``ids`` in one transaction.

    ``assign`` needs ``assignee`` (an open case moves to in_progress); ``close`` needs ``note``
    (what was done); ``relabel`` needs ``team`` (checked against ``known_teams`` when given)
    and/or ``topic`` (checked against ``known_topics``). Every changed case gets one
    ``case_events`` row naming ``actor``. With a ``zone``, an id outside it refuses the whole
    action (NotFoundError); a bad argument raises ConfigError; in both cases nothing changes.
    """
    if action not in BULK_ACTIONS:
        raise ConfigError(f"unknown bulk action {action!r}; use {', '.join(BULK_ACTIONS)}")
    assignee = (assignee or "").strip() or None
    note = (note or "").strip() or None
    team = (team or "").strip() or None
    topic = (topic or "").strip() or None
    if action == "assign" and assignee is None:
        raise ConfigError("assigning needs an assignee")
    if action == "close" and note is None:
        raise ConfigError("closing cases needs a note saying what was done")
    if action == "relabel":
        if team is None and topic is None:
            raise ConfigError("relabelling needs a team or a topic")
        if team is not None and known_teams is not None and team not in known_teams:
            raise ConfigError(f"unknown team {team!r}")
        if topic is not None and known_topics is not None and topic not in known_topics:
            raise ConfigError(f"unknown topic {topic!r}")
    wanted = bulk_targets(engine, ids=ids, zone=zone)
    rows = _rows(engine, wanted)
    at = now or _now()
    open_only = action != "relabel"  # a closed case is not assigned or closed again
    eligible = [i for i in wanted if not open_only or rows[i].status in _OPEN]
    skipped = [i for i in wanted if open_only and rows[i].status not in _OPEN]
    changes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for case_id in eligible:
        row = rows[case_id]
        values, after, text = _change(action, row, at, assignee, note, team, topic)
        values["updated_at"] = at
        changes.append({"cid": case_id, **{f"v_{k}": v for k, v in values.items()}})
        events.append(
            {
                "case_id": case_id,
                "at": at,
                "actor": actor,
                "action": _EVENT[action],
                "from_status": row.status,
                "to_status": after,
                "note": text,
            }
        )
    if changes:
        names = sorted({name[2:] for change in changes for name in change if name != "cid"})
        statement = (
            update(Case)
            .where(Case.id == bindparam("cid"))
            .values({name: bindparam(f"v_{name}") for name in names})
        )
        with engine.begin() as conn:
            for start in range(0, len(changes), _CHUNK):
                conn.execute(statement, changes[start : start + _CHUNK])
            for start in range(0, len(events), _CHUNK):
                conn.execute(insert(CaseEvent), events[start : start + _CHUNK])
    if action == "relabel" and eligible:
        write_human_labels(
            engine,
            [
                HumanLabel(
                    item_id=int(rows[i].item_id),
                    topics=[topic] if topic else None,
                    owner_team=team,
                    labelled_by=actor,
                )
                for i in eligible
            ],
        )
    return BulkResult(action=action, changed=len(eligible), skipped=skipped)


_EVENT = {"assign": "assigned", "close": "closed", "relabel": "relabelled"}


def _change(
    action: str,
    row: Any,
    at: datetime,
    assignee: str | None,
    note: str | None,
    team: str | None,
    topic: str | None,
) -> tuple[dict[str, Any], str, str]:
    """(column values, status after, the audit note) for one case."""
    if action == "assign":
        after = "in_progress" if row.status == "open" else row.status
        text = f"assigned to {assignee}" + (f": {note}" if note else "")
        return {"assignee": assignee, "status": after}, after, text
    if action == "close":
        return {"status": "closed", "closed_at": at, "note": note}, "closed", str(note)
    parts = []
    values: dict[str, Any] = {}
    if team is not None:
        parts.append(f"team {row.team} → {team}")
        values["team"] = team
    if topic is not None:
        parts.append(f"topic → {topic}")
    if note:
        parts.append(note)
    return values, row.status, "; ".join(parts)
