"""Exports of every list (CSV and XLSX) and of the overview (PDF for management).

CSV comes in three dialects (``?format=csv&dialect=…``, see docs/web.md):

* ``excel-ru`` — the default for Russian users: UTF-8 with a BOM, ``;`` between cells, a
  decimal comma (``-12,5``), days as ``01.03.2025 10:00:00``: Russian Excel opens it as
  columns with numbers it can add up;
* ``excel`` — the default for English users: UTF-8 with a BOM, ``,``, a decimal point;
* ``rfc`` — for programs (RFC 4180): UTF-8 without a BOM, ``,``, the stored field codes as
  headers and the stored values (codes, unrounded numbers, ISO times).

In ``excel-ru`` and ``excel`` (and in every XLSX) headers are in the user's language
(:meth:`Translator.column`), stored codes are labelled (:class:`otklik.web.names.Labels`:
``app`` → ``Приложение``, a team code → its title) and numbers are rounded (``digits``: by
column, else 2 decimals). XLSX is written by openpyxl in write-only mode with numbers kept as
numbers. Every text cell of every export passes through :func:`otklik.sheets.sheet_cell` (no
live formulas, no character that breaks the file). The PDF is drawn by reportlab with a
TrueType font that has Cyrillic (DejaVu Sans from the system, or ``OTKLIK_PDF_FONT``).

Times are written in the reporting zone (``OTKLIK_TIMEZONE``), never as the stored UTC: the
ledger keeps naive UTC, :func:`export_table` turns every ``datetime`` into the zone's wall
clock, and each time column says so in its header (``occurred_at (Europe/Moscow)``), so a
row sits in the same day and month as on the pages.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook

from otklik.errors import ConfigError
from otklik.metrics import get_zone
from otklik.sheets import XLSX_MAX_CHARS, csv_writer, sheet_cell
from otklik.web.errors import ApiError
from otklik.web.names import LABELLED_FIELDS, Labels, labels_for

__all__ = [
    "DIALECTS",
    "EXPORT_FORMATS",
    "FONT_CANDIDATES",
    "Dialect",
    "dialect_for",
    "export_table",
    "find_font",
]

EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Dialect:
    """How a CSV is written: separator, decimal mark, BOM, and whether it is for people
    (translated headers and labels, rounded numbers, local day format) or for programs."""

    name: str
    delimiter: str
    decimal: str
    bom: bool
    for_people: bool
    time_format: str = "%Y-%m-%d %H:%M:%S"


DIALECTS: Mapping[str, Dialect] = {
    "excel-ru": Dialect("excel-ru", ";", ",", True, True, "%d.%m.%Y %H:%M:%S"),
    "excel": Dialect("excel", ",", ".", True, True),
    "rfc": Dialect("rfc", ",", ".", False, False),
}
_DEFAULT_DIALECT = {"ru": "excel-ru", "en": "excel"}
_DIGITS = 2
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def dialect_for(locale: str, asked: str | None) -> Dialect:
    """The CSV dialect ``asked`` for (``excel-ru``, ``excel``, ``rfc``), else the locale's
    default (``ru``: ``excel-ru``; otherwise ``excel``). An unknown name is a 422."""
    name = asked or _DEFAULT_DIALECT.get(locale, "excel")
    found = DIALECTS.get(name)
    if found is None:
        raise ApiError(
            422, f"unknown CSV dialect {name!r}: use {', '.join(DIALECTS)}", code="invalid_request"
        )
    return found


def _number_text(value: float, digits: int, decimal: str) -> str:
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", decimal)


def _people_cell(
    value: Any, column: str, labels: Labels, digits: int, dialect: Dialect | None
) -> Any:
    """One value for people: a label for a code, a rounded number (as text with the dialect's
    decimal mark in CSV; a number in XLSX), a day in the dialect's format; text made safe."""
    if value is None:
        return None
    if isinstance(value, bool):
        return sheet_cell(labels.t.boolean(value))
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return None
            if dialect is None:
                return round(value, digits)
            return _number_text(value, digits, dialect.decimal)
        return value if dialect is None else str(value)
    if isinstance(value, datetime):
        return value if dialect is None else value.strftime(dialect.time_format)
    if isinstance(value, date):
        return value if dialect is None else value.strftime(dialect.time_format.split(" ")[0])
    if isinstance(value, dict) or (isinstance(value, list) and not _labelled(column)):
        value = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)  # as JSON
    shown = labels(column, value) if _labelled(column) else value
    return sheet_cell(shown, max_chars=XLSX_MAX_CHARS if dialect is None else None)


