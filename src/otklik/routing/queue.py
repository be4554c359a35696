"""Reading the case queue: pages of cases, one case with its history, an item's case.

Every reader masks personal data in the item's text (:func:`otklik.classify.mask_pii`) unless
``show_pii`` is asked for: the CLI, the inbox and the API all show what these functions return.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, func, select

from otklik.classify.pii import mask_pii
from otklik.classify.store import current_labels
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseEvent, Customer, FeedbackItem
from otklik.routing.filters import CASE_STATUSES, CaseFilter, case_conditions
from otklik.routing.priority import priority_columns
from otklik.routing.sla import is_overdue

__all__ = [
    "CASE_STATUSES",
    "case_assignees",
    "case_events",
    "case_ids",
    "case_of_item",
    "case_page",
    "count_cases",
    "get_case",
    "iter_cases",
    "list_cases",
]

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
    FeedbackItem.customer_id,
    FeedbackItem.language,
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


def _order(order: str, priority: ColumnElement[Any]) -> tuple[Any, ...]:
    if order == "priority":  # see otklik.routing.priority; ties: due first, then older
        return (priority.desc(), Case.due_at, Case.id)
    if order == "due":  # open before closed, then by due date (so the overdue come first)
        return (case((Case.status == "closed", 1), else_=0), Case.due_at, Case.id)
    raise ConfigError(f"unknown order {order!r}; use priority or due")


def _from(query: Any) -> Any:
    return query.join(FeedbackItem, FeedbackItem.id == Case.item_id).outerjoin(
        Customer, Customer.customer_id == FeedbackItem.customer_id
    )


def case_page(
    engine: Engine,
    *,
    where: CaseFilter | None = None,
    team: str | Sequence[str] | None = None,
    zone: str | None = None,
    status: str | Sequence[str] | None = None,
    overdue: bool = False,
    order: str = "priority",
    now: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
    show_pii: bool = False,
    preview: bool = True,
    labels: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """A page of cases and how many match in all (counted in SQL).

    ``where``: a :class:`CaseFilter`; without one it is made of ``team`` (one team or
    several), ``zone`` (only this team's cases: a team user's zone), ``status`` (one or several
    of :data:`CASE_STATUSES` or ``"all"``; none: those not closed; an unknown one raises
    ConfigError) and ``overdue`` (only open cases past due at ``now``). ``order``:
    ``"priority"`` (highest first, :mod:`otklik.routing.priority`) or ``"due"`` (open before
    closed, then due first). Each case carries ``priority``, its parts ``p_score``,
    ``p_value``, ``p_sla``, ``p_incident``, its ``sla`` state and ``customer_value``. Texts have
    personal data masked unless ``show_pii``, and are cut to a 200-character preview unless
    ``preview`` is False. ``labels``: add the item's current ``type`` and ``topics``.
    """
    now = now or _now()
    if where is None:
        where = CaseFilter.of(team=team, zone=zone, status=status, overdue=overdue)
    conditions = case_conditions(engine, where, now)
    extra = priority_columns(now)
    query = (
        _from(select(*_CASE_COLUMNS, *extra.values()).select_from(Case))
        .where(*conditions)
        .order_by(*_order(order, extra["priority"]))
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(Case)
    if where.needs_item():
        count = count.join(FeedbackItem, FeedbackItem.id == Case.item_id)
    count = count.where(*conditions)
    with engine.connect() as conn:
        rows = [_shape(row, now, show_pii, preview) for row in conn.execute(query)]
        total = int(conn.execute(count).scalar_one())
    if labels and rows:
        found = current_labels(engine, [row["item_id"] for row in rows])
        for row in rows:
            label = found.get(row["item_id"]) or {}
            row["type"] = label.get("type")
            row["topics"] = list(label.get("topics") or [])
    return rows, total


def iter_cases(
    engine: Engine,
    *,
    where: CaseFilter,
    order: str = "priority",
    now: datetime | None = None,
    limit: int | None = None,
    show_pii: bool = False,
    labels: bool = False,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Every case ``where`` matches, in ``order``, shaped as :func:`case_page` shapes them
    with ``preview=False`` (whole texts, masked unless ``show_pii``; with ``labels``, the
    item's ``type`` and ``topics``), read ``batch`` at a time from a server-side cursor: for
    exports of any size with memory flat in the number of cases. The connection stays open
    until the iterator is exhausted or closed. ``limit``: at most this many (None: all).
    Raises ConfigError for an unknown order or status."""
    now = now or _now()
    extra = priority_columns(now)
    query = (
        _from(select(*_CASE_COLUMNS, *extra.values()).select_from(Case))
        .where(*case_conditions(engine, where, now))
        .order_by(*_order(order, extra["priority"]))
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for part in result.partitions():
            rows = [_shape(row, now, show_pii, preview=False) for row in part]
            if labels:
                found = current_labels(engine, [row["item_id"] for row in rows])
                for row in rows:
                    label = found.get(row["item_id"]) or {}
                    row["type"] = label.get("type")
                    row["topics"] = list(label.get("topics") or [])
            yield from rows


def case_assignees(engine: Engine, *, zone: str | None = None, limit: int = 200) -> list[str]:
    """Who has cases not closed (in ``zone`` when given), most cases first: the assignee
    filter's choices."""
    query = select(Case.assignee).where(Case.assignee.is_not(None), Case.status != "closed")
    if zone is not None:
        query = query.where(Case.team == zone)
    query = query.group_by(Case.assignee).order_by(func.count().desc(), Case.assignee)
    with engine.connect() as conn:
        return [str(name) for name in conn.execute(query.limit(limit)).scalars()]


def case_ids(engine: Engine, where: CaseFilter, *, now: datetime | None = None) -> list[int]:
    """The ids of every case ``where`` matches (what "all N matching" acts on), in id order."""
    now = now or _now()
    query = select(Case.id).select_from(Case).join(FeedbackItem, FeedbackItem.id == Case.item_id)
    query = query.where(*case_conditions(engine, where, now)).order_by(Case.id)
    with engine.connect() as conn:
        return [int(value) for value in conn.execute(query).scalars()]


def list_cases(
    engine: Engine,
    *,
    team: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    now: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases, most urgent first (open before closed, then due first); by default the ones not
    closed. ``status="all"`` lists all. The same cases and masking as :func:`case_page`.
    """
    cases, _ = case_page(
        engine, team=team, status=status, overdue=overdue, order="due", now=now, limit=limit
    )
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
    now = now or _now()
    columns = priority_columns(now).values()
    query = _from(select(*_CASE_COLUMNS, *columns).select_from(Case)).where(Case.id == case_id)
    if zone is not None:
        query = query.where(Case.team == zone)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no case {case_id}; `otklik cases list` shows the open ones")
    case = _shape(row, now, show_pii)
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
