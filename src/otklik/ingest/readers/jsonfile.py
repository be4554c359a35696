"""JSON (an array of objects) and JSON Lines (one object per line).

A record the import cannot take is returned as a broken row (the pipeline quarantines it with
the reason) rather than stopping the file:

- a JSONL line that is not JSON, or nested so deeply the parser gives up;
- ``NaN``, ``Infinity`` or ``-Infinity`` anywhere in a record (Python's json module accepts
  them; JSON does not, and no stored value may be non-finite);
- an integer with more than ``MAX_INT_DIGITS`` digits (Python refuses to convert it);
- a record nested more than ``MAX_DEPTH`` levels (objects and arrays counted).

A key repeated in one object (``{"comment": "a", "comment": "b"}``) is kept as
``comment (2)``: Python's json module would keep only the last.

Large integers that do convert (``10**23``) are left as they are: the value layer decides.
A JSON array file that cannot be parsed at all (a syntax error, nesting too deep for the
parser) is one :class:`InputFileError` with its line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from otklik.errors import InputFileError
from otklik.ingest.readers.base import (
    BROKEN_ROW,
    BrokenRow,
    Row,
    Table,
    broken,
    guarded_rows,
)
from otklik.ingest.readers.encoding import detect_encoding, given_encoding, open_text

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "NOT_AN_OBJECT", "read_json", "read_jsonl"]

NOT_AN_OBJECT = BROKEN_ROW
MAX_DEPTH = 32
MAX_INT_DIGITS = 4000  # below Python's int/str conversion limit (4300)


class _Invalid:
    """A value the parser met that no record may hold (NaN, a 5,000-digit integer)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return self.what


def _constant(name: str) -> _Invalid:
    return _Invalid(f"{name} is not a number JSON allows")


def _integer(text: str) -> int | _Invalid:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _Invalid(f"an integer with {len(text.lstrip('-')):,} digits")
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose repeated keys are kept as ``key (2)``… instead of the last one winning."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        name, count = key, 1
        while name in result:
            count += 1
            name = f"{key} ({count})"
        result[name] = value
    return result


def _repeated_keys(headers: list[str]) -> str | None:
    """A warning when some object repeated a key (kept as ``key (2)``), or None."""
    names = set(headers)
    repeated = [name for name in headers if name.endswith(")") and name.rsplit(" (", 1)[0] in names]
    if not repeated:
        return None
    return (
        f"a key repeated inside one object is kept as {repeated[0]!r}"
        f"{f' (and {len(repeated) - 1} more)' if len(repeated) > 1 else ''}; no value is dropped, "
        "and a record whose repeats disagree on a field is quarantined"
    )


def _loads(text: str) -> Any:
    return json.loads(
        text, parse_constant=_constant, parse_int=_integer, object_pairs_hook=_unique_keys
    )


def _problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` cannot be imported, or None; walks at most MAX_DEPTH + 1 levels."""
    if isinstance(value, _Invalid):
        return value.what
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            problem = _problem(child, depth + 1)
            if problem:
                return problem
    return None


def _headers(records: Iterator[tuple[int, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for _, record in records:
        if isinstance(record, dict):
            for key in record:
                seen.setdefault(str(key), None)
    return list(seen)


def _aligned(headers: list[str], line: int, record: Any) -> Row:
    if isinstance(record, BrokenRow):
        return line, [BROKEN_ROW, record]
    if not isinstance(record, dict):
        # The pipeline quarantines it; the value is kept for the quarantine's raw row.
        return line, [BROKEN_ROW, record]
    # the record's own depth counts from its fields: {"a": {...}} is one level
    for key, value in record.items():
        problem = _problem(value)
        if problem:
            text = json.dumps(record, default=repr, ensure_ascii=False)[:1000]
            return broken(line, text, f"{key}: {problem}", str(key))
    return line, [record.get(name) for name in headers]


def read_json(path: Path, *, encoding: str | None = None) -> Table:
    decoding = given_encoding(path, encoding) if encoding else detect_encoding(path)
    try:
        with open_text(path, decoding) as handle:
            data = _loads(handle.read())
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}); fix it and import again"
        ) from exc
    except RecursionError as exc:
        raise InputFileError(
            f"{path}: nested too deeply to read (records may be at most {MAX_DEPTH} levels "
            "deep); fix the export and import again"
        ) from exc
    if isinstance(data, dict):
        # Exports often wrap the array: {"items": [...]} or {"data": [...]}.
        arrays = [value for value in data.values() if isinstance(value, list)]
        if len(arrays) != 1:
            raise InputFileError(f"{path}: expected a JSON array of objects")
        data = arrays[0]
    if not isinstance(data, list):
        raise InputFileError(f"{path}: expected a JSON array of objects")
    headers = _headers(iter(enumerate(data, start=1)))

    def rows() -> Iterator[Row]:
        # JSON arrays have no line per record: the position (1 = first element) stands in.
        for index, record in enumerate(data, start=1):
            yield _aligned(headers, index, record)

    detected = {"format": "json", **decoding.describe()}
    table = Table(path, headers, detected, guarded_rows(path, rows))
    for message in (decoding.warning, _repeated_keys(headers)):
        if message:
            table.warn(message)
    return table


def read_jsonl(path: Path, *, encoding: str | None = None) -> Table:
    decoding = given_encoding(path, encoding) if encoding else detect_encoding(path)

    def records() -> Iterator[tuple[int, Any]]:
        with open_text(path, decoding) as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                text = line.rstrip("\r\n")
                try:
                    yield line_number, _loads(line)
                except json.JSONDecodeError as exc:
                    yield line_number, BrokenRow(text, f"not valid JSON ({exc.msg})")
                except RecursionError:
                    yield (
                        line_number,
                        BrokenRow(text[:1000], f"nested more than {MAX_DEPTH} levels deep"),
                    )

    headers = _headers(records())

    def rows() -> Iterator[Row]:
        for line_number, record in records():
            yield _aligned(headers, line_number, record)

    detected = {"format": "jsonl", **decoding.describe()}
    table = Table(path, headers, detected, guarded_rows(path, rows))
    for message in (decoding.warning, _repeated_keys(headers)):
        if message:
            table.warn(message)
    return table
