"""Surveys in the browser: list them with their response rate, create one, edit its texts in
every language (or as YAML), preview each mechanic as the respondent sees it, and get an embed
snippet that works as pasted (a real signed invitation, ``otklik survey invite``'s function).

Admins edit; analysts and team leads read. Every save is a version (``otklik.configs``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from otklik import configs
from otklik.auth import Principal, Role
from otklik.errors import ConfigError, PolicyRefused, SurveyError
from otklik.metrics import compute
from otklik.surveys import (
    CHANNELS,
    LANGUAGES,
    MECHANICS,
    SURVEY_TYPES,
    Inviter,
    SurveyDef,
    get_survey,
    list_surveys,
)
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import AdminUser, PageUser, StateDep, require_role, session_of
from otklik.web.i18n import translator
from otklik.web.params import DbId
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_TEXT_FIELDS = ("question", "comment", "low", "high")
_PREVIEW_HEADERS = {
    # The preview is drawn inside the admin page: framed by otklik itself only.
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    ),
}
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
Short = Annotated[str, Form(max_length=500)]


def _reader(user: Principal) -> Principal:
    return require_role(user, Role.ADMIN, Role.ANALYST, Role.LEAD)


def _rates(state: WebState) -> dict[str, Any]:
    """Response rate per survey name (invitations keep the name they were sent under)."""
    rows = compute("response_rate", state.engine, segments=["survey"])
    return {str(row.segment.get("survey")): row for row in rows if row.segment}


def _rates_by_mechanic(state: WebState, survey: SurveyDef) -> list[Any]:
    return compute(
        "response_rate", state.engine, segments=["mechanic"], filters={"survey": survey.name}
    )


@router.get("/admin/surveys")
def surveys_page(
    request: Request, user: PageUser, state: StateDep, error: str | None = None
) -> Response:
    _reader(user)
    rates = _rates(state)
    surveys = [(survey, rates.get(survey.name)) for survey in list_surveys(state.engine)]
    return render(
        request,
        "admin_surveys.html",
        {"surveys": surveys, "types": list(SURVEY_TYPES), "error": error},
        422 if error else 200,
    )


@router.post("/admin/surveys")
def create(
    request: Request,
    user: AdminUser,
    state: StateDep,
    name: Annotated[str, Form(max_length=200)],
    type: Annotated[str, Form(max_length=20)],
    question_ru: Short = "",
    question_en: Short = "",
    csrf_token: Csrf = "",
) -> Response:
    session_of(request).check_csrf(csrf_token)
    questions: dict[str | None, str] = {
        lang: text.strip()
        for lang, text in (("ru", question_ru), ("en", question_en))
        if text.strip()
    }
    try:
        survey = configs.new_survey(
            state.engine, name=name, type=type, questions=questions, author=user.email
        )
    except SurveyError as exc:
        return surveys_page(request, user, state, error=str(exc))
    return RedirectResponse(f"/admin/surveys/{survey.id}?saved=1", status_code=303)


def _survey_page(
    request: Request,
    state: WebState,
    survey: SurveyDef,
    *,
    error: str | None = None,
    saved: str = "",
    embed: dict[str, Any] | None = None,
    source: str | None = None,
    status: int = 200,
) -> Response:
    base = (state.settings.public_url or str(request.base_url)).rstrip("/")
    return render(
        request,
        "admin_survey.html",
        {
            "survey": survey,
            "languages": LANGUAGES,
            "fields": _TEXT_FIELDS,
            "mechanics": MECHANICS,
            "channels": CHANNELS,
            "source": source if source is not None else configs.survey_source(survey),
            "error": error,
            "saved": saved,
            "embed": embed,
            "base": base,
            "rates": _rates_by_mechanic(state, survey),
            "versions": configs.list_versions(state.engine, configs.survey_kind(survey.id))[:3],
        },
        status,
    )


@router.get("/admin/surveys/{survey_id}")
def survey_page(
    request: Request, survey_id: DbId, user: PageUser, state: StateDep, saved: str = ""
) -> Response:
    _reader(user)
    return _survey_page(request, state, get_survey(state.engine, survey_id), saved=saved[:10])


@router.post("/admin/surveys/{survey_id}")
async def save_texts(
    request: Request, survey_id: DbId, user: AdminUser, state: StateDep
) -> Response:
    """The texts form: name, active, and question/comment/low/high per language."""
    form = await request.form()
    session_of(request).check_csrf(str(form.get(CSRF_FIELD) or ""))
    survey = await run_in_threadpool(get_survey, state.engine, survey_id)
    texts = {
        lang: {
            field: str(form.get(f"{lang}_{field}") or "")[:2000]
            for field in _TEXT_FIELDS
            if str(form.get(f"{lang}_{field}") or "").strip()
        }
        for lang in LANGUAGES
    }
    source = configs.survey_texts_source(
        survey,
        name=str(form.get("name") or "")[:200],
        active=form.get("active") == "on",
        texts={lang: values for lang, values in texts.items() if values},
    )
    return await run_in_threadpool(_save, request, state, user, survey, source, "")


def _save(
    request: Request,
    state: WebState,
    user: Principal,
    survey: SurveyDef,
    source: str,
    comment: str,
) -> Response:
    try:
        version = configs.save_survey(
            state.engine, survey.id, source, author=user.email, comment=comment or None
        )
    except SurveyError as exc:
        return _survey_page(request, state, survey, error=str(exc), source=source, status=422)
    return RedirectResponse(f"/admin/surveys/{survey.id}?saved={version.version}", status_code=303)


@router.post("/admin/surveys/{survey_id}/yaml")
def save_yaml(
    request: Request,
    survey_id: DbId,
    user: AdminUser,
    state: StateDep,
    source: Annotated[str, Form(max_length=100_000)] = "",
    comment: Short = "",
    csrf_token: Csrf = "",
) -> Response:
    session_of(request).check_csrf(csrf_token)
    survey = get_survey(state.engine, survey_id)
    return _save(request, state, user, survey, source, comment.strip())


@router.get("/admin/surveys/{survey_id}/history")
def history(request: Request, survey_id: DbId, user: PageUser, state: StateDep) -> Response:
    _reader(user)
    survey = get_survey(state.engine, survey_id)
    kind = configs.survey_kind(survey_id)
    return render(
        request,
        "admin_history.html",
        {
            "name": survey.name,
            "title_key": None,
            "back": f"/admin/surveys/{survey_id}",
            "revert_base": f"/admin/surveys/{survey_id}/history",
            "can_edit": user.is_admin,
            "versions": [
                (v, configs.version_diff(state.engine, kind, v.version))
                for v in configs.list_versions(state.engine, kind)
            ],
        },
    )


@router.post("/admin/surveys/{survey_id}/history/{version}/revert")
def revert(
    request: Request,
    survey_id: DbId,
    version: DbId,
    user: AdminUser,
    state: StateDep,
    csrf_token: Csrf = "",
) -> Response:
    session_of(request).check_csrf(csrf_token)
    survey = get_survey(state.engine, survey_id)
    old = configs.get_version(state.engine, configs.survey_kind(survey_id), version)
    return _save(request, state, user, survey, old.content, f"revert to version {version}")


@router.get("/admin/surveys/{survey_id}/preview")
def preview(
    request: Request,
    survey_id: DbId,
    user: PageUser,
    state: StateDep,
    mode: str = "bottom-sheet",
    lang: str = "ru",
) -> HTMLResponse:
    """The survey as a respondent sees it in ``mode``: the link page, or the real widget fed
    the survey by the page itself (nothing is sent to otklik, nothing recorded)."""
    _reader(user)
    survey = get_survey(state.engine, survey_id)
    mode = mode if mode in MECHANICS else "bottom-sheet"
    view = survey.view(lang if lang in LANGUAGES else "en")
    templates = state.templates
    if mode == "link":
        response = templates.TemplateResponse(
            request,
            "survey.html",
            {
                "view": view,
                "ui": view["ui"],
                "token": "preview",
                "error": None,
                "detail": None,
                "values": {},
                "action": f"/admin/surveys/{survey_id}/preview",
            },
        )
    else:
        data = {"survey": view, "mechanic": mode, "mode": mode, "thanks": view["ui"]["thanks"]}
        response = templates.TemplateResponse(
            request,
            "admin_survey_preview.html",
            {
                "data": json.dumps(data, ensure_ascii=False),
                "view": view,
                "mode": mode,
                "t": translator(request.state.locale),
            },
        )
    response.headers.update(_PREVIEW_HEADERS)
    return response


@router.post("/admin/surveys/{survey_id}/preview")
def preview_answer(request: Request, survey_id: DbId, user: PageUser) -> HTMLResponse:
    """The link page's form in a preview: nothing is recorded."""
    _reader(user)
    response = HTMLResponse(
        "<!doctype html><meta charset='utf-8'><p>preview: nothing was recorded</p>"
    )
    response.headers.update(_PREVIEW_HEADERS)
    return response


