"""The root command lists every command without importing the domain, and runs each on demand."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import otklik.cli
from otklik.cli import command_tree
from otklik.cli.lazy import COMMANDS
from otklik.cli.reference import render_reference


def test_the_listing_names_every_command_with_the_start_of_its_own_help() -> None:
    tree = command_tree()
    assert set(tree.commands) == set(COMMANDS)
    for name, command in tree.commands.items():
        modules, listed = COMMANDS[name]
        real = " ".join((command.help or "").split("\n\n")[0].split())
        assert listed and real.startswith(listed.rstrip(".")), (name, listed, real)
        callbacks = [command.callback] if command.callback else []
        callbacks += [sub.callback for sub in getattr(command, "commands", {}).values()]
        found = {cb.__module__.rsplit(".", 1)[-1] for cb in callbacks if cb is not None}
        assert found == set(modules.split()), (name, found)


def test_every_command_module_is_named_in_the_listing() -> None:
    on_disk = {m.name for m in pkgutil.iter_modules(otklik.cli.__path__) if m.name.endswith("_cmd")}
    named = {module for modules, _ in COMMANDS.values() for module in modules.split()}
    assert on_disk == named


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_help_loads_no_domain_package_and_a_command_loads_only_its_own() -> None:
    probe = (
        "import io, json, sys, contextlib\n"
        "from otklik.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    rc = main([{args}])\n"
        "heavy = [m for m in ('sqlalchemy', 'scipy', 'ibis', 'pandas', 'otklik.ledger',"
        " 'otklik.cli.metrics_cmd') if m in sys.modules]\n"
        "print(json.dumps({{'rc': rc, 'heavy': heavy, 'out': out.getvalue()}}))\n"
    )
    listing = _run(probe.format(args="'--help'"))
    assert listing["rc"] == 0 and listing["heavy"] == []
    for name in COMMANDS:
        assert f" {name} " in str(listing["out"])
    one = _run(probe.format(args="'quarantine', '--help'"))
    assert one["rc"] == 0 and "otklik.ledger" in one["heavy"]  # type: ignore[operator]
    assert "otklik.cli.metrics_cmd" not in one["heavy"]  # type: ignore[operator]
    unknown = _run(probe.format(args="'no-such-command'"))
    assert unknown["rc"] == 2


def test_the_reference_covers_the_loaded_tree() -> None:
    text = render_reference()
    for name in COMMANDS:
        assert f"## `otklik {name}" in text
