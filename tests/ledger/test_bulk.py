"""insert_rows stores exactly what SQLAlchemy's own insert stores, value by value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
)

from otklik.ledger import insert_rows

_META = MetaData()
_TABLE = Table(
    "bulk_probe",
    _META,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("note", Text),
    Column("share", Float),
    Column("flag", Boolean),
    Column("at", DateTime),
    Column("tags", JSON(none_as_null=True)),
    Column("extra", JSON),  # None stored as JSON null
)

_MOSCOW = timezone(timedelta(hours=3))


def _rows(offset: int) -> list[dict[str, Any]]:
    """Values that convert differently although some compare equal (0.0 and -0.0, 1 and True,
    the same instant in two zones), repeated values (remembered by insert_rows), None in each
    kind of column, text in the five languages."""
    at = datetime(2026, 3, 1, 12, 0, 0)
    values: list[tuple[Any, ...]] = [
        ("a", "Жалоба: курьер опоздал", 0.0, True, at, ["delivery", "courier"], {"n": 1}),
        ("a", "Pengiriman terlambat", -0.0, False, at, ["delivery", "courier"], {"n": True}),
        ("b", "الطلب لم يصل", 1.5, None, at.replace(microsecond=7), [], {}),
        ("b", "El pedido llegó tarde", None, True, at.replace(tzinfo=UTC), None, None),
        ("c", None, 2.25, False, at.replace(tzinfo=UTC).astimezone(_MOSCOW), ["ё"], [1, [2]]),
        (None, "", 1e-9, True, None, ["delivery", "courier"], {"n": 1.0}),
        ("c", "x" * 500, 3.0, True, at + timedelta(days=1), {"nested": {"a": [1, 2]}}, "str"),
    ]
    return [
        {
            "id": offset + number,
            "name": name,
            "note": note,
            "share": share,
            "flag": flag,
            "at": when,
            "tags": tags,
            "extra": extra,
        }
        for number, (name, note, share, flag, when, tags, extra) in enumerate(values)
    ]


def _stored(engine: Engine, low: int, high: int) -> list[tuple[Any, ...]]:
    """The rows as the store holds them (the driver's values, no SQLAlchemy conversion back),
    ids shifted to start at 0."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, name, note, share, flag, at, CAST(tags AS TEXT), CAST(extra AS TEXT) "
            f"FROM bulk_probe WHERE id >= {low} AND id < {high} ORDER BY id"
        ).all()
    return [(row[0] - low, *row[1:]) for row in rows]


def test_insert_rows_stores_what_sqlalchemy_stores(engine: Engine) -> None:
    _META.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(insert(_TABLE), _rows(0))
            insert_rows(conn, _TABLE, _rows(100))
            insert_rows(conn, _TABLE, [])  # nothing to do
        plain, fast = _stored(engine, 0, 100), _stored(engine, 100, 200)
        assert len(plain) == 7
        assert fast == plain
        # spot checks against values written by hand, so that both ways cannot be wrong alike
        if engine.dialect.name == "sqlite":
            assert plain[0][5] == "2026-03-01 12:00:00.000000"
            assert plain[2][5] == "2026-03-01 12:00:00.000007"
            assert plain[0][7] == '{"n": 1}' and plain[1][7] == '{"n": true}'
            assert plain[5][7] == '{"n": 1.0}'
            assert plain[4][6] == '["ё"]'  # readable, not \\u0451
        assert plain[3][6] is None  # none_as_null: SQL NULL
        assert plain[3][7] == "null"  # plain JSON: JSON's null
    finally:
        _META.drop_all(engine)


def test_insert_rows_raises_what_the_driver_raises(engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    _META.create_all(engine)
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            insert_rows(conn, _TABLE, [*_rows(0)[:2], _rows(0)[0]])  # id 0 twice
        with engine.connect() as conn:  # rolled back: nothing stored
            assert conn.exec_driver_sql("SELECT count(*) FROM bulk_probe").scalar() == 0
        with pytest.raises(KeyError, match="nope"), engine.begin() as conn:
            insert_rows(conn, _TABLE, [{"id": 1, "nope": 2}])
    finally:
        _META.drop_all(engine)
