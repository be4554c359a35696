"""Alembic environment: runs against the connection handed in by :mod:`otklik.ledger.store`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from otklik.ledger.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("otklik runs its migrations through otklik.ledger.store.upgrade()")
_run(connection)
