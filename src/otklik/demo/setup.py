"""What the demo sets up beside the store so the web app works in full: editable configs.

The taxonomy and the teams shipped inside the package are read-only (the browser editors refuse
to write them). For the demo, copies are written next to the env file (``./otklik.env``) and
``OTKLIK_TAXONOMY`` / ``OTKLIK_TEAMS`` point at them there, so topics, owners and SLAs can be
edited at ``/admin`` at once. Nothing is changed where either setting is already given.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from otklik.classify import DEFAULT_TAXONOMY
from otklik.config import env_file, load_settings, set_in_env_file
from otklik.routing import DEFAULT_TEAMS

__all__ = ["ensure_editable_configs"]


def ensure_editable_configs() -> list[Path]:
    """Copy the shipped taxonomy and teams beside the env file and name them there when no
    taxonomy / teams file is configured; returns the files written (none on a second run)."""
    settings = load_settings()
    folder = env_file().absolute().parent
    written = []
    for name, configured, shipped, file_name in (
        ("OTKLIK_TAXONOMY", settings.taxonomy, DEFAULT_TAXONOMY, "taxonomy.yaml"),
        ("OTKLIK_TEAMS", settings.teams, DEFAULT_TEAMS, "teams.yaml"),
    ):
        if configured is not None:
            continue
        copy = folder / file_name
        if not copy.exists():
            shutil.copyfile(shipped, copy)
            written.append(copy)
        set_in_env_file(name, str(copy))
    return written
