"""Inserting many rows at once with SQLite's ``executemany`` and SQLAlchemy's own conversions.

SQLAlchemy's ``conn.execute(insert(table), rows)`` builds each row's parameters in Python
(``construct_params``) and converts every value through its type's bind processor: at 100,000
rows of a classification run that was a third of the main process's time. :func:`insert_rows`
asks SQLAlchemy once per column for the same bind processor (``dialect_impl(...)
.bind_processor``), applies it once per distinct value (a run's timestamps, teams and topic
lists repeat), and hands the driver one prepared ``INSERT`` with the converted tuples. The
stored values are the ones SQLAlchemy stores (``tests/ledger/test_bulk.py`` compares every
column of both ways on SQLite and PostgreSQL).

Only SQLite takes this path; on another dialect (PostgreSQL, whose driver converts values in C
and whose SQLAlchemy dialect batches ``executemany`` itself) and for any table whose columns have
Python-side defaults the rows go through ``conn.execute(insert(table), rows)``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

__all__ = ["insert_rows", "set_owner_teams"]


def insert_rows(
    conn: Connection, target: Table | type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert ``rows`` (dicts of column name → Python value, every row with the same keys)
    into ``target`` (a table, or a mapped class such as ``Classification``) in the caller's
    transaction, exactly as ``conn.execute(insert(table), rows)`` would store them.

    Raises what the driver raises for a constraint (``sqlalchemy.exc.IntegrityError``) or an
    unknown column (``KeyError`` names it).
    """
    if not rows:
        return
    table = target if isinstance(target, Table) else cast(Table, target.__table__)
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    if (
        conn.dialect.name != "sqlite"
        or any(column.default is not None or column.onupdate is not None for column in columns)
        or any(
            column.default is not None and column.name not in rows[0] for column in table.columns
        )
        or any(len(row) != len(names) for row in rows)
    ):
        conn.execute(insert(table), list(rows))
        return
    processors = [_processor(conn, column.type) for column in columns]
    plain = all(process is None for process in processors)
    params = [
        tuple(row[name] for name in names)
        if plain
        else tuple(
            value if process is None else process(value)
            for value, process in zip((row[name] for name in names), processors, strict=True)
        )
        for row in rows
    ]
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(
        f"INSERT INTO {conn.dialect.identifier_preparer.format_table(table)} ({quoted}) "
        f"VALUES ({marks})",
        params,
    )


def _processor(conn: Connection, type_: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processor on this dialect, remembering each distinct value's
    result (the processors are pure functions of the value)."""
    process = type_.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if process is None:
        return None
    done: dict[Hashable, Any] = {}

    def remembered(value: Any) -> Any:
        key = _frozen(value)
        if key is None:
            return process(value)
        try:
            return done[key]
        except KeyError:
            if len(done) >= _MEMO_SIZE:
                done.clear()
            found = done[key] = process(value)
            return found

    return remembered


_MEMO_SIZE = 10_000


# Values whose equality means the same converted value: not floats (0.0 == -0.0), Decimals
# (1.0 == 1.00) or aware datetimes of other zones (equal instants, other fields).
_EXACT = (str, int, bool, type(None))


def _frozen(value: Any) -> Hashable | None:
    """A hashable stand-in that tells ``value`` apart from every value that converts
    differently (its type is part of it: ``1`` and ``True``, ``[]`` and ``{}`` differ); None
    when there is none cheaply (floats, nested containers): the value is then converted anew."""
    kind = type(value)
    if kind in _EXACT:
        return (kind, value)
    if kind is datetime or kind is date:
        return (kind, value, getattr(value, "tzinfo", None))
    if kind is list:
        if all(type(v) is str for v in value):
            return (list, *value)
        return None
    if kind is dict:
        if all(type(v) in _EXACT for v in value.values()):
            return (dict, *((k, type(v), v) for k, v in value.items()))
        return None
    return None


def set_owner_teams(conn: Connection, owners: Mapping[int, str | None], source: str) -> None:
    """Give each item of ``owners`` (item id → owner team) that owner, recording ``source``
    (``owner_team_source``: who set it), in the caller's transaction.

    On SQLite the items' search rows get the new owner facet first, in bulk
    (:func:`~otklik.ledger.search.write_owner_facets`, so the per-row trigger finds nothing
    left to do), then one prepared ``UPDATE`` runs for all items (the values are text and ids:
    nothing to convert). Elsewhere SQLAlchemy's ``executemany``.
    """
    if not owners:
        return
    from sqlalchemy import bindparam, update

    from otklik.ledger.models import FeedbackItem
    from otklik.ledger.search import write_owner_facets

    if conn.dialect.name == "sqlite":
        write_owner_facets(conn, owners)
        conn.exec_driver_sql(
            "UPDATE feedback_items SET owner_team = ?, owner_team_source = ? WHERE id = ?",
            [(owner, source, item) for item, owner in owners.items()],
        )
        return
    conn.execute(
        update(FeedbackItem)
        .where(FeedbackItem.id == bindparam("item"))
        .values(owner_team=bindparam("new_owner"), owner_team_source=source),
        [{"item": item, "new_owner": owner} for item, owner in owners.items()],
    )
