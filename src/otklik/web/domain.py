"""Classification and routing as the web app sees them: topics, labels, teams and cases.

These parts of otklik arrive separately from the web app, so everything here degrades: while
the store has no classification or case tables (or the packages are not installed), pages say
so and the API answers ``503 not_available`` instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    bindparam,
    case,
    func,
    inspect,
    literal,
    select,
    text,
)

from otklik.ledger import FeedbackItem
from otklik.web.errors import ApiError

try:  # the classification and routing tables (ledger migration 0002)
    from otklik.ledger.models_classify import Case, CaseEvent, Classification, Team
except ImportError:  # pragma: no cover - only before that work has landed
    Case = CaseEvent = Classification = Team = None  # type: ignore[assignment, misc]

__all__ = [
    "CASE_STATUSES",
    "assign_case",
    "case_for_item",
    "case_history",
    "classification_for_item",
    "close_case",
    "get_case",
    "has_cases",
    "has_classification",
    "list_cases",
    "list_teams",
    "taxonomy_topics",
    "topic_condition",
]

CASE_STATUSES: tuple[str, ...] = ("open", "in_progress", "closed")
_tables: dict[int, frozenset[str]] = {}


def _has(engine: Engine, table: str) -> bool:
    key = id(engine)
    if key not in _tables:
        _tables[key] = frozenset(inspect(engine).get_table_names())
    return table in _tables[key]


def has_classification(engine: Engine) -> bool:
    return Classification is not None and _has(engine, "classifications")


def has_cases(engine: Engine) -> bool:
    return Case is not None and _has(engine, "cases") and _has(engine, "case_events")


def _require_cases(engine: Engine) -> None:
    if not has_cases(engine):
        raise ApiError(
            503,
            "cases are not available: this store has no routing tables yet",
            code="not_available",
        )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def topic_condition(engine: Engine, topics: Sequence[str | None]) -> ColumnElement[bool] | None:
    """Items labelled with any of ``topics`` or their subtopics (``app`` takes ``app.login``)."""
    wanted = [topic for topic in topics if topic]
    if not wanted:
        return None
    if not has_classification(engine):
        raise ApiError(
            503,
            "topics are not available: items have not been classified yet",
            code="not_available",
        )
    params = {f"t{i}": topic for i, topic in enumerate(wanted)}
    if engine.dialect.name == "sqlite":
        match = " OR ".join(
            f"je.value = :t{i} OR je.value LIKE :t{i} || '.%'" for i in range(len(wanted))
        )
        clause = text(
            "feedback_items.id IN (SELECT c.item_id FROM classifications c, "
            f"json_each(c.topics) je WHERE c.topics IS NOT NULL AND ({match}))"
        )
    else:
        match = " OR ".join(
            f"je.value = :t{i} OR je.value LIKE :t{i} || '.%'" for i in range(len(wanted))
        )
        clause = text(
            "feedback_items.id IN (SELECT c.item_id FROM classifications c, "
            f"json_array_elements_text(c.topics) je(value) WHERE ({match}))"
        )
    return and_(
        literal(True),
        clause.bindparams(*(bindparam(name, value) for name, value in params.items())),
    )


def classification_for_item(engine: Engine, item_id: int) -> dict[str, Any] | None:
    """The item's labels, the human's fields winning over the machine's."""
    if not has_classification(engine):
        return None
    from otklik.classify import current_labels

    return current_labels(engine, [item_id]).get(item_id)


def _case_row(row: Any) -> dict[str, Any]:
    found = dict(row)
    due = found.get("due_at")
    found["overdue"] = bool(found.get("status") != "closed" and due is not None and due < _now())
    return found


def list_cases(
    engine: Engine,
    *,
    zone: str | None,
    teams: Sequence[str] = (),
    statuses: Sequence[str] = (),
    overdue_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Cases, overdue first, then by due date; limited to ``zone`` for the team role."""
    _require_cases(engine)
    now = _now()
    where: list[ColumnElement[bool]] = []
    if zone is not None:
        where.append(Case.team == zone)
    if teams:
        where.append(Case.team.in_(list(teams)))
    if statuses:
        where.append(Case.status.in_(list(statuses)))
    if overdue_only:
        where.append(and_(Case.status != "closed", Case.due_at < now))
    overdue = case((and_(Case.status != "closed", Case.due_at < now), 0), else_=1)
    closed = case((Case.status == "closed", 1), else_=0)
    columns = [
        *Case.__table__.columns,
        FeedbackItem.text,
        FeedbackItem.channel,
        FeedbackItem.score,
        FeedbackItem.scale,
        FeedbackItem.occurred_at,
    ]
    query = (
        select(*columns)
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .where(and_(literal(True), *where))
        .order_by(closed, overdue, Case.due_at, Case.id)
        .limit(limit)
        .offset(offset)
    )
    count = select(func.count()).select_from(Case).where(and_(literal(True), *where))
    with engine.connect() as conn:
        rows = [_case_row(row) for row in conn.execute(query).mappings()]
        total = int(conn.execute(count).scalar_one())
    return rows, total


def get_case(engine: Engine, case_id: int, *, zone: str | None) -> dict[str, Any]:
    _require_cases(engine)
    query = select(*Case.__table__.columns).where(Case.id == case_id)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or (zone is not None and row["team"] != zone):
        raise ApiError(404, f"no case {case_id}")
    return _case_row(row)


def case_for_item(engine: Engine, item_id: int) -> dict[str, Any] | None:
    if not has_cases(engine):
        return None
    query = select(*Case.__table__.columns).where(Case.item_id == item_id)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return _case_row(row) if row is not None else None


def case_history(engine: Engine, case_id: int) -> list[dict[str, Any]]:
    if not has_cases(engine):
        return []
    from otklik import routing

    return list(routing.case_events(engine, case_id))


def assign_case(
    engine: Engine,
    case_id: int,
    *,
    assignee: str,
    actor: str,
    zone: str | None,
    note: str | None = None,
) -> dict[str, Any]:
    """Give a case to someone (routing's ``assign_case``); an open case moves to in_progress."""
    from otklik import routing

    get_case(engine, case_id, zone=zone)
    return dict(routing.assign_case(engine, case_id, assignee.strip(), actor=actor, note=note))


def close_case(
    engine: Engine, case_id: int, *, actor: str, zone: str | None, note: str
) -> dict[str, Any]:
    """Close a case with a note saying what was done (routing's ``close_case``)."""
    from otklik import routing

    get_case(engine, case_id, zone=zone)
    return dict(routing.close_case(engine, case_id, note=note, actor=actor))


def list_teams(engine: Engine) -> list[dict[str, Any]]:
    """Teams from the store's ``teams`` table (mirrored from teams.yaml), or none yet."""
    if Team is None or not _has(engine, "teams"):
        return []
    with engine.connect() as conn:
        query = select(*Team.__table__.columns).order_by(Team.name)
        return [dict(row) for row in conn.execute(query).mappings()]


@cache
def taxonomy_topics(language: str) -> list[dict[str, Any]]:
    """The taxonomy's topics (id, title, owner, depth), or none while classify is absent."""
    try:
        from otklik.classify.taxonomy import load_taxonomy
    except ImportError:  # pragma: no cover
        return []
    try:
        taxonomy = load_taxonomy()
    except Exception:  # a broken taxonomy file is reported by `otklik validate`, not here
        return []
    return [
        {
            "id": node.id,
            "title": node.title(language),
            "owner": node.owner,
            "depth": node.id.count("."),
        }
        for node in taxonomy.flat_topics()
    ]
