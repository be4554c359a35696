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
- **The sheet read by default** is the first *visible* one (``detected["sheet"]`` names it);
  hidden sheets before it are skipped with a warning naming them. ``--sheet`` reads any sheet.
- **A formula with no saved value** (a file written by a library and never opened in Excel)
  is read as an empty cell, with a warning giving how many there are and the first cell: open
  and save the file in Excel or LibreOffice so the values are calculated.
- **A cell whose type says number (or boolean) but whose value is not one** (``<v>NaN</v>``,
  ``<v>abc</v>``): openpyxl raises while parsing and its row generator cannot resume, so one
  bad cell would refuse the whole workbook. Before opening, the sheet's XML is scanned (one
  streaming pass, the same one that finds merged ranges); if such cells exist, the workbook is
  copied in memory with each of them rewritten as a text cell holding a marker and the raw
  value, and every row holding a marker is quarantined with its line; the rest is imported.
  The copy (uncompressed, so about the workbook's unzipped size in memory) is made only for
  such workbooks, once per pass over the rows; chunks of the scan with no formula and no
  value that is not plainly a number are passed over without parsing cells.
- **A workbook that is not a valid XLSX** (not a zip, malformed XML, a sheet cut short) is one
  :class:`InputFileError` line: at open, or during the first pass with the last row read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from itertools import islice
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from otklik.errors import InputFileError
from otklik.ingest.readers.base import (
    Row,
    Table,
    broken,
    guarded_rows,
    one_line_errors,
    unique_headers,
)

__all__ = ["WIDTH_SAMPLE_ROWS", "read_xlsx"]

WIDTH_SAMPLE_ROWS = 1000
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z]+\d+:[A-Za-z]+\d+)"')
_CELL = re.compile(rb"<((?:\w+:)?)c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
# A value that is not plainly a number: only a chunk holding one (or a formula) is parsed cell
# by cell; the rest is passed through whole (most sheets: every chunk).
_SUSPECT = re.compile(rb"<(?:\w+:)?v>(?![-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?</)")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_TYPE = re.compile(rb"""\st=["']([^"']*)["']""")
_TYPE_STYLE = re.compile(rb"""\s[ts]=["'][^"']*["']""")
_REF = re.compile(rb"""\sr=["']([^"']*)["']""")
# Starts the text that replaces a non-number in a number cell (U+FDD0 is a noncharacter).
_MARKER = "\ufdd0otklik-not-a-number\ufdd0"
_CHUNK = 1 << 20


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _last_filled(values: tuple[Any, ...] | list[Any]) -> int:
    """1 + the position of the last non-blank value (0 for a blank row)."""
    for position in range(len(values) - 1, -1, -1):
        if not _is_blank(values[position]):
            return position + 1
    return 0


@dataclass
class _Scan:
    """What one streaming pass over a sheet's XML found."""

    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas_without_value: int = 0
    first_formula: str = ""  # its cell reference, "" when the cell has none
    bad_numbers: int = 0  # cells typed number/boolean whose value is not one


def _not_a_number(kind: bytes, raw: bytes) -> bool:
    """True where openpyxl would raise casting this ``<v>`` (``kind`` is the ``t`` attribute)."""
    value = unescape(raw.decode("utf-8", "replace"))
    if not value or kind not in (b"", b"n", b"b"):
        return False
    try:
        if kind == b"b" or not any(mark in value for mark in ".eE"):
            int(value)
        else:
            float(value)
    except ValueError:
        return True
    return False


def _cell_fault(match: re.Match[bytes], scan: _Scan) -> bytes | None:
    """Count ``match`` (one ``<c>``) in ``scan``; the marker cell replacing it where its value
    is not a number, else None."""
    prefix, attrs, inner = match.group(1), match.group(2), match.group(3)
    if not inner:
        return None
    value = _VALUE.search(inner)
    raw = value.group(1) if value else b""
    # no <v>…</v> at all (openpyxl writes <v />); Excel saves an empty text result as <v></v>
    if value is None and _FORMULA.search(inner):
        scan.formulas_without_value += 1
        if scan.formulas_without_value == 1:
            ref = _REF.search(attrs)
            scan.first_formula = ref.group(1).decode("ascii", "replace") if ref else ""
        return None
    kind = _TYPE.search(attrs)
    if not raw or not _not_a_number(kind.group(1) if kind else b"", raw):
        return None
    scan.bad_numbers += 1
    where = _TYPE_STYLE.sub(b"", attrs)  # r= and namespace declarations stay
    text = _MARKER.encode("utf-8") + raw
    # the cell's namespace prefix ("x:" or none) is kept on the new elements
    opened = [b"<" + prefix + tag for tag in (b"c" + where + b' t="inlineStr">', b"is>", b"t>")]
    closed = [b"</" + prefix + tag for tag in (b"t>", b"is>", b"c>")]
    return b"".join([*opened, text, *closed])


def _edit_cells(source: IO[bytes], scan: _Scan, size: int = _CHUNK) -> Iterator[bytes]:
    """The sheet's XML from ``source`` with each cell counted in ``scan`` (and merged ranges
    collected), non-numbers in number cells replaced by marker cells; streamed in chunks."""
    tail = b""
    while True:
        chunk = source.read(size)
        text = tail + chunk
        for merge in _MERGE.finditer(text):
            bounds = range_boundaries(merge.group(1).decode("ascii").upper())
            scan.merged.append(tuple(int(b or 0) for b in bounds))  # type: ignore[arg-type]
        if not chunk:
            yield text
            return
        if not _FORMULA.search(text) and not _SUSPECT.search(text):
            starts = [match.start() for match in _ROW_START.finditer(text, len(text) - size)]
            if starts and starts[-1]:  # keep the last (maybe partial) row for the next chunk
                tail = text[starts[-1] :]
                yield text[: starts[-1]]
                continue
        parts: list[bytes] = []
        written = done = 0
        for match in _CELL.finditer(text):
            done = match.end()
            replacement = _cell_fault(match, scan)
            if replacement is not None:
                parts += [text[written : match.start()], replacement]
                written = done
        if not done and len(text) > 4 * _CHUNK:  # no whole cell in 4 MiB: not in sheetData
            done = len(text) - _CHUNK
        parts.append(text[written:done])
        tail = text[done:]
        yield b"".join(parts)


def _scan_sheet(path: Path, member: str) -> _Scan:
    """Merged ranges, formulas without a value and non-numbers in the sheet's XML part."""
    scan = _Scan()
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as source:
        for _ in _edit_cells(source, scan):
            pass
    scan.merged = sorted(set(scan.merged))
    return scan


def _patched(path: Path, member: str) -> io.BytesIO:
    """The workbook, in memory, with the sheet's non-numbers in number cells as marker cells."""
    buffer = io.BytesIO()
    name = member.lstrip("/")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info), compress_type=zipfile.ZIP_STORED)
                continue
            with source.open(info) as sheet, target.open(name, "w", force_zip64=True) as out:
                for piece in _edit_cells(sheet, _Scan()):
                    out.write(piece)
    buffer.seek(0)
    return buffer


