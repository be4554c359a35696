"""``import_file``: one file into the ledger, every row accounted for.

The file is read twice: a profile pass (row count, date order, number format, scale) and the
load pass, in batches of one transaction each. Rows that fail validation go to the quarantine
with their line, field and reason. Ctrl-C marks the run interrupted; running the import again
completes it, because rows already stored count as duplicates.

What the profile could not settle (no score column in a survey, a number column whose decimal
separator stays ambiguous, scores that fit no scale, a source name cut to fit) is a warning in
the report; with ``strict=True`` any warning refuses the import before anything is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from otklik.errors import ConfigError, InputFileError
from otklik.ingest.ahead import read_ahead
from otklik.ingest.limits import ImportLimits, clamp_source, safe_raw, string_problem
from otklik.ingest.mapping import (
    CUSTOMER_FIELDS,
    ITEM_FIELDS,
    MappingFile,
    load_mapping,
    resolve_columns,
)
from otklik.ingest.profile import FileProfile, guess_scale, profile_rows
from otklik.ingest.readers import Table, open_table
from otklik.ingest.report import ImportReport
from otklik.ingest.rows import RowBuilder
from otklik.ledger import (
    EMPLOYEE_KINDS,
    bulk_load,
    finish_run,
    start_run,
    write_customers,
    write_item_rows,
    write_items,
)
from otklik.types import Kind

if TYPE_CHECKING:
    from otklik.ingest.columnar import FastLines

__all__ = ["IMPORT_KINDS", "ImportPlan", "import_file", "import_table", "plan_import"]

IMPORT_KINDS: tuple[str, ...] = (*(kind.value for kind in Kind), "customers")
_NUMBER_FIELDS = ("score", "revenue", "handle_time_s", "wait_time_s", "transfers")
# Kinds whose files are expected to carry a score: without one, the report warns.
_SCORED_KINDS = (Kind.SURVEY.value, Kind.EMPLOYEE.value)

# Rows per transaction (OTKLIK_IMPORT_BATCH_SIZE): an interrupted import leaves whole batches.
DEFAULT_BATCH_SIZE = 50_000
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
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    strict: bool = False,
    limits: ImportLimits | None = None,
    keep_employee_ids: bool | None = None,
    columnar: bool = True,
) -> ImportReport:
    """Import ``path`` as feedback of ``kind`` (or the customer list for ``customers``).

    ``strict``: refuse the import (:class:`InputFileError`, nothing written) when the report
    would carry a warning. ``limits``: the size limits on one row (comment length, ...).
    ``keep_employee_ids``, ``columnar``: see :func:`import_table`.
    """
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
        strict=strict,
        limits=limits,
        keep_employee_ids=keep_employee_ids,
        columnar=columnar,
    )


@dataclass
class ImportPlan:
    """What the profile pass settled about a table, before any row is written.

    ``builder`` turns each row into a record or a list of problems; the real import
    (:func:`import_table`) and its dry run (:func:`otklik.ingest.preview_table`) both use it,
    so a preview quarantines exactly the rows the import would.
    """

    kind: str
    source: str
    label: str
    detected: dict[str, Any]
    builder: RowBuilder
    rows: int

    @property
    def is_customers(self) -> bool:
        return self.kind == "customers"


def plan_import(
    table: Table,
    *,
    kind: str,
    source: str,
    mapping: MappingFile,
    label: str,
    strict: bool = False,
    limits: ImportLimits | None = None,
    lines: FastLines | None = None,
) -> ImportPlan:
    """Profile ``table`` and settle its columns, scale, dates and numbers; writes nothing.

    ``lines``: the same file read by :func:`otklik.ingest.columnar.read_lines`, profiled a
    column at a time (the same profile, without a row-wise pass).

    Raises :class:`ConfigError` for a bad mapping or source name, and :class:`InputFileError`
    when ``strict`` and the profile found something to warn about.
    """
    if kind not in IMPORT_KINDS:
        raise ConfigError(f"unknown kind {kind!r}; use one of {', '.join(IMPORT_KINDS)}")
    spec = mapping
    is_customers = kind == "customers"
    fields = CUSTOMER_FIELDS if is_customers else ITEM_FIELDS
    unknown_defaults = sorted(set(spec.defaults) - set(fields) - {"score"})
    if unknown_defaults:
        raise ConfigError(f"mapping file: defaults has an unknown field {unknown_defaults[0]!r}")
    if why := string_problem(source):
        raise ConfigError(f"the source name {why}")
    warnings: list[str] = []
    stored_source = clamp_source(source)
    if stored_source != source:
        warnings.append(
            f"the source name is {len(source)} characters, longer than 200: stored cut to "
            f"200 as '…{stored_source[-20:]}'; pass --source with a shorter name"
        )
    source = stored_source
    columns = resolve_columns(
        table.headers,
        fields,
        spec,
        source=Path(label).name,
        merged=table.detected.get("merged_headers", ()),
    )
    date_fields = [
        name for name in ("occurred_at", "started_at", "churned_at") if name in columns.fields
    ]
    number_fields = [name for name in _NUMBER_FIELDS if name in columns.fields]
    score_index = columns.fields.get("score")
    date_columns = [columns.fields[name] for name in date_fields]
    number_columns = [columns.fields[name] for name in number_fields]
    profile: FileProfile | None = None
    if lines is not None:
        from otklik.ingest.columnar import profile_lines  # pyarrow: only when importing

        try:
            profile = profile_lines(
                lines,
                len(table.headers),
                date_columns,
                score_index,
                number_columns,
                decimal=spec.decimal,
            )
        except Exception:  # anything unforeseen: the row-wise pass below decides
            profile = None
    if profile is None:
        profile = profile_rows(
            table.rows(), date_columns, score_index, number_columns, decimal=spec.decimal
        )

    # Readers may add warnings while reading (read by the profile pass above).
    detected: dict[str, Any] = dict(table.detected)
    warnings[:0] = [str(warning) for warning in detected.get("warnings", [])]
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
    decimals = _number_formats(table.headers, columns.fields, number_fields, profile, spec)
    for number_field, (_decimal, described, unresolved) in decimals.items():
        if described:
            detected.setdefault("number_format", {})[number_field] = described
        if unresolved:
            header = table.headers[columns.fields[number_field]]
            warnings.append(f"{number_field} ({header!r}): {described}")
    file_scale = spec.scale
    if (
        not is_customers
        and score_index is not None
        and file_scale is None
        and "scale" not in columns.fields
    ):
        file_scale, why = guess_scale(table.headers[score_index], kind, profile.scores)
        detected["scale"] = f"{file_scale or 'none'} ({why})"
        if file_scale is None and profile.scores:
            warnings.append(
                f"score ({table.headers[score_index]!r}): {why}; its scored rows are quarantined"
            )
        elif file_scale is not None and " suggests " in why:
            warnings.append(f"score: {why}")  # the header and the values disagree on the scale
    elif file_scale:
        detected["scale"] = f"{file_scale} (mapping file)"
    if score_index is None and kind in _SCORED_KINDS:
        warnings.append(
            f"no score column among the headers ({_headers(table.headers)}): the answers are "
            'imported without scores; map one with columns: {score: "…"} in a mapping file'
        )
    if warnings:
        detected["warnings"] = warnings
    if strict and warnings:
        raise InputFileError(
            f"{Path(label).name}: {warnings[0]} — --strict refuses "
            f"{'a warning' if len(warnings) == 1 else f'{len(warnings)} warnings'}; "
            "nothing imported"
        )
    detected = dict(safe_raw(detected))  # header names with NUL etc. must not reach the store

    builder = RowBuilder(
        kind=kind,
        headers=table.headers,
        columns=columns,
        mapping=spec,
        file_label=label,
        file_scale=file_scale,
        day_first=day_first,
        decimals={name: decimal for name, (decimal, _, _) in decimals.items()},
        limits=limits,
        # a CSV/TSV cell's column is its position: a row of another width is a broken row
        positional=table.detected.get("format") in ("csv", "tsv"),
    )
    return ImportPlan(kind, source, label, detected, builder, profile.rows)


def _keep_employee_ids() -> bool:
    from otklik.config import load_settings

    return load_settings().ex_keep_employee_ids


def import_table(
    engine: Engine,
    table: Table,
    *,
    kind: str,
    source: str,
    mapping: MappingFile,
    label: str,
    file_sha256: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    strict: bool = False,
    limits: ImportLimits | None = None,
    keep_employee_ids: bool | None = None,
    columnar: bool = True,
) -> ImportReport:
    """Import the rows of an opened :class:`Table` (a file, or records sent to the API).

    Employee answers are stored anonymous unless ``keep_employee_ids`` (None: the setting
    ``OTKLIK_EX_KEEP_EMPLOYEE_IDS``, default false; see :func:`otklik.ledger.write_items`).

    ``columnar`` (default): CSV/TSV files take the column-wise path
    (:mod:`otklik.ingest.columnar`, the same results, many times faster) where it applies,
    and the row-wise path otherwise; False forces the row-wise path (the reference).

    Raises :class:`ConfigError` for a bad mapping or source name, and :class:`InputFileError`
    when ``strict`` and the profile found something to warn about (nothing is written then).
    """
    lines: FastLines | None = None
    if columnar and kind != "customers" and table.columnar is not None:
        from otklik.ingest.columnar import read_lines  # pyarrow: only when importing

        lines = read_lines(table)
    plan = plan_import(
        table,
        kind=kind,
        source=source,
        mapping=mapping,
        label=label,
        strict=strict,
        limits=limits,
        lines=lines,
    )
    source, detected, builder, is_customers = (
        plan.source,
        plan.detected,
        plan.builder,
        plan.is_customers,
    )
    keep_ids = _keep_employee_ids() if keep_employee_ids is None else keep_employee_ids
    run_id = start_run(engine, source=source, kind=kind, path=label, file_sha256=file_sha256)
    report = ImportReport(
        file=label,
        source=source,
        kind=kind,
        run_id=run_id,
        detected=detected,
        warnings=list(detected.get("warnings", [])),
    )
    build = builder.build
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    done = 0

    def flush() -> None:
        if is_customers:
            result = write_customers(
                engine, run_id=run_id, source=source, customers=good, quarantine=bad
            )
        else:
            result = write_items(
                engine,
                run_id=run_id,
                source=source,
                items=good,
                quarantine=bad,
                keep_employee_ids=keep_ids,
            )
        report.read += len(good) + len(bad)
        report.imported += result.imported
        report.updated += result.updated
        report.duplicates += result.duplicates
        report.quarantined += result.quarantined
        good.clear()
        bad.clear()
        if progress is not None:
            progress(done, plan.rows)

    batches = None
    if lines is not None:
        from otklik.ingest.columnar import fast_batches

        batches = fast_batches(
            lines,
            builder,
            source=source,
            run_id=run_id,
            anonymise=kind in EMPLOYEE_KINDS and not keep_ids,
            chunk_rows=batch_size,
        )
    if batches is not None:
        try:
            with bulk_load(engine, plan.rows):
                for batch in read_ahead(batches):
                    result = write_item_rows(
                        engine,
                        run_id=run_id,
                        rows=batch.rows_out,
                        quarantine=batch.quarantine,
                        columns=batch.columns,
                    )
                    report.read += batch.rows
                    report.imported += result.imported
                    report.duplicates += result.duplicates
                    report.quarantined += result.quarantined
                    done += batch.rows
                    if progress is not None:
                        progress(done, plan.rows)
        except BaseException:
            finish_run(engine, run_id, status="interrupted", detected=detected)
            raise
        finish_run(engine, run_id, status="completed", detected=detected)
        return report
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


def _headers(headers: list[str]) -> str:
    shown = ", ".join(repr(header[:40]) for header in headers[:8])
    return shown + (f", … ({len(headers)} in all)" if len(headers) > 8 else "")


def _number_formats(
    headers: list[str],
    fields: dict[str, int],
    number_fields: list[str],
    profile: FileProfile,
    spec: MappingFile,
) -> dict[str, tuple[str | None, str | None, bool]]:
    """Per number field: (decimal separator, how it was decided, whether values stay unread)."""
    formats: dict[str, tuple[str | None, str | None, bool]] = {}
    for name in number_fields:
        column = profile.numbers[fields[name]]
        if spec.decimal:
            formats[name] = (spec.decimal, f"decimal {spec.decimal!r} (mapping file)", False)
        else:
            formats[name] = (column.decimal(), column.describe(), column.unresolved)
    return formats
