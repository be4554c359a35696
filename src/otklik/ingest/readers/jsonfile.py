"""JSON (an array of objects) and JSON Lines (one object per line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Row, Table
from otklik.ingest.readers.delimited import detect_encoding

__all__ = ["read_json", "read_jsonl"]

NOT_AN_OBJECT = "__not_an_object__"


def _headers(records: Iterator[tuple[int, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for _, record in records:
        if isinstance(record, dict):
            for key in record:
                seen.setdefault(str(key), None)
    return list(seen)


def _aligned(headers: list[str], line: int, record: Any) -> Row:
    if not isinstance(record, dict):
        # The pipeline quarantines it; the value is kept for the quarantine's raw row.
        return line, [NOT_AN_OBJECT, record]
    return line, [record.get(name) for name in headers]


def read_json(path: Path, *, encoding: str | None = None) -> Table:
    encoding = encoding or detect_encoding(path)
    try:
        with path.open(encoding=encoding) as handle:
            data = json.load(handle)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}); fix it and import again"
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

    return Table(path, headers, {"format": "json", "encoding": encoding}, rows)


def read_jsonl(path: Path, *, encoding: str | None = None) -> Table:
    encoding = encoding or detect_encoding(path)

    def records() -> Iterator[tuple[int, Any]]:
        with path.open(encoding=encoding) as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield line_number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield line_number, _BrokenLine(line.rstrip("\n"), exc.msg)

    headers = _headers(records())

    def rows() -> Iterator[Row]:
        for line_number, record in records():
            yield _aligned(headers, line_number, record)

    return Table(path, headers, {"format": "jsonl", "encoding": encoding}, rows)


class _BrokenLine(str):
    """A JSONL line that is not JSON; the pipeline quarantines it with the parser's message."""

    reason: str

    def __new__(cls, text: str, reason: str) -> _BrokenLine:
        obj = super().__new__(cls, text)
        obj.reason = reason
        return obj
