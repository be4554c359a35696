"""Creating and upgrading the store with Alembic, and checking it matches the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from otklik.errors import StoreError
from otklik.ledger.models import Base
from otklik.ledger.models_rollups import ROLLUP_COUNTS_TABLE
from otklik.ledger.search import PG_VECTOR_COLUMN, SEARCH_TABLE

__all__ = ["current_revision", "head_revision", "model_drift", "unreachable", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def unreachable(engine: Engine, exc: OperationalError) -> StoreError:
    """A one-line StoreError for a store that cannot be opened."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    url = engine.url.render_as_string(hide_password=True)
    return StoreError(f"cannot open the store at {url}: {reason}")


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise unreachable(engine, exc) from exc


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Create or upgrade the store; running it again on an up-to-date store changes nothing."""
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise unreachable(engine, exc) from exc
    return head_revision()


# Search structures have no model (an FTS5 table, its shadow tables and its queue on SQLite; a
# stored tsvector column and its GIN index on PostgreSQL): migrations 0010, 0019_fts and
# 0021_search own them.
_SEARCH_INDEXES = frozenset(
    {
        "ix_feedback_items_text_search",
        "ix_feedback_items_search_vector",
        "ix_feedback_items_search_facets",
    }
)


def _modelled(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if name is not None and name.startswith("procrastinate"):
        return False  # the job queue's tables (migration 0018): procrastinate owns them
    if type_ == "table" and name == ROLLUP_COUNTS_TABLE:
        return False  # PostgreSQL's item count for the rollups (migration 0022) has no model
    if type_ == "table" and name is not None:
        return name != SEARCH_TABLE and not name.startswith(SEARCH_TABLE + "_")
    if type_ == "column" and name == PG_VECTOR_COLUMN:
        return False
    return not (type_ == "index" and name in _SEARCH_INDEXES)


def model_drift(engine: Engine) -> list[Any]:
    """Differences autogenerate finds between the store and the models (empty when in sync)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": engine.dialect.name == "sqlite",
                "include_object": _modelled,
            },
        )
        return list(compare_metadata(context, Base.metadata))
