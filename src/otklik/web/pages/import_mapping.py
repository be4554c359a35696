"""The import's mapping step: upload → mapping and preview (nothing written) → confirm.

``POST /imports/preview`` keeps the upload (:class:`~otklik.web.uploads.UploadStore`, keyed to
the session) and shows what the CLI would detect: the columns, scale, time zone and date
format, the first rows as they would be stored and the rows that would be quarantined, with
line, field and reason (:func:`otklik.ingest.preview_table`, the import's own code path).
``POST /imports/preview/{id}`` recomputes it with the user's mapping; ``POST
/imports/confirm/{id}`` imports with that mapping (:func:`otklik.ingest.import_table`, as
``otklik import --mapping``) and shows the run's report. A mapping that cannot be used (a
column that is not in the file, an unknown time zone) is said on the page, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from otklik.errors import ConfigError, InputFileError, OtklikError
from otklik.ingest import (
    CUSTOMER_FIELDS,
    IMPORT_KINDS,
    ITEM_FIELDS,
    ImportLimits,
    ImportPreview,
    MappingFile,
    import_table,
    open_table,
    preview_table,
)
from otklik.types import SCALES
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import StateDep, WriterUser, session_of
from otklik.web.errors import ApiError
from otklik.web.limits import archive_problem
from otklik.web.pages.imports import run_page_response
from otklik.web.rendering import render
from otklik.web.state import WebState
from otklik.web.uploads import PendingUpload

__all__ = ["DATE_FORMATS", "TIMEZONES", "mapping_from_form", "router"]

router = APIRouter(include_in_schema=False)

DATE_FORMATS = (
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
)
TIMEZONES = (
    "UTC",
    "Europe/Moscow",
    "Europe/Kaliningrad",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
    "Asia/Jakarta",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
)
_SAMPLE = 20


def _fields(kind: str) -> tuple[str, ...]:
    return CUSTOMER_FIELDS if kind == "customers" else ITEM_FIELDS


def mapping_from_form(form: FormData, kind: str) -> tuple[MappingFile, str]:
    """The mapping the form describes (as a mapping file would) and the source name.

    Columns come as ``col_<field>`` (a header; empty: detect); raises :class:`ConfigError` for
    an unknown scale, time zone or decimal separator.
    """

    def value(name: str) -> str:
        found = form.get(name)
        return found.strip() if isinstance(found, str) else ""

    columns = {name: value(f"col_{name}") for name in _fields(kind) if value(f"col_{name}")}
    try:
        mapping = MappingFile(
            columns=columns,
            scale=value("scale") or None,
            timezone=value("timezone") or "UTC",
            date_format=value("date_format") or None,
            decimal=value("decimal") or None,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise ConfigError(f"{where}: {first.get('msg', 'invalid value')}") from None
    return mapping, value("source")


def _table(upload: PendingUpload, state: WebState) -> Any:
    problem = archive_problem(upload.path, state.settings.upload_max_mb)
    if problem is not None:
        raise ApiError(413, problem, code="too_large")
    try:
        return open_table(upload.path)
    except InputFileError as exc:
        # the message names the server's temporary copy: say the uploaded file's name
        raise InputFileError(str(exc).replace(str(upload.path), upload.name)) from None


def _preview(
    state: WebState, upload: PendingUpload, kind: str, source: str, mapping: MappingFile
) -> ImportPreview:
    return preview_table(
        state.engine,
        _table(upload, state),
        kind=kind,
        source=source or upload.path.stem,
        mapping=mapping,
        label=f"upload:{upload.name}",
        limits=ImportLimits.of(state.settings),
        sample=_SAMPLE,
    )


def _page(
    request: Request,
    state: WebState,
    upload: PendingUpload,
    *,
    kind: str,
    source: str,
    mapping: MappingFile,
    preview: ImportPreview | None,
    error: str | None = None,
) -> Response:
    detected_columns = preview.detected.get("columns", {}) if preview else {}
    chosen = {**detected_columns, **mapping.columns}
    shown = ["external_id", *[name for name in _fields(kind) if name in chosen and name != "id"]]
    if kind == "customers":
        shown = [name for name in _fields(kind) if name in chosen]
    return render(
        request,
        "import_preview.html",
        {
            "upload": upload,
            "kind": kind,
            "kinds": IMPORT_KINDS,
            "source": source,
            "mapping": mapping,
            "fields": _fields(kind),
            "chosen": chosen,
            "headers": preview.headers if preview else [],
            "preview": preview,
            "shown": shown,
            "scales": list(SCALES),
            "date_formats": DATE_FORMATS,
            "timezones": TIMEZONES,
            "error": error,
        },
        status=200 if error is None else 400,
    )


def _kind(value: str) -> str:
    if value not in IMPORT_KINDS:
        raise ApiError(422, f"unknown kind {value!r}", code="invalid_request")
    return value


@router.post("/imports/preview")
async def upload_for_preview(
    request: Request,
    user: WriterUser,
    state: StateDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()],
    source: Annotated[str, Form(max_length=200)] = "",
    scale: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Step 1: keep the file and show the mapping the CLI would use, with the preview."""
    session = session_of(request)
    session.check_csrf(csrf_token)
    _kind(kind)
    if scale and scale not in SCALES:
        raise ApiError(422, f"unknown scale {scale!r}", code="invalid_request")
    upload = await run_in_threadpool(
        state.uploads.save,
        session.csrf,
        file.file,
        filename=file.filename or "upload",
        kind=kind,
        source=source.strip(),
        limit_mb=state.settings.upload_max_mb,
    )
    mapping = MappingFile(scale=scale or None)
    return await run_in_threadpool(_show, request, state, upload, kind, source.strip(), mapping)