def _load(source: Path | io.BytesIO, path: Path) -> Any:
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable XLSX workbook ({exc})") from exc


def _choose(workbook: Any, path: Path, sheet: str | None) -> tuple[Any, list[str]]:
    """The worksheet to read (the first visible one without ``sheet``) and the hidden sheets
    skipped to reach it."""
    if sheet is None:
        skipped: list[str] = []
        for worksheet in workbook.worksheets:
            if getattr(worksheet, "sheet_state", "visible") == "visible":
                return worksheet, skipped
            skipped.append(worksheet.title)
        raise InputFileError(
            f"{path}: every sheet is hidden ({', '.join(skipped)}); pass --sheet NAME to read one"
        )
    if sheet not in workbook.sheetnames:
        names = ", ".join(workbook.sheetnames)
        raise InputFileError(f"{path}: no sheet {sheet!r}; the workbook has: {names}")
    return workbook[sheet], []


def _open(path: Path, sheet: str | None, patch: bool) -> tuple[Any, Any]:
    """The open workbook (patched in memory where ``patch``) and the worksheet to read."""
    workbook = _load(_patched(path, _member(path, sheet)[0]) if patch else path, path)
    try:
        return workbook, _choose(workbook, path, sheet)[0]
    except BaseException:
        workbook.close()
        raise


