"""XLSX through openpyxl (read-only, cached values, so formulas give their results).

What this reader does with awkward workbooks:

- **The sheet's declared size** (``<dimension ref="A1"/>``) is never trusted: WPS and other
  generators write a wrong one, and openpyxl's read-only mode would stop there (0 rows). Every
  row in the sheet's XML is read; a declared size smaller than what the first rows show is
  reported in ``detected["warnings"]``.
- **A header cell merged over several columns** (SurveyMonkey) names the columns it covers
  ``Question (2)``, ``Question (3)``…; a blank header cell above values is ``column_N``. The
  header is as wide as the widest of the header, its merged cells and the first
  ``WIDTH_SAMPLE_ROWS`` data rows, so values under them are attributes, not a quoting error.
- **Repeated headers** become ``comment (2)``: no value is dropped.
- **A workbook that is not a valid XLSX** (not a zip, malformed XML, a sheet cut short) is one
  :class:`InputFileError` line: at open, or during the first pass with the last row read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Row, Table, guarded_rows, one_line_errors, unique_headers

__all__ = ["WIDTH_SAMPLE_ROWS", "read_xlsx"]

WIDTH_SAMPLE_ROWS = 1000
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z]+\d+:[A-Za-z]+\d+)"')
_CHUNK = 1 << 20


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _last_filled(values: tuple[Any, ...] | list[Any]) -> int:
    """1 + the position of the last non-blank value (0 for a blank row)."""
    for position in range(len(values) - 1, -1, -1):
        if not _is_blank(values[position]):
            return position + 1
    return 0


def _merged_ranges(path: Path, member: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range in the sheet's XML part."""
    found: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as source:
        tail = b""
        while chunk := source.read(_CHUNK):
            text = tail + chunk
            for match in _MERGE.finditer(text):
                bounds = range_boundaries(match.group(1).decode("ascii").upper())
                found.append(tuple(int(b or 0) for b in bounds))  # type: ignore[arg-type]
            tail = text[-200:]
    return sorted(set(found))


def _open(path: Path, sheet: str | None) -> tuple[Any, Any]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet not in workbook.sheetnames:
        names = ", ".join(workbook.sheetnames)
        workbook.close()
        raise InputFileError(f"{path}: no sheet {sheet!r}; the workbook has: {names}")
    else:
        worksheet = workbook[sheet]
    return workbook, worksheet


def _header(path: Path, records: Iterator[tuple[Any, ...]], title: str) -> tuple[list[Any], int]:
    for line, record in enumerate(records, start=1):
        if _last_filled(record):
            return list(record), line
    raise InputFileError(f"{path}: the sheet {title!r} is empty")


def _inspect(path: Path, sheet: str | None) -> tuple[list[str], int, dict[str, Any], list[str]]:
    """Headers, the header's row number, what was detected, and warnings."""
    workbook, worksheet = _open(path, sheet)
    warnings: list[str] = []
    try:
        declared_rows = worksheet.max_row  # from <dimension>, or None
        declared = worksheet.calculate_dimension() if declared_rows is not None else None
        worksheet.reset_dimensions()
        records = worksheet.iter_rows(values_only=True)
        cells, header_line = _header(path, records, worksheet.title)
        sample = list(islice(records, WIDTH_SAMPLE_ROWS))
        member = getattr(worksheet, "_worksheet_path", None)
        title = worksheet.title
    finally:
        workbook.close()
    width = max([_last_filled(cells), *(_last_filled(row) for row in sample)])
    names = ["" if _is_blank(value) else str(value).strip() for value in cells]
    names = (names + [""] * width)[:width]
    merged = _merged_ranges(path, member) if member else []
    covered: list[str] = []  # names given to the columns a merged header cell covers
    for min_col, min_row, max_col, max_row in merged:
        if min_row <= header_line <= max_row and min_col <= len(names) and names[min_col - 1]:
            text = names[min_col - 1]
            names += [""] * (max_col - len(names))
            for offset, column in enumerate(range(min_col + 1, max_col + 1), start=2):
                if not names[column - 1]:
                    names[column - 1] = f"{text} ({offset})"
                    covered.append(names[column - 1])
            warnings.append(
                f"the header {text!r} is merged over columns {min_col}-{max_col}; the columns "
                f"after the first are read as {text!r} (2), (3)…"
            )
    headers, renamed = unique_headers(names)
    seen_rows = header_line + len(sample)
    if declared_rows is not None and declared_rows < seen_rows:
        warnings.append(
            f"the sheet {title!r} declares its size as {declared} but has more rows; every row "
            "is read (the file was probably written by WPS or another generator)"
        )
    detected: dict[str, Any] = {"format": "xlsx", "sheet": title}
    if covered:
        # not repeats of the header: other answers under one merged question (SurveyMonkey)
        detected["merged_headers"] = covered
    return headers, header_line, detected, warnings + renamed


def read_xlsx(path: Path, *, sheet: str | None = None) -> Table:
    headers, header_line, detected, warnings = one_line_errors(path, _inspect, path, sheet)

    def rows() -> Iterator[Row]:
        workbook, worksheet = _open(path, sheet)
        try:
            worksheet.reset_dimensions()
            records = worksheet.iter_rows(values_only=True)
            for line, record in enumerate(records, start=1):
                if line <= header_line:
                    continue
                if _last_filled(record):
                    yield line, list(record)
        finally:
            workbook.close()

    table = Table(path, headers, detected, guarded_rows(path, rows))
    for message in warnings:
        table.warn(message)
    return table
