"""Drawing pages: the Jinja2 environment (autoescaped) and the context every page gets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from otklik.auth import Principal, Role
from otklik.metrics import json_safe
from otklik.web.charts import plotly_locale
from otklik.web.errors import HTTP_CODES
from otklik.web.i18n import LOCALES, translator
from otklik.web.names import labels_for

__all__ = ["LANG_COOKIE", "make_templates", "query_with", "render", "render_error"]

LANG_COOKIE = "otklik_lang"
_TEMPLATES = Path(__file__).with_name("templates")

# (path, message key, roles that see it)
_NAV: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("/", "nav.overview", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/explore", "nav.explore", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/topics", "topics.nav", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/priorities", "drivers.nav", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/scorecards", "nav.scorecards", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/items", "nav.items", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/inbox", "nav.inbox", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/imports", "nav.imports", (Role.ADMIN, Role.ANALYST)),
    ("/settings", "nav.settings", (Role.ADMIN, Role.ANALYST)),
    ("/llm", "nav.llm", (Role.ADMIN, Role.ANALYST)),
    ("/admin", "nav.admin", (Role.ADMIN, Role.ANALYST, Role.LEAD)),
    ("/model", "nav.model", (Role.ADMIN, Role.ANALYST)),
    ("/experiments", "experiments.nav", (Role.ADMIN, Role.ANALYST)),
    ("/contact", "contact.nav", (Role.ADMIN, Role.ANALYST)),
    ("/conduct", "conduct.nav", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/incidents", "incidents.nav", (Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)),
    ("/ex", "ex.nav", (Role.ADMIN, Role.HR)),
)


def query_with(request: Request, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, str(v)) for v in value)
        else:
            pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else "?"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    env = templates.env
    env.autoescape = True  # customer text is data: never markup, whatever the file name
    env.trim_blocks = True
    env.lstrip_blocks = True
    # Readable JSON for people (Cyrillic kept); autoescaping still applies to it.
    # Valid JSON only: an infinite or NaN number (which JSON lacks) becomes null.
    env.filters["json_text"] = lambda value: json.dumps(
        json_safe(value), ensure_ascii=False, default=str, allow_nan=False
    )
    return templates


def _nav(principal: Principal | None) -> list[tuple[str, str]]:
    if principal is None:
        return []
    return [(path, key) for path, key, roles in _NAV if principal.role in roles]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.web.templates
    locale: str = request.state.locale
    principal: Principal | None = getattr(request.state, "principal", None)
    labels = labels_for(request.app.state.web.settings, locale)
    base = {
        "t": labels.t,
        "names": labels.names,
        "label": labels,
        "locale": locale,
        "locales": LOCALES,
        "user": principal,
        "csrf": request.state.session.csrf,
        "nav": _nav(principal),
        "path": request.url.path,
        "query_with": lambda **changes: query_with(request, **changes),
        "plotly_locale": lambda: plotly_locale(labels.t),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    response: HTMLResponse = templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status
    )
    return response


def render_error(
    request: Request,
    status: int,
    message: str,
    code: str | None = None,
    *,
    key: str | None = None,
) -> HTMLResponse:
    """The error page: the translated message of ``code`` (the JSON error code:
    ``not_found``, ``config_error``…; unknown codes fall back to the status's), and below it
    the domain's own message (which names the limit, the field or the value) as a detail
    marked as English text (``<samp lang="en">``), since the domain writes it in English.
    ``key`` (an :class:`~otklik.web.errors.ApiError`'s ``page_key``, e.g.
    ``error.param.period``) names a more precise translated line where one exists."""
    t = translator(request.state.locale)
    if key is None or not t.has(key):
        key = f"error.code.{code}"
        if code is None or not t.has(key):
            key = f"error.code.{HTTP_CODES.get(status, 'error')}"
    context = {
        "status": status,
        "message": t(key),
        "detail": message or None,
    }
    return render(request, "error.html", context, status)
