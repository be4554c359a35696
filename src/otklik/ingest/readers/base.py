"""The table every reader returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Row", "Table"]

# (line number in the file, values aligned with the headers)
Row = tuple[int, list[Any]]


@dataclass
class Table:
    path: Path
    headers: list[str]
    detected: dict[str, Any]
    # Called once per pass: imports read a file twice (profile, then load) without holding it.
    _open_rows: Callable[[], Iterator[Row]] = field(repr=False)

    def rows(self) -> Iterator[Row]:
        return self._open_rows()