@router.post("/admin/surveys/{survey_id}/embed")
def embed(
    request: Request,
    survey_id: DbId,
    user: AdminUser,
    state: StateDep,
    customer_id: Annotated[str, Form(min_length=1, max_length=200)],
    mechanic: Annotated[str, Form(max_length=20)] = "bottom-sheet",
    channel: Annotated[str, Form(max_length=20)] = "web",
    lang: Annotated[str, Form(max_length=5)] = "ru",
    force: Annotated[str, Form(max_length=5)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """A real signed invitation for ``customer_id`` and the snippet that shows it."""
    session_of(request).check_csrf(csrf_token)
    survey = get_survey(state.engine, survey_id)
    try:
        inviter = Inviter.from_settings(state.engine, state.settings)
        result = inviter.invite(
            survey_id=survey_id,
            customer_id=customer_id.strip(),
            channel=channel,
            mechanic=mechanic,
            force=force == "on",
        )
    except (PolicyRefused, SurveyError, ConfigError) as exc:  # ConfigError: no survey secret
        return _survey_page(request, state, survey, error=str(exc), status=409)
    info = result.to_dict()
    return _survey_page(
        request,
        state,
        survey,
        embed={"token": info["token"], "url": info["url"], "mechanic": mechanic, "lang": lang},
    )
