"""Imports: upload a file (the same ``import_file`` path as the CLI), see the report and the
quarantine; runs and quarantined rows export to CSV and XLSX."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from otklik.errors import InputFileError
from otklik.ingest import IMPORT_KINDS, ImportLimits, MappingFile, import_table, open_table
from otklik.ledger import get_run, list_quarantine, list_runs
from otklik.types import SCALES
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import StateDep, WriterUser, session_of
from otklik.web.errors import ApiError
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.limits import archive_problem
from otklik.web.params import DbId
from otklik.web.rendering import render

__all__ = ["router", "run_page_response"]

router = APIRouter(include_in_schema=False)
_RUN_COLUMNS = (
    "id",
    "source",
    "kind",
    "path",
    "status",
    "started_at",
    "finished_at",
    "read",
    "imported",
    "updated",
    "duplicates",
    "quarantined",
)
_QUARANTINE_COLUMNS = ("run_id", "file", "line", "field", "reason", "raw")
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)
_CHUNK = 1 << 20


@router.get("/imports")
def imports_page(
    request: Request, user: WriterUser, state: StateDep, format: str | None = None
) -> Response:
    runs = list_runs(state.engine, limit=200)
    if format in EXPORT_FORMATS:
        return export_table(
            format,
            "otklik-imports",
            _RUN_COLUMNS,
            ([run.get(name) for name in _RUN_COLUMNS] for run in runs),
            zone=state.settings.timezone,
            request=request,
        )
    return render(
        request, "imports.html", {"runs": runs, "kinds": IMPORT_KINDS, "scales": list(SCALES)}
    )


def _save(upload: UploadFile, folder: Path, limit_mb: int) -> tuple[Path, str]:
    name = _SAFE_NAME.sub("_", Path(upload.filename or "upload").name).strip("._") or "upload"
    path = folder / name
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit_mb * _CHUNK:
                raise ApiError(413, f"the file is larger than {limit_mb} MB", code="too_large")
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


@router.post("/imports")
def upload(
    request: Request,
    user: WriterUser,
    state: StateDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()],
    source: Annotated[str, Form(max_length=200)] = "",
    scale: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    session_of(request).check_csrf(csrf_token)
    if kind not in IMPORT_KINDS:
        raise ApiError(422, f"unknown kind {kind!r}", code="invalid_request")
    if scale and scale not in SCALES:
        raise ApiError(422, f"unknown scale {scale!r}", code="invalid_request")
    with tempfile.TemporaryDirectory(prefix="otklik-upload-") as folder:
        path, sha = _save(file, Path(folder), state.settings.upload_max_mb)
        problem = archive_problem(path, state.settings.upload_max_mb)
        if problem is not None:
            raise ApiError(413, problem, code="too_large")
        try:
            table = open_table(path)
        except InputFileError as exc:
            # the message names the server's temporary copy: say the uploaded file's name
            raise InputFileError(str(exc).replace(str(path), path.name)) from None
        report = import_table(
            state.engine,
            table,
            kind=kind,
            source=source.strip() or path.stem,
            mapping=MappingFile(scale=scale or None),
            label=f"upload:{path.name}",
            file_sha256=sha,
            batch_size=state.settings.import_batch_size,
            limits=ImportLimits.of(state.settings),
        )
    state.data_changed()
    state.arrived(report.run_id)
    return run_page_response(request, state, report.run_id, report=report.as_dict())


def run_page_response(
    request: Request, state: StateDep, run_id: int, report: dict[str, object] | None = None
) -> Response:
    """The run's page: its report and quarantine (``report``: the import just made)."""
    run = get_run(state.engine, run_id)
    if run is None:
        raise ApiError(404, f"no import {run_id}")
    rows = list_quarantine(state.engine, run_id=run_id)
    return render(
        request,
        "import_run.html",
        {"run": run, "quarantine": rows[:500], "quarantined": len(rows), "report": report},
    )


@router.get("/imports/{run_id}")
def run_page(
    request: Request, run_id: DbId, user: WriterUser, state: StateDep, format: str | None = None
) -> Response:
    if format in EXPORT_FORMATS:
        rows = list_quarantine(state.engine, run_id=run_id)
        return export_table(
            format,
            f"otklik-quarantine-{run_id}",
            _QUARANTINE_COLUMNS,
            ([row.get(name) for name in _QUARANTINE_COLUMNS] for row in rows),
            zone=state.settings.timezone,
            request=request,
        )
    return run_page_response(request, state, run_id)
