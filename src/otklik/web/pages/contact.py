"""Contact policy pages (admins and analysts; admins save): fatigue by contact frequency with a
chart, the policy editor and the template editor with a preview on every channel. Both editors
validate like the CLI and record every save as a version (``config_versions``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from otklik.auth import Principal, Role
from otklik.configs import list_versions
from otklik.contact import (
    BINS,
    LANGUAGES,
    POLICY,
    TEMPLATES,
    TYPES,
    Document,
    FatigueRow,
    Templates,
    draft_message,
    fatigue,
    latest_sent_at,
    now_utc,
    preview,
    revert_document,
    save_document,
    trends,
)
from otklik.errors import ConfigError, NotFoundError
from otklik.llm import LlmClient, LlmError, StoreCache, load_llm_settings, make_http_client
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import StateDep, WriterUser, require_role, session_of
from otklik.web.i18n import Translator, translator
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Source = Annotated[str, Form(max_length=200_000)]
Comment = Annotated[str, Form(max_length=500)]
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
_COLOURS = {
    "survey_invitation": "#2563eb",
    "service": "#16a34a",
    "marketing": "#dc2626",
    "incident_update": "#9333ea",
    "reply": "#ea580c",
}


def _figure(rows: list[FatigueRow], t: Translator, key: str) -> dict[str, Any]:
    """One line per type (all channels): the rate by bin with its 95% interval as error bars."""
    data = []
    for kind in TYPES:
        mine = [r.to_dict() for r in rows if r.type == kind and r.channel == "all"]
        if not mine:
            continue
        rates = [r[key] for r in mine]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": t(f"contact.type.{kind}"),
                "x": [r["bin"] for r in mine],
                "y": [100 * (v["rate"] or 0) for v in rates],
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [100 * ((v["ci_high"] or 0) - (v["rate"] or 0)) for v in rates],
                    "arrayminus": [100 * ((v["rate"] or 0) - (v["ci_low"] or 0)) for v in rates],
                },
                "text": [f"n = {r['n']}" for r in mine],
                "line": {"color": _COLOURS[kind]},
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 300,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 50},
            "showlegend": True,
            "xaxis": {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [label for label, _, _ in BINS],
                "title": {"text": t("contact.earlier_axis")},
            },
            "yaxis": {"title": {"text": "%"}, "rangemode": "tozero"},
            "separators": ", " if t.locale == "ru" else ".,",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }


@router.get("/contact")
def fatigue_page(
    request: Request,
    user: WriterUser,
    state: StateDep,
    days: Annotated[int, Query(ge=1, le=3660)] = 180,
) -> Response:
    # The period ends at the newest message: imported history is shown even when it is old.
    until = (latest_sent_at(state.engine) or now_utc()) + timedelta(seconds=1)
    rows = fatigue(state.engine, since=until - timedelta(days=days), until=until)
    t = translator(request.state.locale)
    return render(
        request,
        "contact.html",
        {
            "days": days,
            "rows": [r.to_dict() for r in rows],
            "response_figure": _figure(rows, t, "response"),
            "opt_out_figure": _figure(rows, t, "opt_out"),
            "trends": [
                trend.to_dict()
                for trend in trends(rows)
                if trend.channel == "all" and trend.z is not None
            ],
        },
    )


def _editor(
    request: Request,
    state: WebState,
    user: Principal,
    document: Document,
    *,
    source: str | None = None,
    issues: list[Any] | None = None,
    failure: str | None = None,
    draft: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    text = document.source(state.settings) if source is None else source
    context: dict[str, Any] = {
        "file": str(document.save_path(state.settings)),
        "source": text,
        "issues": issues or [],
        "failure": failure,
        "saved": request.query_params.get("saved"),
        "versions": list_versions(state.engine, document.kind)[:10],
        "can_edit": user.role is Role.ADMIN,
    }
    if document is TEMPLATES:
        parsed, _ = TEMPLATES.parse(text, "templates")
        context["previews"] = _previews(parsed) if parsed is not None else []
        context["draft"] = draft or {"form": _DRAFT_DEFAULTS}
        context["draft_choices"] = {
            "types": TYPES,
            "channels": ("sms", "push", "email", "messenger"),
            "languages": LANGUAGES,
            "addresses": ("formal", "informal", "none"),
        }
        return render(request, "contact_templates.html", context, status=status)
    return render(request, "contact_policy.html", context, status=status)


_DRAFT_DEFAULTS = {
    "type": "incident_update",
    "channel": "sms",
    "language": "ru",
    "address": "formal",
    "facts": "",
    "rewrite": "",
}


def _previews(templates: Templates) -> list[dict[str, Any]]:
    shown = []
    for template in templates.templates:
        try:
            rendered = preview(template, {})
        except ConfigError as exc:
            shown.append({"template": template, "error": str(exc), "channels": []})
            continue
        shown.append(
            {"template": template, "error": None, "channels": [r.to_dict() for r in rendered]}
        )
    return shown


def _save(
    request: Request,
    state: WebState,
    user: Principal,
    document: Document,
    source: str,
    comment: str,
    csrf: str,
    back: str,
) -> Response:
    require_role(user, Role.ADMIN)
    session_of(request).check_csrf(csrf)
    try:
        result = save_document(
            state.engine,
            state.settings,
            document,
            source,
            author=user.email,
            comment=comment.strip() or None,
        )
    except OSError as exc:
        failure = f"{exc.filename or ''}: {exc.strerror or exc}"
        return _editor(request, state, user, document, source=source, failure=failure, status=500)
    if not result.ok:
        return _editor(
            request, state, user, document, source=source, issues=result.issues, status=422
        )
    version = result.version.version if result.version else ""
    return RedirectResponse(f"{back}?saved={version}", status_code=303)


@router.get("/contact/policy")
def policy_page(request: Request, user: WriterUser, state: StateDep) -> Response:
    return _editor(request, state, user, POLICY)


@router.post("/contact/policy")
def save_policy_page(
    request: Request,
    user: WriterUser,
    state: StateDep,
    source: Source,
    comment: Comment = "",
    csrf_token: Csrf = "",
) -> Response:
    return _save(request, state, user, POLICY, source, comment, csrf_token, "/contact/policy")


@router.get("/contact/templates")
def templates_page(request: Request, user: WriterUser, state: StateDep) -> Response:
    return _editor(request, state, user, TEMPLATES)


@router.post("/contact/templates")
def save_templates_page(
    request: Request,
    user: WriterUser,
    state: StateDep,
    source: Source,
    comment: Comment = "",
    csrf_token: Csrf = "",
) -> Response:
    return _save(request, state, user, TEMPLATES, source, comment, csrf_token, "/contact/templates")


@router.post("/contact/draft")
def draft_page(
    request: Request,
    user: WriterUser,
    state: StateDep,
    message_type: Annotated[str, Form(alias="type", max_length=30)] = "service",
    channel: Annotated[str, Form(max_length=30)] = "sms",
    language: Annotated[str, Form(max_length=5)] = "ru",
    address: Annotated[str, Form(max_length=10)] = "formal",
    facts: Annotated[str, Form(max_length=4000)] = "",
    rewrite: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Draft (or rewrite) a message with the configured LLM; the texts are masked first."""
    session_of(request).check_csrf(csrf_token)
    form = {
        "type": message_type,
        "channel": channel,
        "language": language,
        "address": address,
        "facts": facts,
        "rewrite": rewrite,
    }
    settings = load_llm_settings()
    try:
        with make_http_client(settings) as http:
            client = LlmClient(settings, http=http, cache=StoreCache(state.engine))
            result = draft_message(
                client,
                type_=message_type,
                channel=channel,
                language=language,
                address=address,
                facts=facts,
                rewrite=rewrite or None,
                engine=state.engine,
                actor=user.email,
                directory=settings.prompts_dir,
            )
    except LlmError as exc:
        draft = {"form": form, "error": str(exc)}
        return _editor(request, state, user, TEMPLATES, draft=draft, status=409)
    except ConfigError as exc:
        draft = {"form": form, "error": str(exc)}
        return _editor(request, state, user, TEMPLATES, draft=draft, status=400)
    draft = {"form": form, "result": result.to_dict()}
    return _editor(request, state, user, TEMPLATES, draft=draft)


def _revert(
    request: Request,
    state: WebState,
    user: Principal,
    document: Document,
    version: int,
    csrf: str,
    back: str,
) -> Response:
    require_role(user, Role.ADMIN)
    session_of(request).check_csrf(csrf)
    try:
        result = revert_document(state.engine, state.settings, document, version, author=user.email)
    except NotFoundError as exc:
        return _editor(request, state, user, document, failure=str(exc), status=404)
    if not result.ok:
        return _editor(request, state, user, document, issues=result.issues, status=422)
    saved = result.version.version if result.version else ""
    return RedirectResponse(f"{back}?saved={saved}", status_code=303)


Version = Annotated[int, Form(ge=1, le=1_000_000)]


@router.post("/contact/policy/revert")
def revert_policy_page(
    request: Request, user: WriterUser, state: StateDep, version: Version, csrf_token: Csrf = ""
) -> Response:
    return _revert(request, state, user, POLICY, version, csrf_token, "/contact/policy")


@router.post("/contact/templates/revert")
def revert_templates_page(
    request: Request, user: WriterUser, state: StateDep, version: Version, csrf_token: Csrf = ""
) -> Response:
    return _revert(request, state, user, TEMPLATES, version, csrf_token, "/contact/templates")
