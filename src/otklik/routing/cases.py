"""Cases: actionable items in their owner team's queue, with an SLA and an audit trail.

:func:`route_items` opens a case for each actionable item that has none yet (an item has at most
one case, so routing again opens nothing twice). Every status change, assignment and note is a
row in ``case_events``: who, when, from which status to which.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update

from otklik.classify.pii import mask_pii
from otklik.classify.store import current_labels
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseEvent, FeedbackItem
from otklik.routing.ownership import actionable_reason, resolve_owner
from otklik.routing.sla import due_dates, is_overdue, team_spec
from otklik.routing.teams import TeamsConfig

__all__ = [
    "CASE_STATUSES",
    "assign_case",
    "case_events",
    "close_case",
    "count_cases",
    "get_case",
    "list_cases",
    "reopen_case",
    "route_items",
]

CASE_STATUSES = ("open", "in_progress", "closed")
_CHUNK = 5000
_TEXT_PREVIEW = 200


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def route_items(
    engine: Engine,
    teams: TeamsConfig,
    item_ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
    actor: str = "otklik",
) -> int:
    """Open cases for actionable items without one (all labelled items when ``item_ids`` is
    None); returns how many were opened."""
    opened_at = now or _now()
    if item_ids is None:
        with engine.connect() as conn:
            item_ids = list(
                conn.execute(select(FeedbackItem.id).order_by(FeedbackItem.id)).scalars()
            )
    opened = 0
    for start in range(0, len(item_ids), _CHUNK):
        opened += _route_chunk(
            engine, teams, list(item_ids[start : start + _CHUNK]), opened_at, actor
        )
    return opened


def _route_chunk(
    engine: Engine, teams: TeamsConfig, ids: list[int], opened_at: datetime, actor: str
) -> int:
    labels = current_labels(engine, ids)
    if not labels:
        return 0
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.kind,
            FeedbackItem.score,
            FeedbackItem.scale,
            FeedbackItem.owner_team,
            FeedbackItem.owner_team_source,
            Case.id,
        )
        .outerjoin(Case, Case.item_id == FeedbackItem.id)
        .where(FeedbackItem.id.in_(bindparam("ids", expanding=True)))
    )
    new_cases: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    with engine.connect() as conn:
        rows = conn.execute(query, {"ids": list(labels)}).all()
    for item_id, kind, score, scale, owner, source, case_id in rows:
        label = labels[item_id]
        explicit = owner if source is None else None
        team = resolve_owner(explicit=explicit, labelled=label["owner_team"], teams=teams)
        if explicit is None and owner != team:
            owners.append({"item": item_id, "new_owner": team})
        reason = actionable_reason(kind=kind, type=label["type"], score=score, scale=scale)
        if case_id is not None or reason is None:
            continue
        due, first = due_dates(opened_at, team_spec(teams, team))
        new_cases.append(
            {
                "item_id": item_id,
                "team": team,
                "status": "open",
                "reason": reason,
                "due_at": due,
                "first_response_due_at": first,
                "created_at": opened_at,
                "updated_at": opened_at,
            }
        )
    with engine.begin() as conn:
        if owners:  # the item's owner_team follows its labels unless the import set it
            conn.execute(
                update(FeedbackItem)
                .where(FeedbackItem.id == bindparam("item"))
                .values(owner_team=bindparam("new_owner"), owner_team_source="routing"),
                owners,
            )
        if new_cases:
            _open(conn, new_cases, opened_at, actor)
    return len(new_cases)


def _open(conn: Any, new_cases: list[dict[str, Any]], opened_at: datetime, actor: str) -> None:
    conn.execute(insert(Case), new_cases)
    case_ids = conn.execute(
        select(Case.id, Case.reason).where(Case.item_id.in_(bindparam("ids", expanding=True))),
        {"ids": [row["item_id"] for row in new_cases]},
    ).all()
    conn.execute(
        insert(CaseEvent),
        [
            {
                "case_id": case_id,
                "at": opened_at,
                "actor": actor,
                "action": "opened",
                "from_status": None,
                "to_status": "open",
                "note": reason,
            }
            for case_id, reason in case_ids
        ],
    )


_CASE_COLUMNS = (
    Case.id,
    Case.item_id,
    Case.team,
    Case.status,
    Case.reason,
    Case.due_at,
    Case.first_response_due_at,
    Case.assignee,
    Case.created_at,
    Case.updated_at,
    Case.closed_at,
    Case.note,
    FeedbackItem.source,
    FeedbackItem.external_id,
    FeedbackItem.kind,
    FeedbackItem.channel,
    FeedbackItem.score,
    FeedbackItem.scale,
    FeedbackItem.text,
)


def _shape(row: Any, now: datetime, show_pii: bool) -> dict[str, Any]:
    case = dict(row._mapping)
    text = case.pop("text") or ""
    text = text if show_pii else mask_pii(text)
    case["text"] = text if len(text) <= _TEXT_PREVIEW else text[: _TEXT_PREVIEW - 1] + "…"
    case["overdue"] = is_overdue(case["status"], case["due_at"], now)
    return case


def list_cases(
    engine: Engine,
    *,
    team: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    now: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases, most urgent first; by default the ones not closed. ``status="all"`` lists all."""
    now = now or _now()
    if status not in (None, "all", *CASE_STATUSES):
        raise ConfigError(f"unknown status {status!r}; use {', '.join(CASE_STATUSES)} or all")
    query = select(*_CASE_COLUMNS).join(FeedbackItem, FeedbackItem.id == Case.item_id)
    if status is None:
        query = query.where(Case.status != "closed")
    elif status != "all":
        query = query.where(Case.status == status)
    if team is not None:
        query = query.where(Case.team == team)
    if overdue:
        query = query.where(Case.status != "closed", Case.due_at < now)
    query = query.order_by(Case.due_at, Case.id).limit(limit)
    with engine.connect() as conn:
        return [_shape(row, now, show_pii=False) for row in conn.execute(query)]


