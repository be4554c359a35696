"""Reading the customers of a bulk invitation from a CSV file.

The file needs a customer column (``customer_id``, ``customer``, ``client``, ``клиент`` …);
optional columns ``channel``, ``mechanic``, ``transaction_id`` and ``expires_days`` set those
per row. A file with a single column and no known header is read as a plain list of ids.
Comma, semicolon and tab are recognised; the text may be UTF-8 (with or without BOM) or
Windows-1251.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from otklik.errors import InputFileError

__all__ = ["COLUMN_ALIASES", "read_customers"]

COLUMN_ALIASES: dict[str, str] = {
    "customer_id": "customer_id",
    "customer": "customer_id",
    "client": "customer_id",
    "client_id": "customer_id",
    "клиент": "customer_id",
    "id клиента": "customer_id",
    "channel": "channel",
    "канал": "channel",
    "mechanic": "mechanic",
    "transaction_id": "transaction_id",
    "transaction": "transaction_id",
    "операция": "transaction_id",
    "expires_days": "expires_days",
    "operation_at": "operation_at",
    "время операции": "operation_at",
}


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror})") from None
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(f"{path}: neither UTF-8 nor Windows-1251 text")


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_customers(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, fields)`` per data row, fields named as :data:`COLUMN_ALIASES` says."""
    text = _decode(path)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputFileError(f"{path}: the file is empty")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    header = next(reader)
    names = [COLUMN_ALIASES.get(" ".join(cell.strip().lower().split())) for cell in header]
    if "customer_id" not in names:
        if len(header) != 1:
            known = ", ".join(sorted({k for k, v in COLUMN_ALIASES.items() if v == "customer_id"}))
            raise InputFileError(f"{path}: no customer column in the header (use one of: {known})")
        names = ["customer_id"]
        reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    rows: list[tuple[int, dict[str, Any]]] = []
    for cells in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        fields = {
            name: cell.strip()
            for name, cell in zip(names, cells, strict=False)
            if name is not None and cell.strip()
        }
        rows.append((number, fields))
    return rows
