"""The public survey endpoints: no login, a signed token is the only key.

    GET  /s/<token>     the survey page (HTML; JSON with ``Accept: application/json``,
                        which is what the widget reads)
    POST /s/<token>     an answer: form fields ``score``, ``comment``, ``reasons`` (HTML form)
                        or the same as JSON (the widget); 201 when stored
    GET  /widget.js     the embeddable widget, and /widget.css its styles

Unknown link 404, forged 403, expired 410, already answered 409, out-of-scale or missing
score 422, too large 413, too many requests 429: as an HTML page in the customer's language
or as ``{"error": {"code", "message"}}``. Nothing is written unless the answer is stored.
These are plain Starlette handlers, served by :class:`otklik.web.public_gate.PublicGate`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from otklik.errors import AnswerError, LinkError, NotFoundError, SurveyError
from otklik.experiments import record_link_load
from otklik.surveys import (
    WIDGET_CSS,
    WIDGET_JS,
    LinkClaims,
    OpenLink,
    Submission,
    SurveyDef,
    direction,
    negotiate_language,
    open_link,
    parse_answer,
    ui_texts,
)
from otklik.web.errors import error_body
from otklik.web.limits import json_too_deep, repeated_json_key, repeated_key_message
from otklik.web.ratelimit import RateLimiter
from otklik.web.survey_desk import SurveyDesk

__all__ = ["ASSETS", "survey_answer", "survey_page"]

_NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
_ASSET = {"Cache-Control": "public, max-age=3600"}
_MESSAGE_KEYS = {
    "unknown": "unknown",
    "forged": "forged",
    "expired": "expired",
    "answered": "answered",
}


class _Refused(Exception):
    """A request turned away before or instead of the survey: status, code, message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        ui_key: str = "failed",
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.ui_key = ui_key


def _desk(request: Request) -> SurveyDesk:
    desk: SurveyDesk = request.app.state.surveys
    return desk


