"""Uploaded files kept between the import's steps (upload → mapping and preview → confirm).

A file lives in ``<temp>/otklik-uploads/<session key>/<upload id>/`` with a small JSON of what
the user said at upload (kind, source, the file's name and SHA-256). The session key is derived
from the session's CSRF secret, so an upload id from another session finds nothing. A session
keeps one pending upload (a new one replaces it); the file is removed when the import is
confirmed, and any upload older than :data:`UPLOAD_TTL_S` is swept at the next upload.
Size limits are the caller's (``OTKLIK_UPLOAD_MAX_MB``, checked while saving).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from otklik.web.errors import ApiError

__all__ = ["UPLOAD_TTL_S", "PendingUpload", "UploadStore"]

UPLOAD_TTL_S = 3600
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PendingUpload:
    """An upload waiting for its mapping: ``path`` is the server's copy."""

    id: str
    path: Path
    name: str
    kind: str
    source: str
    sha256: str


class UploadStore:
    """Pending uploads under ``root`` (default: the system's temporary folder)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.gettempdir()) / "otklik-uploads"

    def _folder(self, session_secret: str) -> Path:
        key = hashlib.sha256(f"otklik-upload:{session_secret}".encode()).hexdigest()[:32]
        return self.root / key

    def save(
        self,
        session_secret: str,
        stream: BinaryIO,
        *,
        filename: str,
        kind: str,
        source: str,
        limit_mb: int,
    ) -> PendingUpload:
        """Copy ``stream`` in (413 past ``limit_mb``), replacing the session's earlier upload."""
        self.sweep()
        folder = self._folder(session_secret)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        upload_id = secrets.token_urlsafe(18)
        home = folder / upload_id
        home.mkdir(parents=True, mode=0o700)
        name = _SAFE_NAME.sub("_", Path(filename or "upload").name).strip("._") or "upload"
        path = home / name
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("wb") as out:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit_mb * _CHUNK:
                        raise ApiError(
                            413, f"the file is larger than {limit_mb} MB", code="too_large"
                        )
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            shutil.rmtree(home, ignore_errors=True)
            raise
        meta = {"name": name, "kind": kind, "source": source, "sha256": digest.hexdigest()}
        (home / "upload.json").write_text(json.dumps(meta), encoding="utf-8")
        return PendingUpload(upload_id, path, name, kind, source, meta["sha256"])

    def get(self, session_secret: str, upload_id: str) -> PendingUpload:
        """The session's pending upload ``upload_id``; 404 when it is gone or not this
        session's (expired, confirmed, or replaced by a newer upload)."""
        home = self._folder(session_secret) / upload_id
        meta_path = home / "upload.json"
        if not _ID.match(upload_id) or not meta_path.is_file():
            raise ApiError(
                404,
                "this upload is no longer waiting (imported, replaced or expired): "
                "upload the file again",
                code="not_found",
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return PendingUpload(
            upload_id,
            home / meta["name"],
            meta["name"],
            meta["kind"],
            meta["source"],
            meta["sha256"],
        )

    def discard(self, upload: PendingUpload) -> None:
        shutil.rmtree(upload.path.parent, ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Remove uploads older than :data:`UPLOAD_TTL_S`; returns how many."""
        if not self.root.is_dir():
            return 0
        cutoff = (now if now is not None else time.time()) - UPLOAD_TTL_S
        removed = 0
        for home in self.root.glob("*/*"):
            try:
                if home.stat().st_mtime < cutoff:
                    shutil.rmtree(home, ignore_errors=True)
                    removed += 1
            except OSError:
                continue
        return removed
