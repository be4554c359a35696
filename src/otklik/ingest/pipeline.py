"""``import_file``: one file into the ledger, every row accounted for.

The file is read twice: a profile pass (row count, date order, scale) and the load pass, in
batches of one transaction each. Rows that fail validation go to the quarantine with their
line, field and reason. Ctrl-C marks the run interrupted; running the import again completes
it, because rows already stored count as duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from otklik.errors import ConfigError
from otklik.ingest.mapping import (
    CUSTOMER_FIELDS,
    ITEM_FIELDS,
    MappingFile,
    load_mapping,
    resolve_columns,
)
from otklik.ingest.profile import guess_scale, profile_rows
from otklik.ingest.readers import Table, open_table
from otklik.ingest.report import ImportReport
from otklik.ingest.rows import RowBuilder
from otklik.ledger import finish_run, start_run, write_customers, write_items
from otklik.types import Kind

__all__ = ["IMPORT_KINDS", "import_file", "import_table"]

IMPORT_KINDS: tuple[str, ...] = (*(kind.value for kind in Kind), "customers")

Progress = Callable[[int, int], None]  # (rows done, rows in the file)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    engine: Engine,
    path: Path,
    *,
    kind: str,
    source: str | None = None,
    mapping: MappingFile | Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` as feedback of ``kind`` (or the customer list for ``customers``)."""
    if kind not in IMPORT_KINDS:
        raise ConfigError(f"unknown kind {kind!r}; use one of {', '.join(IMPORT_KINDS)}")
    spec = mapping if isinstance(mapping, MappingFile) else load_mapping(mapping)
    table = open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    return import_table(
        engine,
        table,
        kind=kind,
        source=source or path.stem,
        mapping=spec,
        label=str(path),
        file_sha256=_sha256(path),
        batch_size=batch_size,
        progress=progress,
    )


def import_table(
    engine: Engine,
    table: Table,
    *,
    kind: str,
    source: str,
    mapping: MappingFile,
    label: str,
    file_sha256: str | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the rows of an opened :class:`Table` (a file, or records sent to the API)."""
    if kind not in IMPORT_KINDS:
        raise ConfigError(f"unknown kind {kind!r}; use one of {', '.join(IMPORT_KINDS)}")
    spec = mapping
    is_customers = kind == "customers"
    fields = CUSTOMER_FIELDS if is_customers else ITEM_FIELDS
    unknown_defaults = sorted(set(spec.defaults) - set(fields) - {"score"})
    if unknown_defaults:
        raise ConfigError(f"mapping file: defaults has an unknown field {unknown_defaults[0]!r}")
    columns = resolve_columns(table.headers, fields, spec, source=Path(label).name)
    date_fields = [
        name for name in ("occurred_at", "started_at", "churned_at") if name in columns.fields
    ]
    score_index = columns.fields.get("score")
    profile = profile_rows(
        table.rows(), [columns.fields[name] for name in date_fields], score_index
    )

    detected: dict[str, Any] = dict(table.detected)
    detected["columns"] = columns.describe(table.headers)
    detected["columns_how"] = columns.how
    detected["attributes"] = list(columns.attributes)
    if columns.notes:
        detected["notes"] = columns.notes
    detected["timezone"] = spec.timezone
    day_first: dict[str, bool | None] = {}
    for name in date_fields:
        column = profile.dates[columns.fields[name]]
        day_first[name] = column.day_first()
        described = column.describe()
        if described and not spec.date_format:
            detected.setdefault("date_order", {})[name] = described
    if spec.date_format:
        detected["date_format"] = spec.date_format
    file_scale = spec.scale
    if (
        not is_customers
        and score_index is not None
        and file_scale is None
        and "scale" not in columns.fields
    ):
        file_scale, why = guess_scale(table.headers[score_index], kind, profile.scores)
        detected["scale"] = f"{file_scale or 'none'} ({why})"
    elif file_scale:
        detected["scale"] = f"{file_scale} (mapping file)"

    builder = RowBuilder(
        kind=kind,
        headers=table.headers,
        columns=columns,
        mapping=spec,
        file_label=label,
        file_scale=file_scale,
        day_first=day_first,
    )
    run_id = start_run(engine, source=source, kind=kind, path=label, file_sha256=file_sha256)
    report = ImportReport(file=label, source=source, kind=kind, run_id=run_id, detected=detected)
    build = builder.customer if is_customers else builder.item
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    done = 0

    def flush() -> None:
        if is_customers:
            result = write_customers(
                engine, run_id=run_id, source=source, customers=good, quarantine=bad
            )
        else:
            result = write_items(engine, run_id=run_id, source=source, items=good, quarantine=bad)
        report.read += len(good) + len(bad)
        report.imported += result.imported
        report.updated += result.updated
        report.duplicates += result.duplicates
        report.quarantined += result.quarantined
        good.clear()
        bad.clear()
        if progress is not None:
            progress(done, profile.rows)

    try:
        for line, values in table.rows():
            record, problems = build(line, values)
            if record is not None:
                good.append(record)
            else:
                bad.append(builder.quarantine(line, values, problems))
            done += 1
            if len(good) + len(bad) >= batch_size:
                flush()
        if good or bad:
            flush()
    except BaseException:
        finish_run(engine, run_id, status="interrupted", detected=detected)
        raise
    finish_run(engine, run_id, status="completed", detected=detected)
    return report