def _json_wanted(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return True
    kind = request.headers.get("content-type", "")
    return request.method == "POST" and kind.startswith(("application/json", "text/plain"))


def _language(request: Request, desk: SurveyDesk, asked: Any = None) -> str:
    return negotiate_language(
        asked if isinstance(asked, str) else request.query_params.get("lang"),
        request.headers.get("accept-language"),
        desk.settings.default_locale,
    )


async def _admit(request: Request, desk: SurveyDesk, token: str) -> None:
    """Rate limits (per address, then per link) and a configured signer. Limits kept in the
    store (several web workers) are asked off the event loop."""
    address = request.client.host if request.client else "unknown"
    for limiter, key, what in (
        (desk.by_ip, f"ip:{address}", "address"),
        (desk.by_token, f"t:{token[:64]}", "link"),
    ):
        wait = (
            limiter.hit(key)
            if isinstance(limiter, RateLimiter)
            else await run_in_threadpool(limiter.hit, key)
        )
        if wait is not None:
            retry = str(max(1, int(wait) + 1))
            raise _Refused(
                429,
                "too_many_requests",
                f"too many requests from this {what}; try again in {retry} s",
                headers={"Retry-After": retry},
                ui_key="busy",
            )
    if desk.signer is None:
        raise _Refused(503, "unavailable", "survey links are not configured on this server")


def _link_refusal(exc: LinkError) -> _Refused:
    return _Refused(exc.status, exc.code, str(exc), ui_key=_MESSAGE_KEYS.get(exc.code, "failed"))


def _refused(request: Request, desk: SurveyDesk, refusal: _Refused) -> Response:
    headers = {**_NO_STORE, **refusal.headers}
    if _json_wanted(request):
        return JSONResponse(
            error_body(refusal.code, refusal.message), refusal.status, headers=headers
        )
    language = _language(request, desk)
    ui = ui_texts(language)
    return request.app.state.web.templates.TemplateResponse(
        request,
        "survey_message.html",
        {
            "language": language,
            "dir": direction(language),
            "ui": ui,
            "message": ui.get(refusal.ui_key, refusal.message),
            "detail": refusal.message,
        },
        status_code=refusal.status,
        headers=headers,
    )


def _page(
    request: Request,
    link: OpenLink,
    token: str,
    language: str,
    *,
    status: int = 200,
    error: str | None = None,
    detail: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = link.survey.view(language)
    response: HTMLResponse = request.app.state.web.templates.TemplateResponse(
        request,
        "survey.html",
        {
            "view": view,
            "ui": view["ui"],
            "token": token,
            "error": error,
            "detail": detail,
            "values": values or {},
            "action": f"/s/{token}?lang={language}",
        },
        status_code=status,
        headers=_NO_STORE,
    )
    return response


def _asset(path: Any, media_type: str) -> Callable[[], Response]:
    return lambda: FileResponse(path, media_type=media_type, headers=_ASSET)


ASSETS: dict[str, Callable[[], Response]] = {
    "/widget.js": _asset(WIDGET_JS, "text/javascript; charset=utf-8"),
    "/widget.css": _asset(WIDGET_CSS, "text/css; charset=utf-8"),
}


async def survey_page(request: Request, token: str) -> Response:
    """The survey of a link, as a page or (``Accept: application/json``) for the widget."""
    desk = _desk(request)
    try:
        await _admit(request, desk, token)
        assert desk.signer is not None
        link = await run_in_threadpool(open_link, desk.engine, desk.signer, desk.cache, token)
    except LinkError as exc:
        return _refused(request, desk, _link_refusal(exc))
    except _Refused as refusal:
        return _refused(request, desk, refusal)
    language = _language(request, desk)
    if _json_wanted(request):
        # A widget load of an invitation sent in an experiment is that variant's exposure.
        await run_in_threadpool(record_link_load, desk.engine, link.invitation_id)
        return JSONResponse(
            {
                "survey": link.survey.view(language),
                "mechanic": link.mechanic,
                "channel": link.channel,
                "expires_at": link.expires_at.isoformat() + "Z",
            },
            headers=_NO_STORE,
        )
    return _page(request, link, token, language)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    too_large = _Refused(413, "too_large", f"the answer is larger than {limit // 1024} KB")
    if declared is not None and (not declared.isdecimal() or int(declared) > limit):
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _fields(request: Request, body: bytes, max_depth: int) -> tuple[dict[str, Any], bool]:
    """The answer's fields, and whether they came as a form (else JSON)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind in ("application/json", "text/plain"):
            if json_too_deep(body, max_depth):
                raise _Refused(400, "too_deep", f"the answer nests deeper than {max_depth} levels")
            if (key := repeated_json_key(body)) is not None:
                raise _Refused(400, "repeated_key", repeated_key_message(key))
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data, False
        if kind in ("application/x-www-form-urlencoded", ""):
            text = body.decode("utf-8")
            return dict(parse_qs(text, keep_blank_values=True, max_num_fields=100)), True
        if kind == "multipart/form-data":

            async def once() -> Any:
                yield body

            form = await MultiPartParser(
                request.headers, once(), max_files=0, max_fields=100
            ).parse()
            return {key: form.getlist(key) for key in form}, True
    except (ValueError, UnicodeDecodeError, MultiPartException, RecursionError):
        raise _Refused(400, "bad_request", "the answer is not valid form data or JSON") from None
    raise _Refused(
        415, "unsupported_media_type", "send the answer as a form or as JSON (application/json)"
    )


async def _survey(desk: SurveyDesk, claims: LinkClaims) -> SurveyDef:
    survey = desk.cache.peek(claims.survey_id)
    if survey is None:
        try:
            survey = await run_in_threadpool(desk.cache.get, claims.survey_id)
        except NotFoundError:
            raise LinkError("unknown survey link", code="unknown", status=404) from None
    if not survey.active:
        raise LinkError("this survey is closed", code="expired", status=410)
    return survey


async def survey_answer(request: Request, token: str) -> Response:
    """Store an answer once: 201, or the reason it was not stored."""
    desk = _desk(request)
    fields: dict[str, Any] = {}
    survey: SurveyDef | None = None
    try:
        await _admit(request, desk, token)
        assert desk.signer is not None and desk.writer is not None
        claims = desk.signer.verify(token)
        fields, form = await _fields(
            request, await _body(request, desk.max_body), desk.settings.json_max_depth
        )
        survey = await _survey(desk, claims)
        answer = parse_answer(survey, fields, form=form)
        await desk.writer.record(Submission(claims, survey, answer))
    except LinkError as exc:
        return _refused(request, desk, _link_refusal(exc))
    except AnswerError as exc:
        if survey is None or _json_wanted(request):
            refusal = _Refused(422, "invalid_answer", str(exc))
            return _refused(request, desk, refusal)
        return _retry_page(request, desk, token, survey, exc, fields)
    except SurveyError as exc:
        return _refused(request, desk, _Refused(400, "bad_request", str(exc)))
    except _Refused as refusal:
        return _refused(request, desk, refusal)
    language = _language(request, desk, answer.language)
    if _json_wanted(request):
        return JSONResponse(
            {"status": "recorded", "message": ui_texts(language)["thanks"]}, 201, headers=_NO_STORE
        )
    return _thanks(request, language)


def _retry_page(
    request: Request,
    desk: SurveyDesk,
    token: str,
    survey: SurveyDef,
    error: AnswerError,
    fields: dict[str, Any],
) -> Response:
    """The form again (422), saying what to fix in the customer's language and exactly."""
    language = _language(request, desk)
    ui = ui_texts(language)
    hint = {"score": ui["score_needed"], "reasons": ui["reason_needed"]}.get(
        error.field or "", ui["failed"]
    )
    link = OpenLink(0, "", None, "link", survey.created_at, survey)
    values = {
        key: value[0] if isinstance(value, list) and value else value
        for key, value in fields.items()
        if key in ("score", "comment", "other")
    }
    values["reasons"] = fields.get("reasons") or []
    return _page(
        request, link, token, language, status=422, error=hint, detail=str(error), values=values
    )


def _thanks(request: Request, language: str) -> Response:
    ui = ui_texts(language)
    return request.app.state.web.templates.TemplateResponse(
        request,
        "survey_message.html",
        {
            "language": language,
            "dir": direction(language),
            "ui": ui,
            "message": ui["thanks"],
            "detail": None,
            "thanks": True,
        },
        status_code=201,
        headers=_NO_STORE,
    )
