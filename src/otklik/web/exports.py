"""Exports of every list (CSV and XLSX) and of the overview (PDF for management).

CSV is UTF-8 with a BOM so Excel opens Cyrillic text right; XLSX is written by openpyxl in
write-only mode; every cell of both passes through :func:`otklik.sheets.sheet_cell` (no live
formulas, no character that breaks the file). The PDF is drawn by reportlab with a TrueType
font that has Cyrillic (DejaVu Sans from the system, or ``OTKLIK_PDF_FONT``).

Times are written in the reporting zone (``OTKLIK_TIMEZONE``), never as the stored UTC: the
ledger keeps naive UTC, :func:`export_table` turns every ``datetime`` into the zone's wall
clock, and each time column says so in its header (``occurred_at (Europe/Moscow)``), so a
row sits in the same day and month as on the pages.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook

from otklik.errors import ConfigError
from otklik.metrics import get_zone
from otklik.sheets import XLSX_MAX_CHARS, csv_writer, sheet_cell

__all__ = ["EXPORT_FORMATS", "FONT_CANDIDATES", "export_table", "find_font"]

EXPORT_FORMATS = ("csv", "xlsx")
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


def _csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[bytes]:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
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
    header: Sequence[str], rows: Iterable[Sequence[Any]], zone: tzinfo
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header with each time column labelled with the zone, and the rows in that zone.

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
    shown = [f"{column} ({label})" if i in timed else column for i, column in enumerate(header)]

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
) -> Response:
    """``rows`` under ``header`` as a CSV or XLSX download called ``name.csv``/``name.xlsx``,
    times in the reporting ``zone`` (an IANA name or a tzinfo; None: ``OTKLIK_TIMEZONE``,
    else UTC), each time column's header naming the zone."""
    header, rows = _localised(header, rows, get_zone(zone))
    if fmt == "csv":
        return StreamingResponse(
            _csv_chunks(header, rows),
            media_type="text/csv; charset=utf-8",
            headers=_disposition(f"{name}.csv"),
        )
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
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
