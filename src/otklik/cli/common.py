"""Options and output helpers shared by every command group."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import Engine

from otklik.config import load_settings
from otklik.errors import ConfigError, StoreError
from otklik.ledger import current_revision, head_revision, make_engine, upgrade

if TYPE_CHECKING:
    from otklik.metrics import MetricSource

__all__ = [
    "DbOption",
    "OutputFormat",
    "SourceOption",
    "console",
    "engine_from",
    "err_console",
    "metric_source",
    "open_store",
    "print_json",
]

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $OTKLIK_DATABASE_URL or sqlite:///otklik.db).",
        show_default=False,
    ),
]


SourceOption = Annotated[
    Path | None,
    typer.Option(
        "--source",
        help="Warehouse mapping file (YAML, docs/warehouse.md): compute on your own table "
        "in PostgreSQL, DuckDB/Parquet or Spark instead of the store.",
        show_default=False,
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def engine_from(db: str | None) -> Engine:
    return make_engine(load_settings(database_url=db).database_url)


@contextmanager
def metric_source(
    db: str | None, source: Path | None, *, rollups: bool = True
) -> Iterator[MetricSource]:
    """Where metrics run: the warehouse of the mapping file ``source``, else the store —
    answering from the rollups kept in the store (the web app's cube: same dimensions and
    zone), topped up with what changed since, unless ``rollups`` is False; queries the cube
    cannot answer go to the engine."""
    from otklik.config import load_settings
    from otklik.metrics import connect, enable_rollups, open_warehouse

    if source is not None:
        if db is not None:
            raise ConfigError("give --db (the otklik store) or --source (a warehouse), not both")
        warehouse = open_warehouse(source)
        with warehouse as found:
            note = warehouse.left_out_note()
            if note:
                err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
            yield found
        return
    engine = engine_from(db)
    try:
        with connect(engine) as store:
            if rollups:
                settings = load_settings()
                enable_rollups(
                    store,
                    dimensions=settings.rollup_dimensions,
                    timezone=settings.timezone,
                    store=engine,
                )
            yield store
    finally:
        engine.dispose()


@contextmanager
def open_store(db: str | None) -> Iterator[Engine]:
    """An engine on a store at head, disposed afterwards.

    An empty store is created on first use (so `otklik import` works on a bare machine); a
    store at an older schema must be upgraded on purpose with `otklik init`.
    """
    engine = engine_from(db)
    try:
        revision = current_revision(engine)
        if revision is None:
            upgrade(engine)
        elif revision != head_revision():
            raise StoreError(f"the store is at schema {revision}; run `otklik init` to upgrade it")
        yield engine
    finally:
        engine.dispose()


def print_json(value: Any) -> None:
    # Valid JSON only: infinite or NaN numbers become null (metrics flag them non_finite).
    from otklik.metrics import json_safe

    text = json.dumps(json_safe(value), ensure_ascii=False, indent=2, default=str, allow_nan=False)
    sys.stdout.write(text + "\n")
