"""The public survey endpoints' own lane through the app (pure ASGI).

Customers' answers are the app's hot path: thousands a second from the widget and links, none
of them signed in. :class:`PublicGate` sits first among the app's middleware and serves
``/s/<token>``, ``/widget.js`` and ``/widget.css`` itself (:mod:`otklik.web.public`), so these
requests skip the session cookie, the page router and the API's dependency machinery; every
other request passes through untouched.

It also answers for cross-origin use: ``OPTIONS`` preflights are answered here and every
response under ``/s/`` carries ``Access-Control-Allow-Origin`` for the origins in
``OTKLIK_SURVEY_ALLOWED_ORIGINS`` (``*`` by default: the token is the only key, so no
credentials are ever allowed). The app's security headers (CSP with scripts from self only,
nosniff, no framing) are added to every public response, and an unexpected error becomes a
500 in the one JSON error shape, never a stack trace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from otklik.web.errors import error_body
from otklik.web.public import ASSETS, survey_answer, survey_page

__all__ = ["PUBLIC_PREFIX", "PublicGate"]

log = logging.getLogger("otklik.web")

PUBLIC_PREFIX = "/s/"
_ALLOW_METHODS = b"GET, POST, OPTIONS"
_ALLOW_HEADERS = b"Accept, Content-Type"


class PublicGate:
    """Serves the public survey paths; passes everything else to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins: Iterable[str],
        headers: Mapping[str, str],
    ) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.headers = dict(headers)

    def _allowed(self, origin: str | None) -> str | None:
        if "*" in self.origins:
            return "*"
        return origin if origin in self.origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(PUBLIC_PREFIX):
            await self._survey(scope, receive, send, path[len(PUBLIC_PREFIX) :])
        elif path in ASSETS and scope["method"] in ("GET", "HEAD"):
            await self._respond(ASSETS[path](), scope, receive, send, cors=None)
        else:
            await self.app(scope, receive, send)

    async def _survey(self, scope: Scope, receive: Receive, send: Send, token: str) -> None:
        started = time.perf_counter()
        method = scope["method"]
        request_headers = Headers(scope=scope)
        allowed = self._allowed(request_headers.get("origin"))
        if method == "OPTIONS" and "access-control-request-method" in request_headers:
            await self._preflight(allowed, send)
            return
        request = Request(scope, receive)
        response: Response
        try:
            if "/" in token or not token:
                response = JSONResponse(error_body("not_found", "no such page"), 404)
            elif method in ("GET", "HEAD"):
                response = await survey_page(request, token)
            elif method == "POST":
                response = await survey_answer(request, token)
            else:
                response = JSONResponse(
                    error_body("method_not_allowed", f"{method} is not allowed here"),
                    405,
                    headers={"Allow": "GET, POST, OPTIONS"},
                )
        except Exception:
            log.exception("unexpected error on %s %s", method, scope["path"])
            response = JSONResponse(
                error_body("internal_error", "internal error (see the server log)"), 500
            )
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        await self._respond(response, scope, receive, send, cors=allowed)

    async def _respond(
        self, response: Response, scope: Scope, receive: Receive, send: Send, *, cors: str | None
    ) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    out.setdefault(name, value)
                if cors is not None:
                    out["Access-Control-Allow-Origin"] = cors
                    if cors != "*":
                        out.add_vary_header("Origin")
            await send(message)

        await response(scope, receive, send_with_headers)

    async def _preflight(self, allowed: str | None, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = [(b"content-length", b"0"), (b"vary", b"Origin")]
        if allowed is not None:
            headers += [
                (b"access-control-allow-origin", allowed.encode("latin-1")),
                (b"access-control-allow-methods", _ALLOW_METHODS),
                (b"access-control-allow-headers", _ALLOW_HEADERS),
                (b"access-control-max-age", b"600"),
            ]
        status = 204 if allowed is not None else 403
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
