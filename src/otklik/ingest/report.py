"""What an import did, in the shape ``otklik import --format json`` prints.

``warnings`` are one-line strings about the file as a whole (a survey without a score column,
a number column whose decimal separator stays ambiguous, scores that fit no scale, a reader's
doubts about the file); ``otklik import --strict`` refuses a file that has any.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    file: str
    source: str
    kind: str
    run_id: int
    read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    detected: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def accounted(self) -> bool:
        """Every row read is in exactly one place: ledger, duplicates or quarantine."""
        return self.read == self.imported + self.updated + self.duplicates + self.quarantined
