"""One JSON error shape for every API error, and friendly pages for browsers.

Every error under ``/api`` (and any request that asks for JSON) is answered as
``{"error": {"code": "...", "message": "..."}}`` with the matching status; a test walks the
routes to hold every endpoint to it. Pages get an HTML error page, and an unauthenticated
page request is redirected to the login page.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from otklik.errors import (
    ConfigError,
    InputFileError,
    MetricError,
    NotFoundError,
    OtklikError,
    StoreError,
    SurveyError,
)

__all__ = [
    "HTTP_CODES",
    "ApiError",
    "LoginRequired",
    "error_body",
    "install_error_handlers",
    "wants_json",
]

log = logging.getLogger("otklik.web")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An expected failure with its HTTP status and a stable machine-readable code."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        page_key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.page_key = page_key  # the error page's translated line, where not the code's
        self.status = status
        self.code = code or HTTP_CODES.get(status, "error")
        self.message = message
        self.headers = headers


class LoginRequired(Exception):
    """A page needs a signed-in user: the browser is sent to the login page."""


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):  # a JSON address answers JSON
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


_DOMAIN_CODES: tuple[tuple[type[OtklikError], int, str], ...] = (
    (NotFoundError, 404, "not_found"),
    (StoreError, 503, "store_error"),
    (MetricError, 400, "metric_error"),
    (InputFileError, 400, "input_file_error"),
    (ConfigError, 400, "config_error"),
)


def _status_of(exc: OtklikError) -> tuple[int, str]:
    if isinstance(exc, SurveyError):
        return exc.status, str(getattr(exc, "code", "survey_error"))
    for kind, status, code in _DOMAIN_CODES:
        if isinstance(exc, kind):
            return status, code
    return 400, "error"


def install_error_handlers(app: FastAPI, render_error: Any) -> None:
    """``render_error(request, status, message, code)`` draws the HTML page for browsers."""

    def respond(
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        page_key: str | None = None,
        **extra: Any,
    ) -> Response:
        if wants_json(request):
            return JSONResponse(error_body(code, message, **extra), status, headers=headers)
        if page_key is not None:
            response: Response = render_error(request, status, message, code, key=page_key)
        else:
            response = render_error(request, status, message, code)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return respond(
            request, exc.status, exc.code, exc.message, exc.headers, page_key=exc.page_key
        )

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return respond(request, 401, "unauthorized", "sign in or send a bearer token")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(OtklikError)
    async def _otklik(request: Request, exc: OtklikError) -> Response:
        status, code = _status_of(exc)
        return respond(request, status, code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "field": ".".join(str(part) for part in error.get("loc", ())[1:]) or None,
                "message": str(error.get("msg", "")),
            }
            for error in exc.errors()
        ]
        first = problems[0] if problems else {"field": None, "message": "invalid request"}
        message = str(first["message"])
        if first["field"]:
            message = f"{first['field']}: {message}"
        return respond(request, 422, "invalid_request", message, details=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = str(exc.detail) if exc.detail else code.replace("_", " ")
        return respond(request, exc.status_code, code, message, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal_error", "internal error (see the server log)")
