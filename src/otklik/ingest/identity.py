"""An item's identity in the ledger: ``(source, external_id)``, from the source's raw values.

``external_id`` is the row's own id when the file has one (an ``id`` column, a ticket or
response number). Otherwise it is ``r:<hash>:<n>``:

* ``<hash>`` — BLAKE2b (128 bits) of the row's **raw values**: every non-blank cell as the
  reader gave it, keyed by its header and sorted by header (so reordering columns changes
  nothing). A cell's raw form is its text with surrounding spaces stripped and line breaks as
  ``\\n``; a typed cell (XLSX, JSON) is written canonically: ``12`` for 12 and 12.0, ``true``,
  ISO 8601 for dates, sorted compact JSON for nested values. Columns without a header are
  ``column_<n>``; a repeated header is ``<header>#2``, ``#3``…
* ``<n>`` — the occurrence of that same content in this file (or API request): 1, 2, 3…

Nothing the mapping decides (which column is the score, the time zone, the date format, the
scale, defaults) enters the hash, so importing a file again with another mapping adds nothing;
identical rows (an IVR export: a date and a score) are separate answers, and re-importing the
same file finds each of them again by its occurrence number.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from datetime import date, datetime, time
from typing import Any

__all__ = ["RawIdentity", "raw_text"]


def raw_text(value: Any) -> str | None:
    """The canonical raw form of one cell, or None when it is blank."""
    if value is None:
        return None
    if type(value) is str:
        text = value.strip()
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python prints
            return hex(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value).strip() or None


class RawIdentity:
    """Computes ``r:<hash>:<n>`` for the rows of one file, counting repeated content."""

    def __init__(self, headers: list[str]) -> None:
        seen: Counter[str] = Counter()
        self.names: list[str] = []
        for position, header in enumerate(headers):
            name = header.strip() or f"column_{position + 1}"
            seen[name] += 1
            self.names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
        # First occurrences in a set of 64-bit keys, repeats counted apart: a million id-less
        # rows cost tens of MB, not hundreds.
        self._seen: set[int] = set()
        self._repeats: Counter[int] = Counter()

    def digest(self, values: list[Any]) -> bytes:
        names = self.names
        cells = []
        for position, value in enumerate(values):
            text = raw_text(value)
            if text is None:
                continue
            name = names[position] if position < len(names) else f"column_{position + 1}"
            cells.append(f"{name}\x1f{text}")
        cells.sort()
        content = "\x1e".join(cells).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(content, digest_size=16).digest()

    def next_id(self, values: list[Any]) -> str:
        """The identity of the next row with these values (the n-th such row gets ``:n``)."""
        digest = self.digest(values)
        key = int.from_bytes(digest[:8], "big")
        if key in self._seen:
            self._repeats[key] += 1
            occurrence = self._repeats[key] + 1
        else:
            self._seen.add(key)
            occurrence = 1
        return f"r:{digest.hex()}:{occurrence}"
