"""The backlog as a sheet: flat columns for CSV (the house dialects) and XLSX.

Cells pass through :func:`otklik.sheets.sheet_cell` (no live formulas); numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import IO, Any

from openpyxl import Workbook

from otklik.sheets import csv_writer, sheet_cell

__all__ = ["BACKLOG_COLUMNS", "backlog_rows", "write_backlog_csv", "xlsx_bytes"]

BACKLOG_COLUMNS: tuple[str, ...] = (
    "rank",
    "topic",
    "label",
    "owner_team",
    "n",
    "volume",
    "share",
    "metric",
    "impact",
    "impact_ci_low",
    "impact_ci_high",
    "significant",
    "trend_change",
    "trend_significant",
    "revenue_at_risk",
    "revenue_at_risk_n",
    "currency",
    "open_cases",
    "priority",
    "segment",
)


def backlog_rows(rows: Sequence[Mapping[str, Any]], locale: str = "en") -> list[list[Any]]:
    """One flat row per problem, in :data:`BACKLOG_COLUMNS` order."""
    out = []
    for row in rows:
        ci = row.get("impact_ci") or [None, None]
        trend = row.get("trend") or {}
        money = row.get("revenue_at_risk") or {}
        label = row.get("label") or {}
        out.append(
            [
                row.get("rank"),
                row["topic"],
                label.get(locale) or label.get("en") or row["topic"],
                row.get("owner_team"),
                row.get("n"),
                row.get("volume"),
                row.get("share"),
                row.get("metric"),
                row.get("impact"),
                ci[0],
                ci[1],
                row.get("significant"),
                trend.get("change"),
                trend.get("significant"),
                money.get("amount"),
                money.get("n"),
                money.get("currency"),
                (row.get("cases") or {}).get("open"),
                row.get("priority"),
                ", ".join(f"{k}={v}" for k, v in (row.get("segment") or {}).items()) or None,
            ]
        )
    return out


def write_backlog_csv(
    stream: IO[str], rows: Sequence[Mapping[str, Any]], *, delimiter: str = ",", locale: str = "en"
) -> None:
    writer = csv_writer(stream, delimiter=delimiter)
    writer.writerow(list(BACKLOG_COLUMNS))
    for values in backlog_rows(rows, locale):
        writer.writerow(["" if v is None else v for v in values])


def xlsx_bytes(sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per entry: (headers, rows); text cells made safe."""
    book = Workbook(write_only=True)
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append([sheet_cell(h) for h in headers])
        for values in rows:
            sheet.append([sheet_cell(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
