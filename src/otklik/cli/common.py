"""Options and output helpers shared by every command group."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import Engine

from otklik.config import load_settings
from otklik.ledger import make_engine

__all__ = [
    "DbOption",
    "OutputFormat",
    "console",
    "engine_from",
    "err_console",
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


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def engine_from(db: str | None) -> Engine:
    return make_engine(load_settings(database_url=db).database_url)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
