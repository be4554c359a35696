"""Readers turn a file into a :class:`Table`: headers, rows with their line numbers, and what
was detected (format, encoding and its confidence, delimiter, sheet, ``warnings``) so the
report can say it.

Whatever goes wrong inside a reader is an :class:`InputFileError` of one line (file, line where
known, what to do), never a traceback; a row the reader cannot split is a broken row that the
import quarantines (see ``base.broken``). Files over ``OTKLIK_IMPORT_MAX_MB`` are refused before
any parsing.
"""

from __future__ import annotations

from pathlib import Path

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Table, one_line_errors
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


def _max_mb() -> int:
    from otklik.config import load_settings

    return load_settings().import_max_mb


def open_table(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    max_mb: int | None = None,
) -> Table:
    """Open ``path`` by its extension; raise :class:`InputFileError` if it cannot be read.

    ``max_mb`` (default: the ``OTKLIK_IMPORT_MAX_MB`` setting) is the largest file accepted.
    """
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if not path.is_file():
        raise InputFileError(f"{path}: not a file")
    kind = _BY_SUFFIX.get(path.suffix.lower())
    if kind is None:
        raise InputFileError(
            f"{path}: unknown file type {path.suffix!r}; use .csv, .tsv, .xlsx, .json or .jsonl"
        )
    limit = _max_mb() if max_mb is None else max_mb
    size = path.stat().st_size
    if size > limit * 1024 * 1024:
        raise InputFileError(
            f"{path}: the file is {size / 1024 / 1024:,.0f} MB, over the {limit:,} MB limit; "
            "split it, or raise OTKLIK_IMPORT_MAX_MB"
        )
    if kind == "xlsx":
        return one_line_errors(path, read_xlsx, path, sheet=sheet)
    if kind == "json":
        return one_line_errors(path, read_json, path, encoding=encoding)
    if kind == "jsonl":
        return one_line_errors(path, read_jsonl, path, encoding=encoding)
    if path.suffix.lower() in (".tsv", ".tab") and delimiter is None:
        delimiter = "\t"
    return one_line_errors(path, read_delimited, path, encoding=encoding, delimiter=delimiter)
