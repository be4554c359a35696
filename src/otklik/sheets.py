"""Stored values as spreadsheet cells: text that never runs as a formula and never breaks a file.

Every CSV and XLSX that otklik writes (the web exports, the CLI's ``--format csv``) passes
each cell through :func:`sheet_cell` (CSV through :func:`csv_writer`), so a customer's
comment is data whatever it holds:

* text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP's CSV
  injection list, plus their full-width forms that some Excel locales also read as formulas)
  gets a leading ``'``: ``=HYPERLINK(…)`` arrives as the text ``'=HYPERLINK(…)``; so does
  text whose first character after any Unicode whitespace (spaces, U+3000, line breaks) is
  one of those signs (`` =1+1``, ``\n=1+1``), which a spreadsheet may trim and then run;
* control characters that XML 1.0 forbids (a vertical tab, a form feed, NUL…; openpyxl's
  ``ILLEGAL_CHARACTERS_RE``) become U+FFFD, so one odd comment cannot fail a whole XLSX;
  tabs and line breaks are kept;
* numbers that are not finite (NaN, ±infinity) become empty cells;
* lists become ``a; b``, mappings their JSON-like text.

XLSX cells also hold at most :data:`XLSX_MAX_CHARS` characters (Excel's limit; a longer text
is cut and ends with :data:`CUT_MARK`). CSV keeps the whole text.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

# openpyxl's own ILLEGAL_CHARACTERS_RE, written out: importing openpyxl for it costs 0.2–0.6 s
# in every command that writes a CSV (tests/test_sheets_regex.py holds them equal).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


__all__ = [
    "CUT_MARK",
    "FORMULA_PREFIXES",
    "XLSX_MAX_CHARS",
    "SheetCsvWriter",
    "csv_writer",
    "sheet_cell",
    "sheet_row",
    "sheet_text",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
XLSX_MAX_CHARS = 32_767
CUT_MARK = "…[cut]"


def sheet_text(text: str, *, max_chars: int | None = None) -> str:
    """``text`` safe in a spreadsheet cell (see the module doc), cut to ``max_chars``."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if text.startswith(FORMULA_PREFIXES) or (
        text[:1].isspace() and text.lstrip().startswith(_FORMULA_SIGNS)
    ):
        text = "'" + text
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - len(CUT_MARK)] + CUT_MARK
    return text


def sheet_cell(value: Any, *, max_chars: int | None = None) -> Any:
    """One stored value as a cell: safe text, a finite number, or ``None`` (empty)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        value = str(dict(value))
    elif isinstance(value, list | tuple | set | frozenset):
        value = "; ".join(str(part) for part in value)
    if isinstance(value, str):
        return sheet_text(value, max_chars=max_chars)
    return value


def sheet_row(values: Iterable[Any], *, max_chars: int | None = None) -> list[Any]:
    """:func:`sheet_cell` of every value; empty cells as ``""`` (what a CSV writer wants)."""
    cells = (sheet_cell(value, max_chars=max_chars) for value in values)
    return ["" if cell is None else cell for cell in cells]


class SheetCsvWriter:
    """``csv.writer`` whose every row goes through :func:`sheet_row` first."""

    def __init__(self, stream: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(sheet_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: IO[str], **fmtparams: Any) -> SheetCsvWriter:
    """The CSV writer every otklik CSV uses: ``csv.writer(stream, **fmtparams)``, safe cells."""
    return SheetCsvWriter(stream, **fmtparams)