def _labelled(column: str) -> bool:
    return column in LABELLED_FIELDS


def _csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], dialect: Dialect
) -> Iterable[bytes]:
    buffer = io.StringIO()
    writer: Any = (
        csv.writer(buffer, delimiter=dialect.delimiter)
        if dialect.for_people  # cells were made safe (and numbers formatted) already
        else csv_writer(buffer, delimiter=dialect.delimiter)
    )
    if dialect.bom:
        buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if cell is None else cell for cell in row])
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return sheet_cell(value, max_chars=XLSX_MAX_CHARS)


def local_time(value: datetime, zone: tzinfo) -> datetime:
    """A stored time (naive: UTC; aware: its own offset) as the naive wall clock of ``zone``."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).replace(tzinfo=None)


def _localised(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    zone: tzinfo,
    shown_name: Any = str,
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header (each name through ``shown_name``) with each time column labelled with the
    zone, and the rows in that zone.

    A time column is one named ``…_at`` or holding a ``datetime`` in the first row."""
    stream = iter(rows)
    first = next(stream, None)
    label = getattr(zone, "key", None) or str(zone)
    timed = {
        index
        for index, column in enumerate(header)
        if column.endswith("_at")
        or (first is not None and index < len(first) and isinstance(first[index], datetime))
    }
    shown = [
        f"{shown_name(column)} ({label})" if i in timed else shown_name(column)
        for i, column in enumerate(header)
    ]

    def convert(row: Sequence[Any]) -> list[Any]:
        return [local_time(v, zone) if isinstance(v, datetime) else v for v in row]

    rest = stream if first is None else itertools.chain([first], stream)
    return shown, (convert(row) for row in rest)


def export_table(
    fmt: str,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    zone: str | tzinfo | None = None,
    request: Request | None = None,
    digits: Mapping[str, int] | None = None,
) -> Response:
    """``rows`` under ``header`` (stored field codes) as a CSV or XLSX download called
    ``name.csv``/``name.xlsx``, times in the reporting ``zone`` (an IANA name or a tzinfo;
    None: ``OTKLIK_TIMEZONE``, else UTC), each time column's header naming the zone.

    With ``request``, the export is for its user: the CSV dialect is ``?dialect=`` or the
    locale's default (:func:`dialect_for`), headers and codes are in the user's language and
    numbers rounded to ``digits[column]`` decimals (default 2). Without ``request`` (or with
    ``dialect=rfc``) it is the stored codes and values. Raises ``ValueError`` for a format
    other than ``csv``/``xlsx`` and :class:`ApiError` (422) for an unknown dialect.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    labels: Labels | None = None
    dialect = DIALECTS["rfc"]
    if request is not None:
        labels = labels_for(request.app.state.web.settings, request.state.locale)
        dialect = dialect_for(request.state.locale, request.query_params.get("dialect"))
        if fmt == "csv" and not dialect.for_people:
            labels = None
    places = dict(digits or {})
    columns = list(header)
    if labels is not None:
        people = labels
        header, rows = _localised(header, rows, get_zone(zone), people.header)

        def cells(row: Sequence[Any], csv_dialect: Dialect | None) -> list[Any]:
            return [
                _people_cell(value, column, people, places.get(column, _DIGITS), csv_dialect)
                for column, value in zip(columns, row, strict=False)
            ]

        if fmt == "csv":
            rows = (cells(row, dialect) for row in rows)
            header = [sheet_cell(column) for column in header]
        else:
            rows = (cells(row, None) for row in rows)
    else:
        header, rows = _localised(header, rows, get_zone(zone))
    if fmt == "csv":
        return StreamingResponse(
            _csv_chunks(header, rows, dialect),
            media_type="text/csv; charset=utf-8",
            headers=_disposition(f"{name}.csv"),
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    sheet.append([_xlsx_value(name) for name in header])
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type=_XLSX, headers=_disposition(f"{name}.xlsx"))


def find_font(configured: str | None) -> Path:
    """A TrueType font with Cyrillic for the PDF."""
    for candidate in [configured] if configured else list(FONT_CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return path
    raise ConfigError(
        "no TrueType font with Cyrillic for the PDF: install fonts-dejavu-core or set "
        "OTKLIK_PDF_FONT to a .ttf file"
    )


def csv_safe_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()
