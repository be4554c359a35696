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
column, else 2 decimals). XLSX is written by xlsxwriter in constant-memory mode with numbers
kept as numbers and each cell written by its type (a text is never read as a formula, number or
link). Every text cell of every export passes through :func:`otklik.sheets.sheet_cell` (no
live formulas, no character that breaks the file). The PDF is drawn by reportlab with a
TrueType font that has Cyrillic (DejaVu Sans from the system, or ``OTKLIK_PDF_FONT``).

Times are written in the reporting zone (``OTKLIK_TIMEZONE``), never as the stored UTC: the
ledger keeps naive UTC, :func:`export_table` turns every ``datetime`` into the zone's wall
clock, and each time column says so in its header (``occurred_at (Europe/Moscow)``), so a
row sits in the same day and month as on the pages.

Every export streams (:func:`table_chunks`): rows come from a server-side cursor
(:func:`otklik.ledger.iter_items`, :func:`otklik.routing.iter_cases`) a batch at a time and are
written as they come, in the threadpool, so memory stays flat in the number of rows and other
requests are served meanwhile; between batches a long export waits while a page request is
being handled (:mod:`otklik.web.busy`). See docs/benchmarks.md ("Exports").
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from numbers import Number
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from otklik.errors import ConfigError
from otklik.metrics import get_zone
from otklik.sheets import XLSX_MAX_CHARS, sheet_cell, sheet_text
from otklik.web.busy import Busy
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
    "local_time",
    "table_chunks",
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


_BATCH = 1000  # rows per chunk of CSV, and between pauses (see :class:`otklik.web.busy.Busy`)
_FILE_CHUNK = 256 * 1024  # bytes per chunk of a finished XLSX file
_MEMO_LIMIT = 10_000  # distinct texts a column keeps converted
_INF = float("inf")
Cell = Any
Convert = Callable[[Any], Any]
ConvertBatch = Callable[[list[Sequence[Any]]], list[Sequence[Any]]]


def _no_pause() -> None:
    return None


def _batches(rows: Iterator[Sequence[Any]], convert: ConvertBatch) -> Iterator[list[Any]]:
    while True:
        batch = list(itertools.islice(rows, _BATCH))
        if not batch:
            return
        yield convert(batch)


def _csv_chunks(
    header: Sequence[str],
    rows: Iterator[Sequence[Any]],
    dialect: Dialect,
    convert: ConvertBatch,
    pause: Callable[[], None] = _no_pause,
) -> Iterator[bytes]:
    """The CSV file in chunks of :data:`_BATCH` rows (UTF-8), each row through ``convert``
    (which makes its cells safe and empty cells ``""``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    if dialect.bom:
        buffer.write("\ufeff")
    writer.writerow(header)
    for batch in _batches(rows, convert):
        writer.writerows(batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        pause()
    tail = buffer.getvalue()
    if tail:
        yield tail.encode("utf-8")


def _xlsx_chunks(
    sheet_name: str,
    header: Sequence[Any],
    rows: Iterator[Sequence[Any]],
    convert: ConvertBatch,
    pause: Callable[[], None] = _no_pause,
) -> Iterator[bytes]:
    """The XLSX file: written by xlsxwriter in constant-memory mode (each row goes to a
    temporary file as soon as the next begins) into a temporary file, then sent in chunks.

    Cells were made safe by ``convert``; each is written by its type's own method (no
    guessing: a text that looks like a formula, a number or a URL stays text), numbers as
    numbers, times with a date format."""
    with tempfile.TemporaryFile() as out:
        book = xlsxwriter.Workbook(out, {"constant_memory": True})
        sheet = book.add_worksheet(sheet_name[:31])
        when = book.add_format({"num_format": "yyyy-mm-dd h:mm:ss"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        text, number, boolean = sheet.write_string, sheet.write_number, sheet.write_boolean
        moment = sheet.write_datetime

        def put(row: int, col: int, value: Any) -> None:
            kind = type(value)
            if kind is str:
                if "\r" in value:  # as XML reads a bare CR (xlsxwriter would write _x000D_)
                    value = value.replace("\r\n", "\n").replace("\r", "\n")
                text(row, col, value)
            elif kind is float or kind is int:
                number(row, col, value)
            elif value is None:
                return
            elif kind is bool:
                boolean(row, col, value)
            elif isinstance(value, datetime):
                moment(row, col, value.replace(tzinfo=None), when)
            elif isinstance(value, date):
                moment(row, col, value, day)
            elif isinstance(value, Number) and not isinstance(value, complex):
                number(row, col, float(value))  # type: ignore[arg-type]  # Decimal, numpy
            else:
                text(row, col, str(value))

        for col, value in enumerate(header):
            put(0, col, value)
        index = 1
        for batch in _batches(rows, convert):
            for cells in batch:
                for col, value in enumerate(cells):
                    put(index, col, value)
                index += 1
            pause()
        book.close()
        out.seek(0)
        while chunk := out.read(_FILE_CHUNK):
            yield chunk


def local_time(value: datetime, zone: tzinfo) -> datetime:
    """A stored time (naive: UTC; aware: its own offset) as the naive wall clock of ``zone``."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).replace(tzinfo=None)


