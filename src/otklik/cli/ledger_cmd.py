"""``otklik init``, ``otklik import`` and ``otklik quarantine``: the ledger's commands."""

from __future__ import annotations

import typer

from otklik.cli import app
from otklik.cli.common import DbOption, console, engine_from
from otklik.ledger import upgrade


@app.command("init")
def init_command(db: DbOption = None) -> None:
    """Create the store or upgrade it to the latest schema (safe to run again)."""
    engine = engine_from(db)
    revision = upgrade(engine)
    console.print(f"store ready at {engine.url.render_as_string(hide_password=True)} "
                  f"(schema {revision})")


_ = typer  # typer options are added with the import command
