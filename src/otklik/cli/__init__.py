"""The ``otklik`` command: a thin shell over the library packages.

Each command group lives in its own module and registers itself on :data:`app`; this module
only maps expected failures (:class:`otklik.errors.OtklikError`) to one line and an exit code.
"""

from __future__ import annotations

import sys

import typer

from otklik.cli.common import err_console
from otklik.errors import OtklikError

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="otklik",
    help="otklik — customer feedback ledger, CX metrics and KPIs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """otklik — customer feedback ledger, CX metrics and KPIs."""


# Command modules register on `app` when imported.
from otklik.cli import (  # noqa: E402, F401
    cases_cmd,
    classify_cmd,
    demo_cmd,
    drivers_cmd,
    kpi_cmd,
    label_cmd,
    ledger_cmd,
    llm_cmd,
    metrics_cmd,
    model_cmd,
    survey_cmd,
    topics_cmd,
    train_cmd,
    web_cmd,
)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting (so tests can call it)."""
    try:
        app(args=argv, prog_name="otklik")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OtklikError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted: run the same command again to finish")
        return 130
    return 0


def run() -> None:
    sys.exit(main())
