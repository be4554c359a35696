"""The contact policy as a config document: which file is in force, validated saves, versions.

A save checks the text exactly as :func:`~otklik.contact.policy.read_contact_policy` checks the
file, and only when there is no problem writes the file atomically and records the text in
``config_versions`` (kind ``contact-policy``), like the taxonomy and teams editors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from otklik.config import Settings
from otklik.contact.policy import DEFAULT_POLICY, ContactPolicy, parse_contact_policy
from otklik.yamlconf import issues_error, write_atomically

if TYPE_CHECKING:
    from otklik.configs import SaveResult

__all__ = [
    "KIND",
    "LOCAL_POLICY",
    "policy_file",
    "policy_in_force",
    "policy_source",
    "revert_policy",
    "save_policy",
]

KIND = "contact-policy"
LOCAL_POLICY = Path("contact-policy.yaml")


def policy_file(settings: Settings) -> Path:
    """The file read now: ``OTKLIK_CONTACT_POLICY``, else ``./contact-policy.yaml`` when it
    exists, else the shipped policy."""
    if settings.contact_policy is not None:
        return settings.contact_policy
    return LOCAL_POLICY if LOCAL_POLICY.is_file() else DEFAULT_POLICY


def _save_path(settings: Settings) -> Path:
    return settings.contact_policy or LOCAL_POLICY


def policy_source(settings: Settings) -> str:
    """The text of the policy in force."""
    path = policy_file(settings)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def policy_in_force(settings: Settings) -> ContactPolicy:
    """The validated policy in force (a problem raises ConfigError with its lines)."""
    path = policy_file(settings)
    policy, issues = parse_contact_policy(policy_source(settings), str(path))
    if policy is None:
        raise issues_error(issues)
    return policy


def save_policy(
    engine: Engine, settings: Settings, source: str, *, author: str, comment: str | None = None
) -> SaveResult:
    """Validate ``source``; with no problem, write it and record it as the next version."""
    # Imported here: otklik.configs imports otklik.surveys, whose invitations use this package.
    from otklik.configs import SaveResult, latest_version, record_version

    source = source.replace("\r\n", "\n")
    path = _save_path(settings)
    policy, issues = parse_contact_policy(source, str(path))
    if policy is None:
        return SaveResult(issues)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    latest = latest_version(engine, KIND)
    if current is not None and (latest is None or latest.content != current):
        record_version(engine, KIND, current, author=None, comment=f"as found in {path}")
    write_atomically(path, source)
    version = record_version(engine, KIND, source, author=author, comment=comment)
    return SaveResult([], version, path)


def revert_policy(engine: Engine, settings: Settings, version: int, *, author: str) -> SaveResult:
    """Save version ``version`` again as the newest one."""
    from otklik.configs import get_version

    old = get_version(engine, KIND, version)
    return save_policy(
        engine, settings, old.content, author=author, comment=f"revert to version {version}"
    )
