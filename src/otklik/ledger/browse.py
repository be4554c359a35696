"""Reading feedback items one by one: search, filters, paging and distinct values.

Every condition is a bound parameter. The search (``q``) matches every word of the query in
some form, with ё folded to е (:func:`otklik.ledger.search.text_search`: PostgreSQL full-text
search with the ``russian`` configuration, an FTS5 table of stems on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from otklik.ledger.models import FeedbackItem
from otklik.ledger.search import (
    Facets,
    id_listed,
    index_and,
    match_count,
    match_ids,
    text_search,
)

__all__ = [
    "COUNT_BY_INDEX",
    "COUNT_CAP",
    "DENSE_WINDOW",
    "DRIVE_BY_TIME",
    "FILTER_FIELDS",
    "ID_LIST_CAP",
    "PG_COLLECT_EXTRA",
    "PG_COUNT_CAP",
    "PG_SORT_COST",
    "PG_SORT_MAX",
    "ItemFilter",
    "count_by",
    "count_cap",
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
    frequent: bool = False,
    probe: bool = False,
) -> ColumnElement[bool]:
    """The WHERE clause for items matching ``q``, ``filters`` (field → allowed values, None
    matching a missing value) and the half-open range [start, end) of naive UTC times
    (``frequent``, ``probe``: see :func:`otklik.ledger.search.text_search`). With words, SQLite's
    search index answers the zone, channel and range too (:class:`~otklik.ledger.search.
    Facets`); they stay in the clause as well."""
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
    facets = Facets.of(filters, start, end)
    found = text_search(q, frequent=frequent, facets=facets, probe=probe)
    if found is not None:
        parts.append(found)
    return and_(True, *parts)


def _page(query: Select[Any], limit: int, offset: int) -> Select[Any]:
    return (
        query.order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc())
        .limit(limit)
        .offset(offset)
    )


# SQLite: above this many matches a page walks the time index newest first (or the zone's
# index, or a date range's) and keeps the matching ids (about 50 × items / matches index
# entries, no item read) instead of reading every match to sort it. The matches are counted
# in the search index with the zone, channel and dates (migration 0021_search), so this is
# the number of rows the other plan reads; see docs/benchmarks.md for the figures at 1M items.
DRIVE_BY_TIME = 2_000
# A count with conditions the index does not answer (other fields, topics, an open range)
# reads each match's row (by id) up to this many matches and walks the other conditions'
# index above it.
COUNT_BY_INDEX = 100_000
# …and when more than 1/PROBE_SHARE of all items match (counted in the index up to there),
# the page first looks up the newest PROBE_BUDGET items of the walk in the index, one by one
# (``probe`` in otklik.ledger.search.text_search: ~15–80 µs each, no match collected), and
# keeps them when a page's worth match (0.5 s → 2 ms for a word in half of 1M comments);
# else the plans above. Below that share the look-ups cost more than collecting the ids.
PROBE_SHARE = 8
PROBE_BUDGET = 400
# The share is taken among the newest DENSE_WINDOW item ids (a plan's choice only: every plan
# gives the same page, and the look-ups fall back to the plans above when too few match).
DENSE_WINDOW = 8_192
# An AND in the index (two words, or words and a zone, channel or days) reads every doclist
# it joins (a word in half of 1M items: ~25 ms), so its matches' ids are listed once, up to
# this many, for the count, the page and the total (a JSON array that SQLite's json_each
# reads back: ~1 ms for 7k ids) instead of joining again for each (0: never listed).
ID_LIST_CAP = 10_000
COUNT_CAP = 10_000
"""Totals above this are not counted to the end where the caller allows it (``cap``): the
items page and the API say "more than 10,000" (a count stops at ``COUNT_CAP + 1``). SQLite
counts in its search index (10,001 matches: ~1 ms)."""
PG_COUNT_CAP = 1_000
"""The same on PostgreSQL, which reads a table page for each match it counts (its GIN index
does not tell a row's visibility): 10,001 matches cost 0.1–0.35 s at 1M items, 1,001 about
a tenth of that (docs/benchmarks.md)."""


PG_SORT_COST = 2.0
"""PostgreSQL, a search with more matches than the cap: its matches are sorted for the page
when reading them costs less than this many times the rows the time index walk would read
(measured at 1M items: 4.4 µs a match to fetch and sort, 2.5 µs a walked row; 0 sorts
always, a huge value leaves every plan to the planner)."""


PG_COLLECT_EXTRA = 1_000
"""PostgreSQL: a search that the planner expects to match at most the cap and this many
more (at most twice the cap) collects its matches, up to as many, for the total and the page
(one pass); when more match, the page and a count capped at the cap read them again. A
negative value collects nothing first."""
PG_SORT_MAX = 20_000
"""PostgreSQL: above this many expected matches the page is the planner's (the walk)."""


def count_cap(engine: Engine) -> int:
    """The cap for totals of the items page and the API on ``engine``'s store."""
    return COUNT_CAP if engine.dialect.name == "sqlite" else PG_COUNT_CAP


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
    cap: int | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of items, newest first, and how many match in all (None when not counted).

    ``cap``: count no further than ``cap + 1`` (a total of ``cap + 1`` reads "more than
    ``cap``"; :data:`COUNT_CAP` for the pages and the API); None: the exact total.

    On SQLite a query with words is counted in the search index first, with its zone,
    channel and date range (:class:`~otklik.ledger.search.Facets`): no match answers at once,
    a search with no other condition takes that count as its total, and a query with many
    matches pages through the time index (:data:`DRIVE_BY_TIME`, :data:`PROBE_SHARE`;
    counts: :data:`COUNT_BY_INDEX`). Elsewhere a capped count stops at ``cap + 1`` rows.
    """
    where = item_condition(q=q, filters=filters, start=start, end=end, scored=scored)
    if extra is not None:
        where = and_(where, extra)
    facets = Facets.of(filters, start, end)
    covered = facets.covers(filters, start, end) and scored is None and extra is None
    columns = FeedbackItem.__table__.columns
    with engine.connect() as conn:
        if (q or "").strip() and conn.dialect.name == "postgresql" and count and cap is not None:
            asked = (filters, start, end, scored, extra)
            return _pg_search(conn, asked, where, limit, offset, cap)
        matches = None
        ids: str | None = None  # SQLite: the matches' ids (a JSON array) when listed
        dense = False
        budgets = [PROBE_BUDGET + offset]  # items walked for the look-ups, fewest first
        if (q or "").strip() and conn.dialect.name == "sqlite":
            # enough to choose the plan, all of it when it is the total
            limit_count = None
            if not (covered and cap is None):
                limit_count = max(cap or 0, 0 if covered else COUNT_BY_INDEX)
            if limit_count is not None and ID_LIST_CAP > 0 and index_and(q, facets):
                # an AND in the index (of words, or of words and a zone, a channel, days):
                # its matches' ids kept, so the page and the count do not repeat the AND
                listed = min(limit_count, ID_LIST_CAP)
                matches, ids = match_ids(conn, q, facets, cap=listed)
                if matches is not None and matches > listed < limit_count:
                    matches = match_count(conn, q, facets, cap=limit_count)
            else:
                matches = match_count(conn, q, facets, cap=limit_count)
            if limit_count is not None and matches is not None and matches > limit_count:
                # many: the words alone counted on, up to the share of all items that makes
                # the look-ups pay (their share among the zone's or channel's items is taken
                # to be the same: the words alone count faster than with a zone)
                items_n = int(
                    conn.exec_driver_sql("SELECT max(id) FROM feedback_items").scalar() or 0
                )
                dense = True
                if items_n // PROBE_SHARE > limit_count:
                    # the words' share among the newest DENSE_WINDOW ids (FTS5 seeks to the
                    # first: ~0.1 ms, where counting up to 1/8 of 1M items took 10–40 ms)
                    window = min(items_n, DENSE_WINDOW)
                    sampled = match_count(conn, q, above=items_n - window) or 0
                    dense = sampled * PROBE_SHARE > window
                    if dense:  # twice the walk that the share says a page needs
                        budgets.insert(0, -(-2 * (limit + offset) * window // sampled))
        if matches == 0:
            return [], 0 if count else None
        if ids is not None:  # the same condition, the listed ids instead of the index
            plain = item_condition(filters=filters, start=start, end=end, scored=scored)
            if extra is not None:
                plain = and_(plain, extra)
            where = and_(plain, id_listed(ids))
        page_where = count_where = where
        items: list[dict[str, Any]] | None = None
        if dense:
            # a word in many items: look up the newest items the page's index walk reaches
            # (twice as many as the sampled share needs for the page, then PROBE_BUDGET); a
            # page's worth match when the word is in more than ~1/8 of them
            probe = item_condition(
                q=q, filters=filters, start=start, end=end, scored=scored, probe=True
            )
            plain = item_condition(filters=filters, start=start, end=end, scored=scored)
            if extra is not None:
                plain = and_(plain, extra)
            for budget in sorted({min(budget, budgets[-1]) for budget in budgets}):
                walked = _page(select(FeedbackItem.id).where(plain), budget, 0)
                query = _page(
                    select(*columns).where(FeedbackItem.id.in_(walked.scalar_subquery()), probe),
                    limit,
                    offset,
                )
                items = [dict(row) for row in conn.execute(query).mappings()]
                if len(items) == limit:
                    break
                items = None  # too few among them: more, then the plans below
        if matches is not None and matches > DRIVE_BY_TIME:
            # walk an index of the other conditions, testing each id (see above)
            if ids is not None:
                frequent = and_(plain, id_listed(ids, frequent=True))
            else:
                frequent = item_condition(
                    q=q, filters=filters, start=start, end=end, scored=scored, frequent=True
                )
                if extra is not None:
                    frequent = and_(frequent, extra)
            page_where = frequent
            count_where = frequent if matches > COUNT_BY_INDEX else where
        if items is None and page_where is not where:
            # the index walk reads ids only (a covering index), then the page's rows by id:
            # 50 wide rows read instead of every row walked (50 × items / matches)
            walked = _page(select(FeedbackItem.id).where(page_where), limit, offset)
            query = _page(
                select(*columns).where(FeedbackItem.id.in_(walked.scalar_subquery())), limit, 0
            )
            items = [dict(row) for row in conn.execute(query).mappings()]
        if items is None:
            query = _page(select(*columns).where(page_where), limit, offset)
            items = [dict(row) for row in conn.execute(query).mappings()]
        total = None
        if count and covered and matches is not None:
            total = matches if cap is None else min(matches, cap + 1)
        elif count:
            counted: Select[Any] = select(FeedbackItem.id).where(count_where)
            if cap is not None:
                counted = counted.limit(cap + 1)
            total = int(
                conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
            )
    return items, total


def _pg_search(
    conn: Connection,
    asked: tuple[
        ItemFilter | None, datetime | None, datetime | None, bool | None, ColumnElement[bool] | None
    ],
    where: ColumnElement[bool],
    limit: int,
    offset: int,
    cap: int,
) -> tuple[list[dict[str, Any]], int | None]:
    """PostgreSQL, a page of a search and its total counted up to ``cap``.

    The planner's estimate of the matches (EXPLAIN, no row read) chooses the plan. Up to
    the cap and :data:`PG_COLLECT_EXTRA` more, the matches are collected once, up to that
    many (id and time: one pass of the GIN index and one heap page per match, as a capped
    count reads anyway), and the page's ids sorted from them: when all were collected they
    are the page, read by id, and the total (one pass where the page and the count made
    two). Otherwise, or
    above the cap, the page is either the planner's (it walks the time index, or a zone's,
    newest first and tests each row: about ``(limit + offset) × rows / matches`` rows) or
    every match sorted (``matches`` heap pages), whichever the estimates say reads less
    (:data:`PG_SORT_COST`); the planner itself takes the walk for a word in 0.25% of 1M
    items (18k rows read for 50, 46 ms, where sorting its 2.5k matches takes 11 ms).
    """
    columns = FeedbackItem.__table__.columns
    matches_est = _pg_rows(conn, where)
    total: int | None = None
    collect = cap + min(cap, PG_COLLECT_EXTRA)
    if PG_COLLECT_EXTRA >= 0 and matches_est <= collect:
        found = select(FeedbackItem.id, FeedbackItem.occurred_at).where(where).limit(collect + 1)
        matched = found.cte("matched").prefix_with("MATERIALIZED")
        page_ids = (
            select(matched.c.id)
            .order_by(matched.c.occurred_at.desc(), matched.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        row = conn.execute(
            select(
                select(func.count()).select_from(matched).scalar_subquery(),
                func.array(page_ids.scalar_subquery()),
            )
        ).one()
        total = min(int(row[0]), cap + 1)
        if int(row[0]) <= collect:  # every match was collected: its page is the page
            query = _page(select(*columns).where(FeedbackItem.id.in_(list(row[1]))), limit, 0)
            return [dict(item) for item in conn.execute(query).mappings()], total
    query = select(*columns).where(where)
    sort = False
    if matches_est <= PG_SORT_MAX:
        filters, start, end, scored, extra = asked  # the search's conditions but its words
        plain = item_condition(filters=filters, start=start, end=end, scored=scored)
        if extra is not None:
            plain = and_(plain, extra)
        walked = (limit + offset) * _pg_rows(conn, plain) / max(matches_est, 1.0)
        sort = matches_est * PG_SORT_COST <= walked
    if sort:  # every match sorted: no index gives this order
        query = query.order_by(
            (FeedbackItem.occurred_at + literal_column("interval '0 seconds'")).desc(),
            FeedbackItem.id.desc(),
        )
        query = query.limit(limit).offset(offset)
    else:
        query = _page(query, limit, offset)
    items = [dict(item) for item in conn.execute(query).mappings()]
    if total is None:
        counted = select(FeedbackItem.id).where(where).limit(cap + 1)
        total = int(conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one())
    return items, total


class _Explain(Executable, ClauseElement):
    """PostgreSQL: ``EXPLAIN (FORMAT JSON)`` of a SELECT, cached by SQLAlchemy like the
    SELECT itself (compiled once per shape, the values bound on each call)."""

    inherit_cache = True
    _traverse_internals = [("statement", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement

    @property
    def _all_selected_columns(self) -> Any:  # the result map of a cached compile
        return self.statement._all_selected_columns


@compiles(_Explain, "postgresql")
def _explain(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def _pg_rows(conn: Connection, where: ColumnElement[bool]) -> float:
    """PostgreSQL: the planner's estimate of the items that ``where`` keeps (EXPLAIN, no
    row read: ~0.3 ms of planning)."""
    plan = conn.execute(_Explain(select(FeedbackItem.id).where(where))).scalar_one()
    return float(plan[0]["Plan"]["Plan Rows"])


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