def _show(
    request: Request,
    state: WebState,
    upload: PendingUpload,
    kind: str,
    source: str,
    mapping: MappingFile,
) -> Response:
    try:
        preview = _preview(state, upload, kind, source, mapping)
    except ConfigError as exc:
        return _page(
            request,
            state,
            upload,
            kind=kind,
            source=source,
            mapping=mapping,
            preview=None,
            error=str(exc),
        )
    return _page(request, state, upload, kind=kind, source=source, mapping=mapping, preview=preview)


async def _mapping_request(
    request: Request, state: WebState, upload_id: str
) -> tuple[PendingUpload, str, FormData]:
    form = await request.form()
    session = session_of(request)
    token = form.get(CSRF_FIELD)
    session.check_csrf(token if isinstance(token, str) else None)
    upload = state.uploads.get(session.csrf, upload_id)
    asked = form.get("kind")
    kind = _kind(asked if isinstance(asked, str) and asked else upload.kind)
    return upload, kind, form


@router.post("/imports/preview/{upload_id}")
async def preview_again(
    request: Request, upload_id: str, user: WriterUser, state: StateDep
) -> Response:
    """Step 2: the preview recomputed with the user's mapping (still nothing written)."""
    return await _with_mapping(request, state, upload_id, _show)


@router.post("/imports/confirm/{upload_id}")
async def confirm_import(
    request: Request, upload_id: str, user: WriterUser, state: StateDep
) -> Response:
    """Step 3: the real import with the chosen mapping; the kept file is removed."""
    return await _with_mapping(request, state, upload_id, _confirm)


async def _with_mapping(
    request: Request,
    state: WebState,
    upload_id: str,
    then: Callable[[Request, WebState, PendingUpload, str, str, MappingFile], Response],
) -> Response:
    """The kept upload and the form's mapping handed to ``then`` (in a worker thread); a
    mapping the form cannot make shows the page again with the reason."""
    upload, kind, form = await _mapping_request(request, state, upload_id)
    try:
        mapping, source = mapping_from_form(form, kind)
    except ConfigError as exc:
        return _page(
            request,
            state,
            upload,
            kind=kind,
            source=upload.source,
            mapping=MappingFile(),
            preview=None,
            error=str(exc),
        )
    return await run_in_threadpool(then, request, state, upload, kind, source, mapping)


def _confirm(
    request: Request,
    state: WebState,
    upload: PendingUpload,
    kind: str,
    source: str,
    mapping: MappingFile,
) -> Response:
    try:
        report = import_table(
            state.engine,
            _table(upload, state),
            kind=kind,
            source=source or upload.path.stem,
            mapping=mapping,
            label=f"upload:{upload.name}",
            file_sha256=upload.sha256,
            batch_size=state.settings.import_batch_size,
            limits=ImportLimits.of(state.settings),
        )
    except ConfigError as exc:
        return _page(
            request,
            state,
            upload,
            kind=kind,
            source=source,
            mapping=mapping,
            preview=None,
            error=str(exc),
        )
    except OtklikError:
        state.uploads.discard(upload)
        raise
    state.uploads.discard(upload)
    state.data_changed()
    state.arrived(report.run_id)
    return run_page_response(request, state, report.run_id, report=report.as_dict())
