"""Cases: actionable items in their owner team's queue, with an SLA and an audit trail.

:func:`route_items` opens a case for each actionable item that has none yet (an item has at most
one case, so routing again opens nothing twice), and moves an item's open case to the team its
labels now give it (a human label that moves the item to another team's topic: ``otklik label
import``, the item page's correction, both through :func:`route_items`), with a ``relabelled``
event saying from which team to which and why; a closed case stays where it was closed. As
for the inbox's bulk relabel, the status, assignee and due date stay: the customer's clock does
not restart because the case changed hands. Every status change, assignment and note is a
row in ``case_events``: who, when, from which status to which.

Reading the queue is :mod:`otklik.routing.queue`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, String, bindparam, insert, literal, null, select, update

from otklik.classify.store import current_labels
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseEvent, FeedbackItem, insert_rows, set_owner_teams
from otklik.routing.ownership import actionable_reason, resolve_owner
from otklik.routing.queue import CASE_STATUSES, get_case
from otklik.routing.sla import due_dates, team_spec
from otklik.routing.teams import TeamsConfig

__all__ = ["assign_case", "close_case", "reopen_case", "route_items"]

_CHUNK = 5000


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
    labels = current_labels(engine, ids, brief=True)
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
            Case.team,
            Case.status,
        )
        .outerjoin(Case, Case.item_id == FeedbackItem.id)
        .where(FeedbackItem.id.in_(bindparam("ids", expanding=True)))
    )
    new_cases: list[dict[str, Any]] = []
    owners: dict[int, str | None] = {}
    moves: list[dict[str, Any]] = []
    with engine.connect() as conn:
        rows = conn.execute(query, {"ids": list(labels)}).all()
    for item_id, kind, score, scale, owner, source, case_id, case_team, case_status in rows:
        label = labels[item_id]
        explicit = owner if source is None else None
        team = resolve_owner(explicit=explicit, labelled=label["owner_team"], teams=teams)
        if explicit is None and owner != team:
            owners[item_id] = team
        if case_id is not None and case_status != "closed" and case_team != team:
            moves.append(_move(case_id, case_team, case_status, team, label, opened_at, actor))
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
        # the item's owner_team follows its labels unless the import set it
        set_owner_teams(conn, owners, "routing")
        if moves:  # an open case follows its item to the new owner team
            conn.execute(
                update(Case)
                .where(Case.id == bindparam("cid"), Case.status != "closed")
                .values(team=bindparam("new_team"), updated_at=opened_at),
                [{"cid": move["case_id"], "new_team": move["team"]} for move in moves],
            )
            conn.execute(insert(CaseEvent), [move["event"] for move in moves])
        if new_cases:
            _open(conn, new_cases, opened_at, actor)
    return len(new_cases)


def _move(
    case_id: int,
    before: str,
    status: str,
    team: str,
    label: dict[str, Any],
    at: datetime,
    actor: str,
) -> dict[str, Any]:
    """The change and the audit event that move an open case from ``before`` to ``team``."""
    topics = ", ".join(label.get("topics") or []) or "none"
    who = "a human label" if label.get("method") == "human" else "its labels"
    note = f"team {before} → {team}: {who} moved the item to {team} (topics: {topics})"
    return {
        "case_id": case_id,
        "team": team,
        "event": {
            "case_id": case_id,
            "at": at,
            "actor": actor,
            "action": "relabelled",
            "from_status": status,
            "to_status": status,
            "note": note,
        },
    }


def _open(conn: Any, new_cases: list[dict[str, Any]], opened_at: datetime, actor: str) -> None:
    """Insert ``new_cases`` and each one's ``opened`` event (one ``INSERT … SELECT`` from the
    cases just written, in case id order)."""
    insert_rows(conn, Case, new_cases)
    opened = (
        select(
            Case.id,
            literal(opened_at, DateTime),
            literal(actor, String),
            literal("opened", String),
            null(),
            literal("open", String),
            Case.reason,
        )
        .where(Case.item_id.in_(bindparam("ids", expanding=True)))
        .order_by(Case.id)
    )
    conn.execute(
        insert(CaseEvent).from_select(
            ["case_id", "at", "actor", "action", "from_status", "to_status", "note"], opened
        ),
        {"ids": [row["item_id"] for row in new_cases]},
    )


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
