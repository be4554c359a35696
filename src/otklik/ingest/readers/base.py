"""The table every reader returns, and what readers share: unique headers, broken-row markers,
warnings, and the rule that a reader fails with one line, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from otklik.errors import InputFileError, OtklikError

__all__ = [
    "BROKEN_ROW",
    "BrokenRow",
    "Row",
    "Table",
    "broken",
    "guarded_rows",
    "one_line_errors",
    "unique_headers",
]

# (line number in the file, values aligned with the headers)
Row = tuple[int, list[Any]]

# A row whose first value is BROKEN_ROW is quarantined by the pipeline (ingest/rows.py): the
# second value is the raw text or object, with a ``reason`` when it is a BrokenRow.
BROKEN_ROW = "__not_an_object__"


class BrokenRow(str):
    """The raw text of a row a reader could not split into fields; ``reason`` says why."""

    reason: str
    header: str | None  # the column (or JSON key) at fault, where one is

    def __new__(cls, text: str, reason: str, header: str | None = None) -> BrokenRow:
        obj = super().__new__(cls, text)
        obj.reason = reason
        obj.header = header
        return obj


def broken(line: int, text: str, reason: str, header: str | None = None) -> Row:
    """The row the pipeline quarantines at ``line`` with ``reason``, keeping ``text`` as raw;
    ``header`` names the column at fault where the reader knows it."""
    return line, [BROKEN_ROW, BrokenRow(text, reason, header)]


@dataclass
class Table:
    """``headers`` are unique and non-empty; ``detected`` says what the reader found (format,
    encoding, delimiter, sheet, ``warnings``: list of sentences). Warnings only known after a
    full pass (a quote that swallowed rows) are appended while ``rows()`` runs the first time:
    the import's profile pass, before the report copies ``detected``."""

    path: Path
    headers: list[str]
    detected: dict[str, Any]
    # Called once per pass: imports read a file twice (profile, then load) without holding it.
    _open_rows: Callable[[], Iterator[Row]] = field(repr=False)
    # Delimited files only: what the column-wise import (``otklik.ingest.columnar``) needs to
    # read the same text again: ``{"decoding": Decoding, "delimiter": str}``. None elsewhere.
    columnar: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[Row]:
        return self._open_rows()

    def warn(self, message: str) -> None:
        """Add ``message`` to ``detected["warnings"]`` once."""
        warnings: list[str] = self.detected.setdefault("warnings", [])
        if message not in warnings:
            warnings.append(message)


def unique_headers(headers: list[str]) -> tuple[list[str], list[str]]:
    """Headers with blanks named ``column_N`` (N from 1) and repeats suffixed `` (2)``, `` (3)``…

    Returns the new headers and one sentence per change, for ``detected["warnings"]``; without
    this a dict keyed by header would keep only the last of two ``comment`` columns.
    """
    taken = {header for header in headers if header}
    seen: dict[str, int] = {}
    result: list[str] = []
    changes: list[str] = []
    for position, header in enumerate(headers):
        if not header:
            name = f"column_{position + 1}"
            while name in taken:
                name += "_"
            taken.add(name)
            result.append(name)
            continue
        seen[header] = seen.get(header, 0) + 1
        if seen[header] == 1:
            result.append(header)
            continue
        count = seen[header]
        name = f"{header} ({count})"
        while name in taken:
            count += 1
            name = f"{header} ({count})"
        taken.add(name)
        result.append(name)
        changes.append(
            f"column {position + 1} repeats the header {header!r}; it is read as {name!r}"
        )
    return result, changes


P = ParamSpec("P")
T = TypeVar("T")


def _one_line(path: Path, exc: BaseException) -> InputFileError:
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    what = type(exc).__name__ + (f": {detail}" if detail else "")
    if isinstance(exc, RecursionError):
        what = "nested too deeply to read"
    elif isinstance(exc, MemoryError):
        what = "too large to read into memory"
    return InputFileError(
        f"{path}: cannot be read ({what}); check that it is a complete CSV, XLSX or JSON "
        "export, or save it again from the program that made it"
    )


def one_line_errors(path: Path, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)``, with any unexpected exception turned into one InputFileError."""
    try:
        return call(*args, **kwargs)
    except OtklikError:
        raise
    except Exception as exc:
        raise _one_line(path, exc) from exc


def guarded_rows(path: Path, open_rows: Callable[[], Iterator[Row]]) -> Callable[[], Iterator[Row]]:
    """``open_rows`` whose iterators raise only InputFileError (with the last good line)."""

    @functools.wraps(open_rows)
    def rows() -> Iterator[Row]:
        line = 0
        try:
            for row in open_rows():
                line = row[0]
                yield row
        except OtklikError:
            raise
        except Exception as exc:
            error = _one_line(path, exc)
            where = f" after line {line}" if line else ""
            message = str(error).replace(": cannot be read", f": cannot be read{where}", 1)
            raise InputFileError(message) from exc

    return rows
