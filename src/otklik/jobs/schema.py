"""The queue's tables in the store (PostgreSQL): procrastinate's own schema, applied once.

Migration 0018 applies it; :func:`apply_queue_schema` is safe to run again (it does nothing
where the queue's tables exist). The objects are created unqualified, so they land in the
schema first on the connection's ``search_path``, next to the ledger's tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

__all__ = ["apply_queue_schema", "drop_queue_schema", "queue_schema_present"]


def queue_schema_present(conn: Connection) -> bool:
    """Whether procrastinate's job table is visible on the connection's search path."""
    found = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    return found is not None


def _raw(conn: Connection) -> Any:
    return conn.connection.dbapi_connection


def apply_queue_schema(conn: Connection) -> bool:
    """Create the queue's tables, types and functions unless present; True if it created them."""
    if queue_schema_present(conn):
        return False
    from procrastinate.schema import SchemaManager

    # Through the driver's cursor without parameters: the SQL holds % and : characters.
    with _raw(conn).cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())
    return True


def drop_queue_schema(conn: Connection) -> None:
    """Drop every procrastinate object in the first schema of the search path."""
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    functions = (
        conn.execute(
            text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = :schema AND p.proname LIKE 'procrastinate%'"
            ),
            {"schema": schema},
        )
        .scalars()
        .all()
    )
    tables = (
        conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                "AND tablename LIKE 'procrastinate%'"
            ),
            {"schema": schema},
        )
        .scalars()
        .all()
    )
    types = (
        conn.execute(
            text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "LEFT JOIN pg_class c ON c.oid = t.typrelid "
                "WHERE n.nspname = :schema AND t.typname LIKE 'procrastinate%' "
                "AND (t.typtype = 'e' OR (t.typtype = 'c' AND c.relkind = 'c'))"
            ),
            {"schema": schema},
        )
        .scalars()
        .all()
    )
    statements = [f'DROP TABLE IF EXISTS "{name}" CASCADE' for name in tables]
    statements += [f"DROP FUNCTION IF EXISTS {sig} CASCADE" for sig in functions]
    statements += [f'DROP TYPE IF EXISTS "{name}" CASCADE' for name in types]
    for statement in statements:
        conn.execute(text(statement))
