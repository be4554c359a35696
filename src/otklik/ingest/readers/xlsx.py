"""XLSX through openpyxl (read-only, cached values, so formulas give their results)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Row, Table

__all__ = ["read_xlsx"]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_xlsx(path: Path, *, sheet: str | None = None) -> Table:
    def open_sheet() -> tuple[Any, Any]:
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise InputFileError(f"{path}: not a readable XLSX workbook ({exc})") from exc
        if sheet is None:
            return workbook, workbook.worksheets[0]
        if sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            workbook.close()
            raise InputFileError(f"{path}: no sheet {sheet!r}; the workbook has: {names}")
        return workbook, workbook[sheet]

    def read_header(records: Iterator[tuple[Any, ...]], title: str) -> tuple[list[str], int]:
        for line, record in enumerate(records, start=1):
            if not all(_is_blank(value) for value in record):
                header = ["" if value is None else str(value).strip() for value in record]
                while header and not header[-1]:
                    header.pop()
                return header, line
        raise InputFileError(f"{path}: the sheet {title!r} is empty")

    def rows() -> Iterator[Row]:
        workbook, worksheet = open_sheet()
        try:
            records = worksheet.iter_rows(values_only=True)
            _, header_line = read_header(records, worksheet.title)
            for line, record in enumerate(records, start=header_line + 1):
                values = list(record)
                if not all(_is_blank(value) for value in values):
                    yield line, values
        finally:
            workbook.close()

    workbook, worksheet = open_sheet()
    try:
        headers, _ = read_header(worksheet.iter_rows(values_only=True), worksheet.title)
        detected = {"format": "xlsx", "sheet": worksheet.title}
    finally:
        workbook.close()
    return Table(path, headers, detected, rows)
