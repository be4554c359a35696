"""Engines for the ledger's store: SQLite (embedded default) or PostgreSQL (production)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from otklik.errors import ConfigError

__all__ = ["make_engine", "normalize_url"]

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers (the web app, metrics) work while an import writes; foreign keys are off
    # in SQLite unless asked for; the busy timeout makes a second writer wait instead of fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # The comments' search terms, computed inside SQLite by the writers (otklik.ledger.search).
    from otklik.ledger.search import TERMS_FUNCTION, comment_terms

    dbapi_connection.create_function(TERMS_FUNCTION, 1, comment_terms, deterministic=True)


def _json_dumps(value: Any) -> str:
    # Russian, Arabic and other text stays readable in the store and in exports.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the pragmas and options otklik relies on."""
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"cannot parse database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(
                parsed,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                json_serializer=_json_dumps,
            )
            event.listen(engine, "connect", _on_sqlite_connect)
            return engine
        return create_engine(parsed, pool_pre_ping=True, json_serializer=_json_dumps)
    except NoSuchModuleError as exc:
        raise ConfigError(
            f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from exc
