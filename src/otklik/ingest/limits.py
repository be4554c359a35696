"""What the ledger accepts: value ranges and size limits, checked for every imported row.

A value outside these is quarantined with its line, field and reason, never stored and never
a traceback. The ranges are the product's, documented in docs/import.md ("Values, identity and
limits"):

=================  ===========================================================
dates              1900-01-01 … 2100-12-31 (in the file's own zone or offset)
handle/wait time   0 … 30 days (2,592,000 s), finite
transfers          whole, 0 … 1,000
revenue            finite, \\|x\\| < 10^15
scores             whole and within their scale (``otklik.types.SCALES``)
short text fields  ≤ 200 characters (channel ≤ 50, language ≤ 10)
comment (text)     ≤ ``ImportLimits.text_chars`` characters (default 20,000)
attributes         ≤ ``ImportLimits.attributes`` keys (default 200), nested ≤
                   ``ImportLimits.depth`` levels (default 8), each string ≤ text_chars
source name        ≤ 200 characters; longer names are cut (with a hash) and reported
every string       no NUL character and no lone UTF-16 surrogate (PostgreSQL refuses both)
every number       finite: NaN and ±Infinity are refused wherever they appear
=================  ===========================================================
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

__all__ = [
    "MAX_DURATION_S",
    "MAX_REVENUE",
    "MAX_SOURCE_CHARS",
    "MAX_TRANSFERS",
    "YEARS",
    "ImportLimits",
    "clamp_source",
    "nesting_depth",
    "safe_raw",
    "string_problem",
    "value_problem",
]

YEARS = (1900, 2100)
MAX_DURATION_S = 30 * 86_400
MAX_TRANSFERS = 1_000
MAX_REVENUE = 1e15
MAX_SOURCE_CHARS = 200
_RAW_TEXT_CHARS = 1_000  # longest string kept in a quarantine row's raw copy

_SURROGATE = re.compile("[\ud800-\udfff]")

if TYPE_CHECKING:
    from otklik.config import Settings


@dataclass(frozen=True)
class ImportLimits:
    """Size limits on one row; ``OTKLIK_IMPORT_MAX_TEXT_CHARS`` sets ``text_chars``."""

    text_chars: int = 20_000
    attributes: int = 200
    depth: int = 8

    @classmethod
    def of(cls, settings: Settings) -> ImportLimits:
        """The limits in force: every entry point (CLI, upload, API) builds them here."""
        return cls(text_chars=settings.import_max_text_chars)


def string_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored on every engine (NUL, lone surrogate), or None."""
    if "\x00" in text:
        return "contains a NUL character (\\0); remove it from the file"
    if not text.isascii() and _SURROGATE.search(text):
        return "contains an invalid character (a lone UTF-16 surrogate)"
    return None


def nesting_depth(value: Any, limit: int) -> int:
    """Depth of nested lists/objects (a scalar is 0), counted iteratively up to ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth) for child in children)
    return deepest


def value_problem(value: Any, limits: ImportLimits) -> str | None:
    """Why a cell (a string, a number, or nested JSON) cannot be stored, or None.

    Checks what no parser can fix: NUL characters and lone surrogates in any string or key,
    non-finite numbers, nesting deeper than ``limits.depth`` and strings longer than
    ``limits.text_chars`` inside nested values.
    """
    if type(value) is str:
        return string_problem(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not a finite number"
    if not isinstance(value, dict | list):
        return None
    if nesting_depth(value, limits.depth) > limits.depth:
        return f"nested more than {limits.depth} levels deep"
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in node:
                if isinstance(key, str) and (why := string_problem(key)):
                    return f"a key {why}"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            if why := string_problem(node):
                return why
            if len(node) > limits.text_chars:
                return f"a text of {len(node):,} characters is longer than {limits.text_chars:,}"
        elif isinstance(node, float) and not math.isfinite(node):
            return f"{node!r} is not a finite number"
    return None


def clamp_source(source: str) -> str:
    """``source`` if it fits the ledger's 200 characters, else a stable shortened form.

    The cut keeps 191 characters and appends ``~`` and 8 hex digits of the full name's hash,
    so the same long name always gives the same source (re-imports stay idempotent) and two
    long names that share a prefix stay apart.
    """
    if len(source) <= MAX_SOURCE_CHARS:
        return source
    digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{source[:191]}~{digest}"


def safe_raw(value: Any, depth: int = 0) -> Any:
    """A copy of a cell fit for the quarantine's JSON on every engine.

    NUL becomes ␀ and lone surrogates �, long strings are cut to 1,000 characters, NaN and
    infinities become strings, and nesting deeper than 8 is replaced by a marker: the raw copy
    is for finding the row, not for re-importing it.
    """
    if isinstance(value, str):
        text = value
        if len(text) > _RAW_TEXT_CHARS:
            text = f"{text[:_RAW_TEXT_CHARS]}… ({len(value):,} characters)"
        if "\x00" in text:
            text = text.replace("\x00", "\u2400")
        if not text.isascii():
            text = _SURROGATE.sub("\ufffd", text)
        return text
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict | list):
        if depth >= ImportLimits.depth:
            return "… (nested deeper)"
        if isinstance(value, list):
            return [safe_raw(item, depth + 1) for item in value[:_RAW_TEXT_CHARS]]
        return {
            str(safe_raw(str(key))): safe_raw(item, depth + 1)
            for key, item in list(value.items())[:_RAW_TEXT_CHARS]
        }
    return value
