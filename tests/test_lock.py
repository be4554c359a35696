"""The dependency set is locked: every requirement is pinned and the environment matches."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert version, f"{line!r} in {LOCK.name} is not pinned with =="
        pins[name.lower().replace("_", "-")] = version
    return pins


def test_every_requirement_is_pinned_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in ("dev", "embeddings"):
        wanted += project["optional-dependencies"][extra]
    pins = _locked()
    missing = sorted({_name(req) for req in wanted} - set(pins))
    assert not missing, f"not in requirements/lock.txt: {missing}; run `make lock`"


def test_installed_versions_are_the_locked_ones() -> None:
    drift = []
    for name, version in _locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # an optional extra that this environment does not carry
        if installed != version:
            drift.append(f"{name} {installed} (lock: {version})")
    assert not drift, f"the environment differs from the lock: {drift}; run `make install`"


def test_makefile_installs_through_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-c $(LOCK)" in makefile
    assert "LOCK := requirements/lock.txt" in makefile
