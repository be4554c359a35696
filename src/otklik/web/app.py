"""The web app's factory: ``create_app(settings)`` builds it; nothing runs at import time.

The engine, the metrics worker (with its rollups) and the login throttle are created in the
lifespan and kept on ``app.state.web``. The JSON API lives under ``/api/v1`` (OpenAPI at
``/api/v1/openapi.json``); pages are rendered on the server; Plotly's JavaScript is served
from the ``plotly`` Python package, so the browser fetches nothing from the internet.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from otklik import __version__
from otklik.auth import LoginThrottle
from otklik.config import PLACEHOLDER_SECRETS, Settings, load_settings
from otklik.errors import StoreError
from otklik.incidents import AnswerWatch
from otklik.jobs import ArrivalDesk, read_counter, shared_state
from otklik.ledger import current_revision, head_revision, make_engine, upgrade
from otklik.web.api import api_router
from otklik.web.auth import SessionCodec
from otklik.web.busy import Busy
from otklik.web.errors import ApiError, install_error_handlers
from otklik.web.i18n import LOCALES, negotiate
from otklik.web.limits import RequestLimits, has_nul
from otklik.web.metrics_worker import MetricsWorker
from otklik.web.pages import pages_router
from otklik.web.prewarm import start_prewarm
from otklik.web.public_gate import PublicGate
from otklik.web.rendering import LANG_COOKIE, make_templates, render_error
from otklik.web.state import TTLCache, WebState
from otklik.web.survey_desk import SurveyDesk

__all__ = ["PLOTLY_JS", "create_app"]

PLOTLY_JS = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
_STATIC = Path(__file__).with_name("static")
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _prepare_store(settings: Settings) -> WebState:
    engine = make_engine(settings.database_url)
    revision = current_revision(engine)
    if revision is None:
        upgrade(engine)
    elif revision != head_revision():
        engine.dispose()
        raise StoreError(f"the store is at schema {revision}; run `otklik init` to upgrade it")
    secret = settings.secret_key
    if secret in PLACEHOLDER_SECRETS:
        # Development without a key: sessions last until the server restarts.
        secret = secrets.token_urlsafe(48)
    shared = shared_state(engine, settings)
    return WebState(
        settings=settings,
        engine=engine,
        arrivals=ArrivalDesk(engine, settings),
        shared=shared,
        cache=TTLCache(
            60.0,
            version=(lambda: read_counter(engine)) if shared else None,
            refresh_in_background=settings.web_prewarm,
            refresh_after_write=settings.web_prewarm,
            # a labelling session writes every few seconds: recompute the heavy figures once
            # it pauses, not after every label (a recomputation cannot be stopped midway)
            settle_s=5.0,
        ),
        sessions=SessionCodec(settings, secret),
        throttle=LoginThrottle(
            engine, attempts=settings.login_attempts, window_s=settings.login_window_s
        ),
        metrics=MetricsWorker(
            engine,
            dimensions=settings.rollup_dimensions,
            check_every_s=settings.metrics_check_every_s,
            timezone=settings.timezone,
        ),
        templates=make_templates(),
        watch=AnswerWatch(engine, settings) if settings.incidents_detect_on_import else None,
    )


def _locale(request: Request, settings: Settings) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return chosen
    return negotiate(request.headers.get("accept-language"), settings.default_locale)


def _no_nul(request: Request) -> None:
    """No route takes a NUL character in its path or query (PostgreSQL cannot compare it)."""
    if has_nul(request.scope):
        raise ApiError(400, "a NUL character (%00) is not allowed in a parameter")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The otklik web app for ``settings`` (read from the environment when not given)."""
    settings = settings or load_settings()
    settings.require_secret()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = _prepare_store(settings)
        app.state.web = state
        app.state.surveys = SurveyDesk(
            settings, state.engine, shared=state.shared, on_items=state.arrived_items
        )
        if settings.web_prewarm:
            app.state.prewarm = start_prewarm(state)
        else:
            state.metrics.warm()
        try:
            yield
        finally:
            app.state.surveys.close()
            state.close()
            state.engine.dispose()

    app = FastAPI(
        dependencies=[Depends(_no_nul)],
        title="otklik",
        version=__version__,
        description="Customer feedback ledger and CX metrics: JSON API.",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    busy = app.state.busy = Busy()
    install_error_handlers(app, render_error)
    # Size, depth and NUL limits before any body is parsed (the survey lane has its own).
    # Added first, so it sits innermost: its refusals reach the error handlers unwrapped.
    app.add_middleware(RequestLimits, settings=settings)

    @app.middleware("http")
    async def _session_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        state: WebState = request.app.state.web
        session = state.sessions.load(request)
        request.state.session = session
        request.state.locale = _locale(request, settings)
        busy.count += 1  # long exports give way while a request is handled (web/busy.py)
        try:
            response = await call_next(request)
        finally:
            busy.count -= 1
        if session.changed:
            state.sessions.save(response, session)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # The server's own time for the request (benchmarks/bench_web.py reads it).
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(
            PLOTLY_JS,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    app.include_router(api_router)
    app.include_router(pages_router)
    # Survey links and the widget (no login) take their own lane, ahead of the session.
    app.add_middleware(
        PublicGate, origins=settings.survey_allowed_origins, headers=_SECURITY_HEADERS
    )
    return app
