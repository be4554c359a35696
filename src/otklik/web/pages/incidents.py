"""Incidents on the web: the operators' banner (inbox, overview), the incidents page with the
honest-ETA score, and the public status page and JSON (``/status``, ``/status.json``: no
sign-in, no internal details, in the customer's language, embeddable)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from otklik.auth import Principal
from otklik.incidents import active_incidents, eta_scores, list_incidents, public_status
from otklik.web.deps import PageUser, StateDep
from otklik.web.errors import ApiError
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["banner", "period_incidents", "router"]

router = APIRouter(include_in_schema=False)
_PUBLIC_HEADERS = {
    "Cache-Control": "public, max-age=30",
    # Embeddable: any site may frame the status widget (CSP frame-ancestors wins over the
    # app's X-Frame-Options in browsers that know it).
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; frame-ancestors *"
    ),
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _local(value: datetime | None, timezone: str) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def _moment(value: str | None, timezone: str) -> datetime | None:
    """``?at=``: a past moment to show the status as it was then (post-incident reviews, the
    demo); without an offset it is read in the reporting time zone. Unreadable: a 422, like
    every date parameter (``otklik.web.params``)."""
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(
            422,
            f"cannot read at={value!r}: use e.g. 2025-06-10T09:00",
            code="invalid_request",
            page_key="error.param.at",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC).replace(tzinfo=None)


def banner(
    state: WebState, user: Principal | None, *, at: datetime | None = None
) -> list[dict[str, Any]]:
    """The open incidents in the user's zone, for the banner: id, title, both messages, the
    current ETA in the reporting time zone and whether it has passed (at ``at``, default
    now)."""
    now = at or _now()
    timezone = state.settings.timezone
    return [
        {
            "id": i.id,
            "title": i.title,
            "message": {"ru": i.message_ru, "en": i.message_en},
            "eta": _local(i.eta_at, timezone),
            "eta_missed": i.eta_missed(now),
            "eta_moves": i.eta_moves,
        }
        for i in active_incidents(state.engine, at=now, team=user.zone if user else None)
    ]


def period_incidents(
    state: WebState, user: Principal, start: date, end: date
) -> list[dict[str, Any]]:
    """Incidents in the user's zone that were open at some time between ``start`` and ``end``
    (days in the reporting time zone, end exclusive), for the overview."""
    timezone = ZoneInfo(state.settings.timezone)
    low = datetime.combine(start, time(), timezone).astimezone(UTC).replace(tzinfo=None)
    high = datetime.combine(end, time(), timezone).astimezone(UTC).replace(tzinfo=None)
    found = []
    for row in list_incidents(state.engine, team=user.zone):
        if row["started_at"] >= high or (row["resolved_at"] and row["resolved_at"] < low):
            continue
        for name in ("started_at", "first_eta_at", "resolved_at"):
            row[name + "_local"] = _local(row[name], state.settings.timezone)
        found.append(row)
    return found


def _language(request: Request, lang: str | None) -> str:
    if lang in ("ru", "en"):
        return lang
    locale: str = request.state.locale
    return locale


@router.get("/status.json")
def status_json(
    request: Request,
    state: StateDep,
    lang: Annotated[str | None, Query(max_length=5)] = None,
    at: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The public status as JSON (CORS open: a widget on any site may read it)."""
    moment = _moment(at, state.settings.timezone)
    body = public_status(state.engine, language=_language(request, lang), at=moment)
    return JSONResponse(body, headers={**_PUBLIC_HEADERS, "Access-Control-Allow-Origin": "*"})


@router.get("/status")
def status_page(
    request: Request,
    state: StateDep,
    lang: Annotated[str | None, Query(max_length=5)] = None,
    embed: Annotated[bool, Query()] = False,
    at: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The public status page (``?embed=1``: the widget, without the site's frame; ``?at=``:
    as it was at a past moment)."""
    language = _language(request, lang)
    request.state.locale = language
    moment = _moment(at, state.settings.timezone)
    status = public_status(state.engine, language=language, at=moment)
    timezone = state.settings.timezone
    for entry in [*status["incidents"], *status["resolved"]]:
        for name in ("started_at", "eta_at", "resolved_at"):
            if entry.get(name):
                parsed = datetime.fromisoformat(entry[name].replace("Z", "+00:00"))
                entry[name + "_local"] = _local(parsed.replace(tzinfo=None), timezone)
    response = render(
        request,
        "incidents_status.html",
        {"status": status, "embed": embed, "timezone": timezone},
    )
    response.headers.update(_PUBLIC_HEADERS)
    return response


@router.get("/incidents")
def incidents_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    at: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Incidents in the user's zone and the honest-ETA score of their teams (``?at=``: the
    banner as operators saw it then)."""
    timezone = state.settings.timezone
    moment = _moment(at, timezone)
    rows = list_incidents(state.engine, team=user.zone)
    for row in rows:
        for name in ("started_at", "eta_at", "first_eta_at", "resolved_at"):
            row[name + "_local"] = _local(row[name], timezone)
    scores = [
        s
        for s in eta_scores(state.engine, team=user.zone, timezone=timezone)
        if user.zone is None or s.team == user.zone
    ]
    return render(
        request,
        "incidents.html",
        {"incidents": rows, "scores": scores, "banner": banner(state, user, at=moment)},
    )
