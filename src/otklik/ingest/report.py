"""What an import did, in the shape ``otklik import --format json`` prints."""

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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def accounted(self) -> bool:
        """Every row read is in exactly one place: ledger, duplicates or quarantine."""
        return self.read == self.imported + self.updated + self.duplicates + self.quarantined