def _timed_header(
    header: Sequence[str], first: Sequence[Any] | None, zone: tzinfo, shown_name: Any = str
) -> list[str]:
    """The header (each name through ``shown_name``) with each time column labelled with the
    zone. A time column is one named ``…_at`` or holding a ``datetime`` in the first row."""
    label = getattr(zone, "key", None) or str(zone)
    timed = {
        index
        for index, column in enumerate(header)
        if column.endswith("_at")
        or (first is not None and index < len(first) and isinstance(first[index], datetime))
    }
    return [
        f"{shown_name(column)} ({label})" if i in timed else shown_name(column)
        for i, column in enumerate(header)
    ]


def _cell_of(
    column: str,
    zone: tzinfo,
    labels: Labels | None,
    digits: int,
    dialect: Dialect | None,
) -> Convert:
    """How one column's stored value becomes a cell: a time in ``zone``; for people
    (``labels``) :func:`_people_cell`; otherwise :func:`sheet_cell`. In CSV (``dialect``) an
    empty cell is ``""``, in XLSX ``None``; XLSX text is cut to Excel's limit. The common
    types (text, times, numbers) take a short path with the same result."""
    labelled = _labelled(column)
    cut = XLSX_MAX_CHARS if dialect is None else None
    empty = None if dialect is None else ""
    people_csv = labels is not None and dialect is not None
    utc_zone = zone if isinstance(zone, ZoneInfo) else None  # fromutc: one step from UTC
    time_format = dialect.time_format if dialect is not None else ""

    def cell(value: Any) -> Any:
        kind = type(value)
        if kind is str and not labelled:  # the common case, made safe
            return sheet_text(value, max_chars=cut)
        if value is None:
            return empty
        if kind is int and not labelled:  # ids, counts: csv.writer writes str(value)
            return value
        if kind is datetime:  # naive UTC as stored: the zone's wall clock (local_time)
            if value.tzinfo is None and utc_zone is not None:
                value = utc_zone.fromutc(value.replace(tzinfo=utc_zone)).replace(tzinfo=None)
            else:
                value = local_time(value, zone)
            return value.strftime(time_format) if people_csv else value
        if kind is float and labels is not None:
            if value != value or value in (_INF, -_INF):
                return empty
            if dialect is None:
                return round(value, digits)
            return _number_text(value, digits, dialect.decimal)
        if isinstance(value, datetime):
            value = local_time(value, zone)
        if labels is None:
            shown = sheet_cell(value, max_chars=cut)
        else:
            shown = _people_cell(value, column, labels, digits, dialect)
        return empty if shown is None else shown

    return cell


class _Memo(dict[Any, Any]):
    """The cells of a column whose values repeat (codes, teams, scores, yes/no): each
    distinct value is converted once, then looked up. Only values of the column's one
    ``kind`` (and None) are kept; a column's values are of one type (the store's column
    type), and ``_repeating`` picks only such columns."""

    def __init__(self, convert: Convert, kind: type) -> None:
        super().__init__()
        self.convert = convert
        self.kind = kind

    def __missing__(self, key: Any) -> Any:
        cell = self.convert(key)
        if (key is None or type(key) is self.kind) and len(self) < _MEMO_LIMIT:
            self[key] = cell
        return cell


