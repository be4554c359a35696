"""Request limits enforced before anything is parsed: body size per entry point, JSON nesting
depth, and characters no parameter may hold.

:class:`RequestLimits` (pure ASGI, inside the public survey lane, which has its own limit)
refuses a request whose ``Content-Length`` is over the limit for its path before the app reads
a byte, and counts the bytes of a streamed body as they arrive, stopping at the limit. The
limits (settings, see docs/security.md):

=====================  ==========================  =========================================
path                   setting                     default
=====================  ==========================  =========================================
``POST /imports``      ``OTKLIK_UPLOAD_MAX_MB``    50 MB of file (+1 MB for the form around it)
``/api/…``             ``OTKLIK_API_MAX_BODY_MB``  16 MB
anything else          ``OTKLIK_FORM_MAX_KB``      1024 KB (sign-in, inbox notes, KPI editor)
=====================  ==========================  =========================================

An uploaded workbook is refused with 413 when it unpacks to more than 20 × the upload limit or
packs a large part more than 100:1 (:func:`archive_problem`). A JSON body
(``application/json`` under ``/api/``) nested deeper than ``OTKLIK_JSON_MAX_DEPTH``
(32) is refused with 400 before it is parsed (:func:`json_too_deep`), and so is one that
repeats a key inside one object (:func:`repeated_json_key`: no silent last-wins); a NUL
character in the path, the query string, a form or a JSON body is refused with 400 (PostgreSQL
can neither store nor compare it), except in ``POST /api/v1/items``, whose records are
quarantined one by one.
Every refusal has the one JSON error shape (an HTML page for a browser).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote_to_bytes

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from otklik.config import Settings

__all__ = [
    "MAX_PACKING_RATIO",
    "UNPACKED_PER_MB",
    "LimitExceeded",
    "RequestLimits",
    "archive_problem",
    "body_limit",
    "has_nul",
    "json_too_deep",
    "repeated_json_key",
    "repeated_key_message",
]

_MB = 1 << 20
UNPACKED_PER_MB = 20  # an uploaded workbook may unpack to 20× OTKLIK_UPLOAD_MAX_MB in all
MAX_PACKING_RATIO = 100  # and no part over 8 MB may be packed more than 100:1 (a zip bomb)
_RATIO_FROM = 8 * _MB
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # an escaped NUL, not a literal "\u0000"
_RECORD_PATHS = frozenset({"/api/v1/items"})


class LimitExceeded(HTTPException):
    """A request over a limit: raised while its body is read, answered in the error shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status_code=status, detail=message)


def body_limit(settings: Settings, method: str, path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    if method == "POST" and path.rstrip("/") == "/imports":
        return (settings.upload_max_mb + 1) * _MB
    if path.startswith("/api/"):
        return settings.api_max_body_mb * _MB
    return settings.form_max_kb * 1024


def json_too_deep(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects deeper than ``limit``.

    Brackets inside strings do not count; text that is not JSON is left to the parser.
    Linear in the body's size; most bodies are answered by counting brackets alone.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > limit:
            return True
    return False


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs_once(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _RepeatedKey(key)
        seen[key] = value
    return seen


def repeated_json_key(body: bytes) -> str | None:
    """The first key that ``body`` (JSON text) repeats inside one object, or None.

    ``{"score": 9, "score": 3}`` gives ``"score"``; the same key in two different objects is
    fine. Text that is not JSON gives None (the parser says what is wrong with it). Check
    the depth first (:func:`json_too_deep`): this parses the whole body.
    """
    if not body.strip():
        return None
    try:
        json.loads(body, object_pairs_hook=_pairs_once)
    except _RepeatedKey as repeated:
        return repeated.key
    except (ValueError, RecursionError):
        return None
    return None


def repeated_key_message(key: str) -> str:
    """The one refusal text for a repeated JSON key."""
    return f"a key is repeated inside one JSON object: {key!r}; send each key once"


def archive_problem(path: Path, upload_max_mb: int) -> str | None:
    """Why an uploaded zip-based file (XLSX) must not be opened, or None: what it unpacks to
    is read from its directory, before any part is decompressed. A 199 KB workbook holding a
    200 MB comment is refused here, before openpyxl would read it into memory."""
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return None  # the reader says what is wrong with it
    total = sum(part.file_size for part in parts)
    if total > upload_max_mb * UNPACKED_PER_MB * _MB:
        return (
            f"the workbook unpacks to {total // _MB} MB; at most "
            f"{upload_max_mb * UNPACKED_PER_MB} MB (OTKLIK_UPLOAD_MAX_MB × {UNPACKED_PER_MB})"
        )
    for part in parts:
        packed = max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM and part.file_size / packed > MAX_PACKING_RATIO:
            return (
                f"{part.filename} unpacks from {packed // 1024} KB to "
                f"{part.file_size // _MB} MB: refused as a zip bomb"
            )
    return None


def has_nul(scope: Scope) -> bool:
    """Whether the request's path or query string holds a NUL character (``%00``)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    return b"\x00" in unquote_to_bytes(raw_path) or b"\x00" in unquote_to_bytes(
        scope.get("query_string", b"")
    )


def _nul_in_body(kind: str, body: bytes) -> bool:
    if kind == "application/x-www-form-urlencoded":
        return b"%00" in body or b"\x00" in body
    return b"\x00" in body or _JSON_NUL.search(body) is not None


class RequestLimits:
    """Body size and JSON depth limits, and no NUL in a form or a JSON body (see the module
    doc; a NUL in a path or a query string is :func:`has_nul`, checked by the app)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = body_limit(self.settings, scope["method"], path)
        headers = Headers(scope=scope)
        too_large = f"the request body is larger than {_size(limit)}"
        declared = headers.get("content-length")
        if declared is not None and (not declared.strip().isdecimal() or int(declared) > limit):
            await self.app(scope, _refusing(413, too_large), send)
            return
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        is_json = path.startswith("/api/") and kind in ("application/json", "")
        has_body = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if has_body and (is_json or kind == "application/x-www-form-urlencoded"):
            receive = await self._checked(receive, limit, too_large, kind, path)
        else:
            receive = _counting(receive, limit, too_large)
        await self.app(scope, receive, send)

    async def _checked(
        self, receive: Receive, limit: int, too_large: str, kind: str, path: str
    ) -> Receive:
        """The whole body read (up to ``limit``), checked, then replayed to the app."""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return _replay([message], receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _refusing(413, too_large)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        depth = self.settings.json_max_depth
        if kind != "application/x-www-form-urlencoded" and json_too_deep(body, depth):
            return _refusing(400, f"the JSON body nests deeper than {depth} levels")
        if (
            kind != "application/x-www-form-urlencoded"
            and (key := repeated_json_key(body)) is not None
        ):
            return _refusing(400, repeated_key_message(key))
        # Posted items keep their own per-record quarantine for a NUL (ingest says which).
        if path.rstrip("/") not in _RECORD_PATHS and _nul_in_body(kind, body):
            return _refusing(400, "a NUL character is not allowed in a text field")
        return _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _size(limit: int) -> str:
    return f"{limit // _MB} MB" if limit % _MB == 0 else f"{limit // 1024} KB"


def _refusing(status: int, message: str) -> Receive:
    async def receive() -> Message:
        raise LimitExceeded(status, message)

    return receive


def _replay(messages: list[Message], then: Receive) -> Receive:
    """``messages`` first, then the connection's own ``receive`` (a disconnect, when it
    comes: a streaming response listens for it)."""
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        return await then()

    return receive


def _counting(receive: Receive, limit: int, too_large: str) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise LimitExceeded(413, too_large)
        return message

    return counted
