"""Reading the case queue: pages of cases, one case with its history, an item's case.

Every reader masks personal data in the item's text (:func:`otklik.classify.mask_pii`) unless
``show_pii`` is asked for: the CLI, the inbox and the API all show what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, func, select

from otklik.classify.pii import mask_pii
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseEvent, FeedbackItem
from otklik.routing.sla import is_overdue

__all__ = [
    "CASE_STATUSES",
    "case_events",
    "case_of_item",
    "case_page",
    "count_cases",
    "get_case",
    "list_cases",
]

CASE_STATUSES = ("open", "in_progress", "closed")
_TEXT_PREVIEW = 200


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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