def _repeating(values: Sequence[Any]) -> type | None:
    """The one type of a column's first ``values`` (text, yes/no, numbers) when they repeat
    enough to look them up; else None."""
    kinds = {type(value) for value in values if value is not None}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind not in (str, bool, int, float) or len(set(values)) > max(50, len(values) // 5):
        return None
    return kind


def table_chunks(
    fmt: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    zone: tzinfo,
    labels: Labels | None = None,
    dialect: Dialect = DIALECTS["rfc"],
    digits: Mapping[str, int] | None = None,
    sheet_name: str = "otklik",
    pause: Callable[[], None] = _no_pause,
) -> Iterator[bytes]:
    """The bytes of ``rows`` under ``header`` (stored field codes) as a CSV (``dialect``) or
    XLSX file, produced as ``rows`` are read: memory stays flat in the number of rows.

    Times are in ``zone``, each time column's header naming it; with ``labels`` headers and
    codes are in the user's language and numbers rounded to ``digits[column]`` (default 2)
    decimals (see :func:`export_table`). ``pause`` is called between batches of rows (a long
    export gives way to page requests). Raises ``ValueError`` for an unknown format."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    stream = iter(rows)
    head = list(itertools.islice(stream, _BATCH))  # reads the first rows now (errors here)
    first = head[0] if head else None
    rest = itertools.chain(head, stream)
    places = dict(digits or {})
    for_csv = dialect if fmt == "csv" else None
    if fmt == "csv" and not dialect.for_people:
        labels = None
    if labels is not None:
        shown = _timed_header(header, first, zone, labels.header)
    else:
        shown = _timed_header(header, first, zone)
    cells: list[Convert] = []
    for index, column in enumerate(header):
        cell = _cell_of(column, zone, labels, places.get(column, _DIGITS), for_csv)
        kind = _repeating([row[index] for row in head if index < len(row)])
        cells.append(cell if kind is None else _Memo(cell, kind).__getitem__)
    width = len(cells)

    def convert(batch: list[Sequence[Any]]) -> list[Sequence[Any]]:
        """The batch's cells, column by column (``map``: no Python loop per cell)."""
        if any(len(row) != width for row in batch):  # ragged rows: row by row, as they are
            return [[cell(v) for cell, v in zip(cells, row, strict=False)] for row in batch]
        values = zip(*batch, strict=True)
        columns = [list(map(cell, part)) for cell, part in zip(cells, values, strict=True)]
        return list(zip(*columns, strict=True))

    if fmt == "csv":
        safe_header = [sheet_cell(name) for name in shown]
        return _csv_chunks(safe_header, rest, dialect, convert, pause)
    safe = [sheet_cell(name, max_chars=XLSX_MAX_CHARS) for name in shown]
    return _xlsx_chunks(sheet_name, safe, rest, convert, pause)


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

    The download streams (:func:`table_chunks`): ``rows`` may be a lazy reader such as
    :func:`otklik.ledger.iter_items`; the first row is read here (so a failing query is an
    error page, not a broken file), the rest while the file is sent, in the threadpool, a
    batch at a time, pausing while page requests are being handled
    (:class:`otklik.web.busy.Busy`). A CSV's bytes flow as they are written; an XLSX is
    written to a temporary file (constant memory) and then sent.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    labels: Labels | None = None
    dialect = DIALECTS["rfc"]
    pause = _no_pause
    if request is not None:
        labels = labels_for(request.app.state.web.settings, request.state.locale)
        dialect = dialect_for(request.state.locale, request.query_params.get("dialect"))
        busy = getattr(request.app.state, "busy", None)
        if isinstance(busy, Busy):
            pause = busy.pause
    chunks = table_chunks(  # reads the first row here: a failing query is an error page
        fmt,
        header,
        rows,
        zone=get_zone(zone),
        labels=labels,
        dialect=dialect,
        digits=digits,
        sheet_name=name,
        pause=pause,
    )
    if fmt == "csv":
        media, filename = "text/csv; charset=utf-8", f"{name}.csv"
    else:
        media, filename = _XLSX, f"{name}.xlsx"
    return StreamingResponse(chunks, media_type=media, headers=_disposition(filename))


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
