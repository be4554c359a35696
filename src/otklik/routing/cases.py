"""Cases: actionable items in their owner team's queue, with an SLA and an audit trail.

:func:`route_items` opens a case for each actionable item that has none yet (an item has at most
one case, so routing again opens nothing twice). Every status change, assignment and note is a
row in ``case_events``: who, when, from which status to which.

Reading cases (:func:`list_cases`, :func:`case_page`, :func:`get_case`, :func:`case_of_item`)
masks personal data in the item's text (:func:`otklik.classify.mask_pii`) unless ``show_pii``
is asked for: the CLI, the inbox and the API all show what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, case, func, insert, select, update

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
    "case_of_item",
    "case_page",
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
    FeedbackItem.occurred_at,
    FeedbackItem.text,
)


def _shape(row: Any, now: datetime, show_pii: bool, preview: bool = True) -> dict[str, Any]:
    case = dict(row._mapping)
    text = case.pop("text") or ""
    text = text if show_pii else mask_pii(text)
    if preview and len(text) > _TEXT_PREVIEW:
        text = text[: _TEXT_PREVIEW - 1] + "…"
    case["text"] = text
    case["overdue"] = is_overdue(case["status"], case["due_at"], now)
    return case


def _names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [name for name in value if name]


def _filters(
    *,
    team: str | Sequence[str] | None,
    zone: str | None,
    status: str | Sequence[str] | None,
    overdue: bool,
    now: datetime,
) -> list[ColumnElement[bool]]:
    statuses = _names(status)
    unknown = [s for s in statuses if s not in ("all", *CASE_STATUSES)]
    if unknown:
        raise ConfigError(f"unknown status {unknown[0]!r}; use {', '.join(CASE_STATUSES)} or all")
    where: list[ColumnElement[bool]] = []
    if not statuses:
        where.append(Case.status != "closed")
    elif "all" not in statuses:
        where.append(Case.status.in_(statuses))
    teams = _names(team)
    if teams:
        where.append(Case.team.in_(teams))
    if zone is not None:
        where.append(Case.team == zone)
    if overdue:
        where.append(Case.status != "closed")
        where.append(Case.due_at < now)
    return where


# Most urgent first: open before closed, then by due date (so the overdue come first).
_URGENT = (case((Case.status == "closed", 1), else_=0), Case.due_at, Case.id)


def case_page(
    engine: Engine,
    *,
    team: str | Sequence[str] | None = None,
    zone: str | None = None,
    status: str | Sequence[str] | None = None,
    overdue: bool = False,
    now: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
    show_pii: bool = False,
    preview: bool = True,
) -> tuple[list[dict[str, Any]], int]:
    """A page of cases, most urgent first, and how many match in all.

    ``team``: one team or several; ``zone``: only this team's cases (a team user's zone), on
    top of ``team``; ``status``: one or several of :data:`CASE_STATUSES` or ``"all"`` (none:
    those not closed; an unknown one raises ConfigError); ``overdue``: only open cases past
    due at ``now``. Texts have personal data masked unless ``show_pii``, and are cut to a
    200-character preview unless ``preview`` is False.
    """
    now = now or _now()
    where = _filters(team=team, zone=zone, status=status, overdue=overdue, now=now)
    query = (
        select(*_CASE_COLUMNS)
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .where(*where)
        .order_by(*_URGENT)
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(Case).where(*where)
    with engine.connect() as conn:
        rows = [_shape(row, now, show_pii, preview) for row in conn.execute(query)]
        total = int(conn.execute(count).scalar_one())
    return rows, total


def list_cases(
    engine: Engine,
    *,
    team: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    now: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases, most urgent first; by default the ones not closed. ``status="all"`` lists all.

    The same cases, order and masking as :func:`case_page`.
    """
    cases, _ = case_page(engine, team=team, status=status, overdue=overdue, now=now, limit=limit)
    return cases


def count_cases(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            status: int(count)
            for status, count in conn.execute(
                select(Case.status, func.count()).group_by(Case.status)
            )
        }


def get_case(
    engine: Engine,
    case_id: int,
    *,
    now: datetime | None = None,
    show_pii: bool = False,
    zone: str | None = None,
) -> dict[str, Any]:
    """One case with its ``events``; another team's case than ``zone``'s is NotFoundError,
    like a missing one (a team user learns nothing of other teams' cases)."""
    query = (
        select(*_CASE_COLUMNS)
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .where(Case.id == case_id)
    )
    if zone is not None:
        query = query.where(Case.team == zone)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no case {case_id}; `otklik cases list` shows the open ones")
    case = _shape(row, now or _now(), show_pii)
    case["events"] = case_events(engine, case_id)
    return case


def case_of_item(
    engine: Engine, item_id: int, *, now: datetime | None = None, show_pii: bool = False
) -> dict[str, Any] | None:
    """The item's case with its ``events`` (an item has at most one), or None."""
    with engine.connect() as conn:
        case_id = conn.execute(select(Case.id).where(Case.item_id == item_id)).scalar()
    return None if case_id is None else get_case(engine, case_id, now=now, show_pii=show_pii)


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
