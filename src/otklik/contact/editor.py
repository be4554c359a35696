"""The contact policy and the message templates as config documents: the file in force,
validated saves, versions.

A save checks the text exactly as the CLI checks the file, and only when there is no problem
writes the file atomically and records the text in ``config_versions`` (kinds
``contact-policy`` and ``contact-templates``), like the taxonomy and teams editors. The file
in force is the setting's (``OTKLIK_CONTACT_POLICY`` / ``OTKLIK_CONTACT_TEMPLATES``) when it
exists, else ``./contact-policy.yaml`` / ``./contact-templates.yaml`` when it exists, else the
shipped one; saves go to the setting's file, else to the local one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from otklik.config import Settings
from otklik.contact.policy import DEFAULT_POLICY, ContactPolicy, parse_contact_policy
from otklik.contact.templates import DEFAULT_TEMPLATES, Templates, parse_templates
from otklik.yamlconf import ConfigIssue, issues_error, write_atomically

if TYPE_CHECKING:
    from otklik.configs import SaveResult

__all__ = [
    "KIND",
    "POLICY",
    "TEMPLATES",
    "Document",
    "policy_file",
    "policy_in_force",
    "policy_source",
    "revert_document",
    "save_document",
    "save_policy",
    "templates_in_force",
]

KIND = "contact-policy"


@dataclass(frozen=True)
class Document:
    """One editable document: its version kind, setting, local file, shipped file, parser."""

    kind: str
    setting: str
    local: Path
    shipped: Path
    parse: Callable[[str, str], tuple[Any, list[ConfigIssue]]]

    def file(self, settings: Settings) -> Path:
        # A configured file that does not exist yet is where the first save goes; until then
        # the shipped document is in force (never an empty policy).
        configured: Path | None = getattr(settings, self.setting)
        for path in (configured, self.local):
            if path is not None and path.is_file():
                return path
        return self.shipped

    def save_path(self, settings: Settings) -> Path:
        configured: Path | None = getattr(settings, self.setting)
        return configured or self.local

    def source(self, settings: Settings) -> str:
        path = self.file(settings)
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def in_force(self, settings: Settings) -> Any:
        config, issues = self.parse(self.source(settings), str(self.file(settings)))
        if config is None:
            raise issues_error(issues)
        return config


POLICY = Document(
    KIND, "contact_policy", Path("contact-policy.yaml"), DEFAULT_POLICY, parse_contact_policy
)
TEMPLATES = Document(
    "contact-templates",
    "contact_templates",
    Path("contact-templates.yaml"),
    DEFAULT_TEMPLATES,
    parse_templates,
)


def policy_file(settings: Settings) -> Path:
    """The policy file read now."""
    return POLICY.file(settings)


def policy_source(settings: Settings) -> str:
    """The text of the policy in force."""
    return POLICY.source(settings)


def policy_in_force(settings: Settings) -> ContactPolicy:
    """The validated policy in force (a problem raises ConfigError with its lines)."""
    policy: ContactPolicy = POLICY.in_force(settings)
    return policy


def templates_in_force(settings: Settings) -> Templates:
    """The validated templates in force."""
    templates: Templates = TEMPLATES.in_force(settings)
    return templates


def save_document(
    engine: Engine,
    settings: Settings,
    document: Document,
    source: str,
    *,
    author: str,
    comment: str | None = None,
) -> SaveResult:
    """Validate ``source``; with no problem, write it and record it as the next version."""
    # Imported here: otklik.configs imports otklik.surveys, whose invitations use this package.
    from otklik.configs import SaveResult, latest_version, record_version

    source = source.replace("\r\n", "\n")
    path = document.save_path(settings)
    config, issues = document.parse(source, str(path))
    if config is None:
        return SaveResult(issues)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    latest = latest_version(engine, document.kind)
    if current is not None and (latest is None or latest.content != current):
        record_version(engine, document.kind, current, author=None, comment=f"as found in {path}")
    write_atomically(path, source)
    version = record_version(engine, document.kind, source, author=author, comment=comment)
    return SaveResult([], version, path)


def save_policy(
    engine: Engine, settings: Settings, source: str, *, author: str, comment: str | None = None
) -> SaveResult:
    """:func:`save_document` of the contact policy."""
    return save_document(engine, settings, POLICY, source, author=author, comment=comment)


def revert_document(
    engine: Engine, settings: Settings, document: Document, version: int, *, author: str
) -> SaveResult:
    """Save version ``version`` again as the newest one."""
    from otklik.configs import get_version

    old = get_version(engine, document.kind, version)
    return save_document(
        engine,
        settings,
        document,
        old.content,
        author=author,
        comment=f"revert to version {version}",
    )