def count_cases(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            status: int(count)
            for status, count in conn.execute(
                select(Case.status, func.count()).group_by(Case.status)
            )
        }


def get_case(
    engine: Engine, case_id: int, *, now: datetime | None = None, show_pii: bool = False
) -> dict[str, Any]:
    query = (
        select(*_CASE_COLUMNS)
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .where(Case.id == case_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no case {case_id}; `otklik cases list` shows the open ones")
    case = _shape(row, now or _now(), show_pii)
    case["events"] = case_events(engine, case_id)
    return case


def case_events(engine: Engine, case_id: int) -> list[dict[str, Any]]:
    query = (
        select(
            CaseEvent.at,
            CaseEvent.actor,
            CaseEvent.action,
            CaseEvent.from_status,
            CaseEvent.to_status,
            CaseEvent.note,
        )
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _change(
    engine: Engine,
    case_id: int,
    *,
    action: str,
    actor: str,
    note: str | None,
    now: datetime | None,
    status: str | None = None,
    values: dict[str, Any] | None = None,
    allowed_from: tuple[str, ...] = CASE_STATUSES,
) -> dict[str, Any]:
    at = now or _now()
    with engine.begin() as conn:
        row = conn.execute(select(Case.status).where(Case.id == case_id)).first()
        if row is None:
            raise NotFoundError(f"no case {case_id}; `otklik cases list` shows the open ones")
        before = row.status
        if before not in allowed_from:
            raise ConfigError(f"case {case_id} is {before}; cannot {action} it")
        after = status or before
        changes = {**(values or {}), "status": after, "updated_at": at}
        if note is not None:
            changes["note"] = note
        conn.execute(update(Case).where(Case.id == case_id).values(**changes))
        conn.execute(
            insert(CaseEvent).values(
                case_id=case_id,
                at=at,
                actor=actor,
                action=action,
                from_status=before,
                to_status=after,
                note=note,
            )
        )
    return get_case(engine, case_id, now=at)


def assign_case(
    engine: Engine,
    case_id: int,
    assignee: str,
    *,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Give the case to ``assignee``; an open case moves to in_progress."""
    with engine.connect() as conn:
        status = conn.execute(select(Case.status).where(Case.id == case_id)).scalar()
    return _change(
        engine,
        case_id,
        action="assigned",
        actor=actor,
        note=note or f"assigned to {assignee}",
        now=now,
        status="in_progress" if status == "open" else None,
        values={"assignee": assignee},
        allowed_from=("open", "in_progress"),
    )


def close_case(
    engine: Engine, case_id: int, *, note: str, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    """Close the case with what was done (the note is required: a loop closes with an answer)."""
    if not note.strip():
        raise ConfigError("closing a case needs a note saying what was done")
    at = now or _now()
    return _change(
        engine,
        case_id,
        action="closed",
        actor=actor,
        note=note,
        now=at,
        status="closed",
        values={"closed_at": at},
        allowed_from=("open", "in_progress"),
    )


def reopen_case(
    engine: Engine, case_id: int, *, note: str, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    return _change(
        engine,
        case_id,
        action="reopened",
        actor=actor,
        note=note,
        now=now,
        status="open",
        values={"closed_at": None},
        allowed_from=("closed",),
    )
