"""Readers turn a file into a :class:`Table`: headers, rows with their line numbers, and what
was detected (format, encoding, delimiter, sheet) so the report can say it.
"""

from __future__ import annotations

from pathlib import Path

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Table
from otklik.ingest.readers.delimited import read_delimited
from otklik.ingest.readers.jsonfile import read_json, read_jsonl
from otklik.ingest.readers.xlsx import read_xlsx

__all__ = ["Table", "open_table"]

_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def open_table(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open ``path`` by its extension; raise :class:`InputFileError` if it cannot be read."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    kind = _BY_SUFFIX.get(path.suffix.lower())
    if kind is None:
        raise InputFileError(
            f"{path}: unknown file type {path.suffix!r}; use .csv, .tsv, .xlsx, .json or .jsonl"
        )
    if kind == "xlsx":
        return read_xlsx(path, sheet=sheet)
    if kind == "json":
        return read_json(path, encoding=encoding)
    if kind == "jsonl":
        return read_jsonl(path, encoding=encoding)
    if path.suffix.lower() in (".tsv", ".tab") and delimiter is None:
        delimiter = "\t"
    return read_delimited(path, encoding=encoding, delimiter=delimiter)
