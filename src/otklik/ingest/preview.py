"""A dry run of an import: what a table would become, computed without writing anything.

:func:`preview_table` goes through the same :func:`~otklik.ingest.pipeline.plan_import` and the
same row builder as :func:`~otklik.ingest.import_table`, so its counts are the import's:
``read == to_import + duplicates + quarantined`` (for feedback, a duplicate is an id already in
the ledger for this source or repeated earlier in the file, as the writer counts it). For the
customer list, ``to_import`` counts the rows that would be stored as new, changed or unchanged
customers (the writer splits those by comparing content; the preview does not) and
``duplicates`` is 0. The web's import form shows it before the user confirms.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine

from otklik.ingest.limits import ImportLimits
from otklik.ingest.mapping import MappingFile
from otklik.ingest.pipeline import plan_import
from otklik.ingest.readers import Table
from otklik.ledger import stored_external_ids

__all__ = ["ImportPreview", "preview_table"]


@dataclass
class ImportPreview:
    """What importing a table would do. ``rows``: the first records as they would be stored
    (ledger field → value); ``quarantine``: the first rows refused, each with ``line``,
    ``field``, ``reason`` and ``raw`` (the row by header)."""

    file: str
    source: str
    kind: str
    headers: list[str]
    detected: dict[str, Any]
    warnings: list[str]
    read: int = 0
    to_import: int = 0
    duplicates: int = 0
    quarantined: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def preview_table(
    engine: Engine,
    table: Table,
    *,
    kind: str,
    source: str,
    mapping: MappingFile,
    label: str,
    limits: ImportLimits | None = None,
    sample: int = 20,
    quarantine_sample: int = 200,
) -> ImportPreview:
    """Read every row of ``table`` as the import would and count where each would go.

    Reads the ledger (which ids are stored already) and writes nothing. Raises what
    :func:`~otklik.ingest.pipeline.plan_import` raises (:class:`ConfigError` for a mapping that
    names a missing column, an unknown scale or time zone).
    """
    plan = plan_import(table, kind=kind, source=source, mapping=mapping, label=label, limits=limits)
    preview = ImportPreview(
        file=label,
        source=plan.source,
        kind=kind,
        headers=list(table.headers),
        detected=plan.detected,
        warnings=list(plan.detected.get("warnings", [])),
    )
    seen: set[str] = set()
    for line, values in table.rows():
        preview.read += 1
        record, problems = plan.builder.build(line, values)
        if record is None:
            preview.quarantined += 1
            if len(preview.quarantine) < quarantine_sample:
                preview.quarantine.append(plan.builder.quarantine(line, values, problems))
            continue
        if len(preview.rows) < sample:
            preview.rows.append(record)
        if plan.is_customers:
            preview.to_import += 1
        elif record["external_id"] in seen:
            preview.duplicates += 1
        else:
            seen.add(record["external_id"])
    if not plan.is_customers:
        stored = stored_external_ids(engine, plan.source, sorted(seen))
        preview.duplicates += len(stored)
        preview.to_import = len(seen) - len(stored)
    return preview