def _member(path: Path, sheet: str | None) -> tuple[str, str, list[str]]:
    """The sheet's XML part in the zip, its title, and the hidden sheets skipped before it."""
    workbook = _load(path, path)
    try:
        worksheet, skipped = _choose(workbook, path, sheet)
        return str(getattr(worksheet, "_worksheet_path", "")), worksheet.title, skipped
    finally:
        workbook.close()


def _header(path: Path, records: Iterator[tuple[Any, ...]], title: str) -> tuple[list[Any], int]:
    for line, record in enumerate(records, start=1):
        if _last_filled(record):
            return list(record), line
    raise InputFileError(f"{path}: the sheet {title!r} is empty")


def _scan_warnings(scan: _Scan, title: str, skipped: list[str]) -> list[str]:
    warnings: list[str] = []
    if skipped:
        warnings.append(
            f"hidden sheet(s) skipped: {', '.join(map(repr, skipped))}; the first visible sheet "
            f"{title!r} is read (pass --sheet NAME to read another)"
        )
    if scan.formulas_without_value:
        where = f" (first: {scan.first_formula})" if scan.first_formula else ""
        warnings.append(
            f"{scan.formulas_without_value} formula cell(s) have no saved value{where} and are "
            "read as empty; open and save the file in Excel or LibreOffice so the values are "
            "calculated, then import again"
        )
    if scan.bad_numbers:
        warnings.append(
            f"{scan.bad_numbers} cell(s) typed as numbers hold something else; their rows are "
            "quarantined"
        )
    return warnings


def _inspect(
    path: Path, sheet: str | None
) -> tuple[list[str], int, dict[str, Any], list[str], bool]:
    """Headers, the header's row number, what was detected, warnings, and whether the workbook
    must be patched in memory (it has non-numbers in number cells)."""
    member, title, skipped = _member(path, sheet)
    scan = _scan_sheet(path, member) if member else _Scan()
    patch = scan.bad_numbers > 0
    warnings = _scan_warnings(scan, title, skipped)
    workbook, worksheet = _open(path, sheet, patch)
    try:
        declared_rows = worksheet.max_row  # from <dimension>, or None
        declared = worksheet.calculate_dimension() if declared_rows is not None else None
        worksheet.reset_dimensions()
        records = worksheet.iter_rows(values_only=True)
        cells, header_line = _header(path, records, worksheet.title)
        sample = list(islice(records, WIDTH_SAMPLE_ROWS))
    finally:
        workbook.close()
    width = max([_last_filled(cells), *(_last_filled(row) for row in sample)])
    names = ["" if _is_blank(value) else str(value).replace(_MARKER, "").strip() for value in cells]
    names = (names + [""] * width)[:width]
    covered: list[str] = []  # names given to the columns a merged header cell covers
    for min_col, min_row, max_col, max_row in scan.merged:
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
    return headers, header_line, detected, warnings + renamed, patch


def _unmarked(line: int, values: list[Any], headers: list[str]) -> Row:
    """The row as read, or the broken row to quarantine where a cell holds a marker."""
    bad = [
        position
        for position, value in enumerate(values)
        if isinstance(value, str) and value.startswith(_MARKER)
    ]
    if not bad:
        return line, values
    raw = ["" if value is None else str(value).replace(_MARKER, "") for value in values]
    first = bad[0]
    header = headers[first] if first < len(headers) else f"column_{first + 1}"
    reason = (
        f"the cell in column {header!r} is typed as a number but holds {raw[first]!r}; "
        "fix the value in the workbook"
    )
    return broken(line, "\t".join(raw), reason, header)


def read_xlsx(path: Path, *, sheet: str | None = None) -> Table:
    headers, header_line, detected, warnings, patch = one_line_errors(path, _inspect, path, sheet)

    def rows() -> Iterator[Row]:
        workbook, worksheet = _open(path, sheet, patch)
        try:
            worksheet.reset_dimensions()
            records = worksheet.iter_rows(values_only=True)
            for line, record in enumerate(records, start=1):
                if line <= header_line:
                    continue
                if _last_filled(record):
                    yield _unmarked(line, list(record), headers) if patch else (line, list(record))
        finally:
            workbook.close()

    table = Table(path, headers, detected, guarded_rows(path, rows))
    for message in warnings:
        table.warn(message)
    return table
