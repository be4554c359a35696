"""Imports flow one way: the CLI and the demo never load the web package (``otklik serve``
imports it when it runs, not before)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = """
import importlib, json, pkgutil, sys
import otklik.cli, otklik.demo
for package in (otklik.cli, otklik.demo):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.name.endswith(".__main__"):  # that one runs the CLI
            importlib.import_module(info.name)
otklik.cli.main(["--help"])
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[:2] == ["otklik", "web"])))
"""


def test_cli_and_demo_do_not_import_the_web_package() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
