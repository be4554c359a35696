"""deploy/ and docs/deploy.md keep up: every command line in the compose file and the systemd
units is a real otklik command with real options, and every jobs setting and command is
documented in both languages."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from otklik.cli import command_tree
from otklik.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
SETTINGS = (
    "jobs",
    "jobs_attempts",
    "jobs_retry_base_s",
    "jobs_concurrency",
    "jobs_keep_days",
    "shared_state",
    "queue_depth_warn",
)


def _parses(argv: list[str]) -> None:
    assert argv[0].endswith("otklik"), argv
    command: Any = command_tree()
    args = argv[1:]
    while getattr(command, "commands", None):
        found = command.commands.get(args[0])
        assert found is not None, argv
        command, args = found, args[1:]
    command.make_context(argv[0], list(args))  # raises on an unknown option or a bad value


def _compose_commands() -> list[list[str]]:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "migrate", "web", "worker"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] >= 2
    return [services[name]["command"] for name in ("migrate", "web", "worker")]


def _unit_commands() -> list[list[str]]:
    found = []
    for unit in sorted((DEPLOY / "systemd").glob("otklik-*.service")):
        for line in unit.read_text(encoding="utf-8").splitlines():
            match = re.match(r"Exec\w*=(\S*otklik) (.*)", line)
            if match:
                found.append([match.group(1), *shlex.split(match.group(2))])
    return found


@pytest.mark.parametrize("argv", _compose_commands() + _unit_commands(), ids=" ".join)
def test_every_deployed_command_line_parses(argv: list[str]) -> None:
    _parses(argv)


def test_the_units_run_the_web_app_and_the_workers() -> None:
    lines = [" ".join(argv[1:3]) for argv in _unit_commands()]
    assert {"init", "serve --host", "worker --concurrency"} <= set(lines)


def test_every_setting_and_command_is_documented() -> None:
    english, russian = DOC.split("## Русский")
    for name in SETTINGS:
        assert name in Settings.model_fields, name
        assert f"OTKLIK_{name.upper()}" in english and f"OTKLIK_{name.upper()}" in russian, name
    for command in (
        "otklik worker --concurrency",
        "otklik jobs list --failed",
        "otklik jobs retry",
        "otklik doctor",
        "otklik serve --workers",
        "pg_dump",
        "pg_restore",
    ):
        assert command in english and command in russian, command
