"""The ``otklik`` command: a thin shell over the library packages.

Each command group lives in its own module and registers itself on :data:`app`; this module
only maps expected failures (:class:`otklik.errors.OtklikError`) to one line and an exit code.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from otklik.cli.lazy import LazyGroup, load_all
from otklik.errors import OtklikError

__all__ = ["app", "command_tree", "main", "run"]

app = typer.Typer(
    name="otklik",
    help="otklik — customer feedback ledger, CX metrics and KPIs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def _root() -> None:
    """otklik — customer feedback ledger, CX metrics and KPIs."""


# Command modules register on `app` when imported, which happens when one of their commands
# runs (see otklik.cli.lazy.COMMANDS); `command_tree()` imports them all.


def command_tree() -> LazyGroup:
    """The whole command tree with every module loaded (for the reference and docs tests)."""
    load_all()
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    return group


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting (so tests can call it)."""
    try:
        app(args=argv, prog_name="otklik")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except OtklikError as exc:
        err_console = Console(stderr=True)
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted: run the same command again to finish")
        return 130
    return 0


def run() -> None:
    sys.exit(main())
