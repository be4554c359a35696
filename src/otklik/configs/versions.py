"""Stored versions of config documents: who saved what, when, the diff against the version
before, and the content of any version (to restore it).

A *kind* names one document: ``taxonomy``, ``teams``, ``kpis`` or ``survey:<id>``. Versions
count from 1 per kind; a save whose content equals the latest version records nothing.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from otklik.errors import NotFoundError
from otklik.ledger import ConfigVersion

__all__ = [
    "Version",
    "diff_text",
    "get_version",
    "latest_version",
    "list_versions",
    "record_version",
    "version_diff",
]


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version: ``created_at`` is naive UTC; ``author`` the user's e-mail (None for
    a file found changed outside otklik)."""

    kind: str
    version: int
    content: str
    author: str | None
    created_at: datetime
    comment: str | None


_TABLE = ConfigVersion.__table__


def _version(row: Any) -> Version:
    return Version(
        row["kind"],
        row["version"],
        row["content"],
        row["author"],
        row["created_at"],
        row["comment"],
    )


def latest_version(engine: Engine, kind: str) -> Version | None:
    """The newest version of ``kind``, or None when nothing was recorded."""
    query = (
        select(_TABLE)
        .where(ConfigVersion.kind == kind)
        .order_by(ConfigVersion.version.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return _version(row) if row is not None else None


def list_versions(engine: Engine, kind: str) -> list[Version]:
    """Every version of ``kind``, newest first."""
    query = select(_TABLE).where(ConfigVersion.kind == kind).order_by(ConfigVersion.version.desc())
    with engine.connect() as conn:
        return [_version(row) for row in conn.execute(query).mappings()]


def get_version(engine: Engine, kind: str, version: int) -> Version:
    """Version ``version`` of ``kind``; :class:`~otklik.errors.NotFoundError` when missing."""
    query = select(_TABLE).where(ConfigVersion.kind == kind, ConfigVersion.version == version)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(f"no version {version} of {kind}")
    return _version(row)


def record_version(
    engine: Engine, kind: str, content: str, *, author: str | None, comment: str | None = None
) -> Version:
    """Store ``content`` as the next version of ``kind`` (the latest one, unchanged, when the
    content is the same). Two writers at once: the loser of the unique (kind, version) key
    tries again with the next number."""
    for _attempt in range(5):
        latest = latest_version(engine, kind)
        if latest is not None and latest.content == content:
            return latest
        number = (latest.version if latest else 0) + 1
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(ConfigVersion).values(
                        kind=kind,
                        version=number,
                        content=content,
                        author=author,
                        created_at=now,
                        comment=comment,
                    )
                )
        except IntegrityError:
            continue
        return Version(kind, number, content, author, now, comment)
    raise RuntimeError(f"could not record a version of {kind}: too many writers at once")


def diff_text(old: str, new: str, *, old_label: str = "", new_label: str = "") -> str:
    """The unified diff (difflib, 3 lines of context) from ``old`` to ``new``; "" if equal."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_label,
        tofile=new_label,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def version_diff(engine: Engine, kind: str, version: int) -> str:
    """The diff of version ``version`` against the one before it (against nothing for 1)."""
    new = get_version(engine, kind, version)
    query = select(func.max(ConfigVersion.version)).where(
        ConfigVersion.kind == kind, ConfigVersion.version < version
    )
    with engine.connect() as conn:
        before = conn.execute(query).scalar_one_or_none()
    old = get_version(engine, kind, before).content if before is not None else ""
    return diff_text(
        old,
        new.content,
        old_label=f"{kind} v{before}" if before is not None else "/dev/null",
        new_label=f"{kind} v{version}",
    )
