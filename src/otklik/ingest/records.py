"""Records sent to the API: the same mapping, normalisation, validation and quarantine as a
file import, because they go through the same :func:`~otklik.ingest.pipeline.import_table`.

Each record is a JSON object keyed by ledger fields (or any header a file could have). A record
that fails validation is quarantined like a bad row and reported back with its position.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from otklik.ingest.limits import ImportLimits
from otklik.ingest.mapping import MappingFile
from otklik.ingest.pipeline import import_table
from otklik.ingest.readers.base import Row, Table
from otklik.ingest.readers.jsonfile import NOT_AN_OBJECT
from otklik.ingest.report import ImportReport
from otklik.ledger import list_quarantine

__all__ = ["RecordError", "RecordsReport", "import_records"]


@dataclass(frozen=True)
class RecordError:
    """Why record number ``index`` (0-based, in the order sent) was not stored."""

    index: int
    field: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "reason": self.reason}


@dataclass
class RecordsReport:
    report: ImportReport
    errors: list[RecordError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.report.as_dict(), "errors": [error.as_dict() for error in self.errors]}


def _table(records: Sequence[Any], label: str) -> Table:
    headers: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            headers.update(dict.fromkeys(str(key) for key in record))
    names = list(headers)

    def rows() -> Iterator[Row]:
        # Line n is record n - 1: the quarantine and the errors say which record it was.
        for line, record in enumerate(records, start=1):
            if isinstance(record, dict):
                yield line, [record.get(name) for name in names]
            else:
                yield line, [NOT_AN_OBJECT, record]

    return Table(Path(label), names, {"format": "api"}, rows)


def import_records(
    engine: Engine,
    records: Sequence[Any],
    *,
    kind: str,
    source: str,
    mapping: MappingFile | None = None,
    label: str = "api",
    limits: ImportLimits | None = None,
) -> RecordsReport:
    """Store ``records`` of one ``kind`` from ``source``; bad ones go to the quarantine.

    Records without an ``id`` are identified by their raw values and their occurrence in this
    call (see :mod:`otklik.ingest.identity`): 14 identical records are 14 answers, and sending
    the same 14 again adds nothing. A client that sends identical answers one call at a time
    must give each an ``id``.
    """
    table = _table(records, label)
    report = import_table(
        engine,
        table,
        kind=kind,
        source=source,
        mapping=mapping or MappingFile(),
        label=label,
        batch_size=max(len(records), 1),
        limits=limits,
    )
    errors = [
        RecordError(row["line"] - 1, row["field"], row["reason"])
        for row in list_quarantine(engine, run_id=report.run_id)
    ]
    return RecordsReport(report, errors)
