"""Reading feedback items one by one: search, filters, paging and distinct values.

Every condition is a bound parameter. The search (``q``) matches every word of the query in
some form, with ё folded to е (:func:`otklik.ledger.search.text_search`: PostgreSQL full-text
search with the ``russian`` configuration, an FTS5 table of stems on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, func, or_, select

from otklik.ledger.models import FeedbackItem
from otklik.ledger.search import text_search

__all__ = [
    "FILTER_FIELDS",
    "ItemFilter",
    "count_by",
    "distinct_values",
    "get_item",
    "item_condition",
    "iter_items",
    "latest_occurred_at",
    "search_items",
]

FILTER_FIELDS: tuple[str, ...] = (
    "kind",
    "channel",
    "source",
    "product",
    "region",
    "team",
    "agent",
    "owner_team",
    "touchpoint",
    "language",
    "scale",
)

ItemFilter = Mapping[str, Sequence[str | None]]


def item_condition(
    *,
    q: str | None = None,
    filters: ItemFilter | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    scored: bool | None = None,
) -> ColumnElement[bool]:
    """The WHERE clause for items matching ``q``, ``filters`` (field → allowed values, None
    matching a missing value) and the half-open range [start, end) of naive UTC times."""
    parts: list[ColumnElement[bool]] = []
    for name, values in (filters or {}).items():
        if name not in FILTER_FIELDS:
            raise ValueError(f"cannot filter items by {name!r}")
        column = getattr(FeedbackItem, name)
        present = [value for value in values if value is not None]
        options: list[ColumnElement[bool]] = []
        if present:
            options.append(column.in_(present))
        if len(present) < len(values):
            options.append(column.is_(None))
        parts.append(or_(*options) if options else column.is_(None))
    if start is not None:
        parts.append(FeedbackItem.occurred_at >= start)
    if end is not None:
        parts.append(FeedbackItem.occurred_at < end)
    if scored is not None:
        parts.append(FeedbackItem.score.is_not(None) if scored else FeedbackItem.score.is_(None))
    found = text_search(q)
    if found is not None:
        parts.append(found)
    return and_(True, *parts)


def _page(query: Select[Any], limit: int, offset: int) -> Select[Any]:
    return (
        query.order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc())
        .limit(limit)
        .offset(offset)
    )


def search_items(
    engine: Engine,
    *,
    q: str | None = None,
    filters: ItemFilter | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    scored: bool | None = None,
    extra: ColumnElement[bool] | None = None,
    limit: int = 50,
    offset: int = 0,
    count: bool = True,
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of items, newest first, and how many match in all (None when not counted)."""
    where = item_condition(q=q, filters=filters, start=start, end=end, scored=scored)
    if extra is not None:
        where = and_(where, extra)
    columns = FeedbackItem.__table__.columns
    with engine.connect() as conn:
        rows = conn.execute(_page(select(*columns).where(where), limit, offset)).mappings()
        items = [dict(row) for row in rows]
        total = None
        if count:
            total = int(
                conn.execute(
                    select(func.count()).select_from(FeedbackItem).where(where)
                ).scalar_one()
            )
    return items, total


def iter_items(
    engine: Engine,
    columns: Sequence[str],
    *,
    q: str | None = None,
    filters: ItemFilter | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    extra: ColumnElement[bool] | None = None,
    limit: int | None = None,
    batch: int = 2000,
) -> Iterator[Sequence[Any]]:
    """The matching items, newest first (the order of :func:`search_items`), as rows of
    ``columns`` (stored field names of ``feedback_items``), read ``batch`` rows at a time.

    For exports of any size: the rows come from a server-side cursor (``stream_results``;
    PostgreSQL's named cursor, SQLite's step-wise cursor), so memory stays flat in the number
    of rows. The connection stays open until the iterator is exhausted or closed (a client
    that goes away closes it). ``limit``: at most this many (None: all). Raises
    ``ValueError`` for an unknown column or filter field.
    """
    table = FeedbackItem.__table__.columns
    unknown = [name for name in columns if name not in table]
    if unknown:
        raise ValueError(f"unknown item columns: {', '.join(unknown)}")
    where = item_condition(q=q, filters=filters, start=start, end=end)
    if extra is not None:
        where = and_(where, extra)
    query = select(*(table[name] for name in columns)).where(where)
    query = query.order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for part in result.partitions():
            yield from part


def get_item(engine: Engine, item_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = (
            conn.execute(select(*FeedbackItem.__table__.columns).where(FeedbackItem.id == item_id))
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


def distinct_values(
    engine: Engine, name: str, *, filters: ItemFilter | None = None, limit: int = 200
) -> list[str]:
    """The values a field takes (for filter lists), most frequent first."""
    if name not in FILTER_FIELDS:
        raise ValueError(f"cannot list values of {name!r}")
    column = getattr(FeedbackItem, name)
    query = (
        select(column)
        .where(item_condition(filters=filters), column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [str(value) for value in conn.execute(query).scalars()]


def latest_occurred_at(engine: Engine, *, filters: ItemFilter | None = None) -> datetime | None:
    query = select(func.max(FeedbackItem.occurred_at)).where(item_condition(filters=filters))
    with engine.connect() as conn:
        value = conn.execute(query).scalar_one_or_none()
    return value if isinstance(value, datetime) or value is None else None


def count_by(
    engine: Engine,
    name: str,
    *,
    filters: ItemFilter | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[str | None, int]]:
    """How many items each value of ``name`` has (most first) among the matching items."""
    if name not in FILTER_FIELDS:
        raise ValueError(f"cannot count items by {name!r}")
    column = getattr(FeedbackItem, name)
    query = (
        select(column, func.count())
        .where(item_condition(filters=filters, start=start, end=end))
        .group_by(column)
        .order_by(func.count().desc())
    )
    with engine.connect() as conn:
        return [(value, int(count)) for value, count in conn.execute(query)]
