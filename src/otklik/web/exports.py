"""Exports of every list (CSV and XLSX) and of the overview (PDF for management).

CSV is UTF-8 with a BOM so Excel opens Cyrillic text right; XLSX is written by openpyxl in
write-only mode; every cell of both passes through :func:`otklik.sheets.sheet_cell` (no live
formulas, no character that breaks the file). The PDF is drawn by reportlab with a TrueType
font that has Cyrillic (DejaVu Sans from the system, or ``OTKLIK_PDF_FONT``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook

from otklik.errors import ConfigError
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
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return sheet_cell(value, max_chars=XLSX_MAX_CHARS)


def export_table(
    fmt: str, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """``rows`` under ``header`` as a CSV or XLSX download called ``name.csv``/``name.xlsx``."""
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
