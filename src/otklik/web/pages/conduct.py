"""``/conduct`` ("Conduct / Этика общения"): the supervisors' queue of flagged items with the
evidence and one-click policy steps, and the figures for both sides (employee protection and
operators' flag rates against peers). Team users see their zone only; steps need the team, lead
or admin role, reviews (confirm, reverse) the lead or admin role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from otklik import conduct
from otklik.auth import Principal, Role
from otklik.conduct import PERIODS, agent_flag_rates, protection_figures
from otklik.errors import NotFoundError
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import PageUser, StateDep, require_role, session_of
from otklik.web.errors import ApiError
from otklik.web.params import DbId
from otklik.web.rendering import render
from otklik.web.scope import sees_team
from otklik.web.state import WebState

__all__ = ["conduct_agents", "conduct_figures", "conduct_panel", "highlight", "router"]

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
_STEPPERS = (Role.ADMIN, Role.TEAM, Role.LEAD)
_REVIEWERS = (Role.ADMIN, Role.LEAD)


def highlight(text: str | None, flags: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The text cut into ``(piece, category)`` runs, ``category`` None outside a flagged span;
    the template puts each flagged run in ``<mark>`` (autoescaped; the evidence in full)."""
    if not text:
        return []
    out: list[tuple[str, str | None]] = []
    pos = 0
    spans = sorted({(f["start"], f["end"], f["category"]) for f in flags})
    for start, end, category in spans:
        if start < pos:
            continue
        out.append((text[pos:start], None))
        out.append((text[start:end], str(category)))
        pos = end
    out.append((text[pos:], None))
    return [(piece, category) for piece, category in out if piece]


def conduct_panel(engine: Engine, item_id: int) -> dict[str, Any]:
    """The item page's conduct block: flags (highlighted in the text), steps, risk flags."""
    flags = conduct.item_flags(engine, item_id)
    _, customer, address = conduct.item_owner(engine, item_id)
    risks = conduct.active_risks(engine, values=[v for v in (customer, address) if v])
    return {
        "item_id": item_id,
        "flags": flags,
        "events": conduct.item_events(engine, item_id),
        "risks": risks,
    }


def conduct_figures(
    state: WebState, policy: conduct.ConductPolicy, *, period: str, zone: str | None
) -> dict[str, Any]:
    """The protection figures in ``zone`` (None: the whole store), kept in the page cache per
    zone, period and policy like the other page figures (dropped on every write)."""
    return state.cache.get(
        ("conduct_figures", period, zone, policy.model_dump_json()),
        lambda: protection_figures(state.engine, policy, period=period, zone=zone),
        keep=True,
    )


def conduct_agents(state: WebState, *, zone: str | None) -> list[conduct.AgentConduct]:
    """The operators' flag rates in ``zone``, kept like :func:`conduct_figures`."""
    return state.cache.get(
        ("conduct_agents", zone), lambda: agent_flag_rates(state.engine, zone=zone), keep=True
    )


@router.get("/conduct")
def conduct_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    period: Annotated[str, Query(pattern="^(" + "|".join(PERIODS) + ")$")] = "month",
    done: Annotated[str | None, Query(pattern="^[a-z]{1,10}$")] = None,
) -> Response:
    policy = conduct.policy_in_force(state.settings)
    queue = conduct.review_queue(state.engine, policy, zone=user.zone, limit=100)
    spans = conduct.items_flags(state.engine, [row["item_id"] for row in queue])
    for row in queue:
        row["marked"] = highlight(row["text"], spans.get(row["item_id"], []))
    locale: str = request.state.locale
    return render(
        request,
        "conduct.html",
        {
            "queue": queue,
            "figures": conduct_figures(state, policy, period=period, zone=user.zone),
            "agents": conduct_agents(state, zone=user.zone),
            "policy": policy,
            "lang": locale,
            "period": period,
            "periods": PERIODS,
            "zone": user.zone,
            "can_step": user.role in _STEPPERS,
            "can_review": user.role in _REVIEWERS,
            "risks": conduct.active_risks(state.engine) if user.zone is None else [],
            "done": done,
        },
    )


def _own(state: StateDep, user: Principal, item_id: int) -> None:
    try:
        team, _, _ = conduct.item_owner(state.engine, item_id)
    except NotFoundError:
        raise ApiError(404, f"no item {item_id}") from None
    if not sees_team(user, team):
        raise ApiError(404, f"no item {item_id}")


@router.post("/conduct/{item_id}/step")
def step_form(
    request: Request,
    item_id: DbId,
    user: PageUser,
    state: StateDep,
    step: Annotated[str, Form(pattern="^(warning|end|block)$")],
    note: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Csrf = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    require_role(user, *_STEPPERS)
    _own(state, user, item_id)
    policy = conduct.policy_in_force(state.settings)
    conduct.apply_step(state.engine, policy, item_id, step, by=user.email, note=note or None)
    state.data_changed()
    return RedirectResponse(f"/conduct?done={step}#item-{item_id}", status_code=303)


@router.post("/conduct/{item_id}/review")
def review_form(
    request: Request,
    item_id: DbId,
    user: PageUser,
    state: StateDep,
    decision: Annotated[str, Form(pattern="^(confirm|reverse)$")],
    note: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Csrf = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    require_role(user, *_REVIEWERS)
    _own(state, user, item_id)
    policy = conduct.policy_in_force(state.settings)
    try:
        conduct.review(state.engine, policy, item_id, decision, by=user.email, note=note or None)
    except NotFoundError as exc:
        raise ApiError(409, str(exc), code="conflict") from None
    state.data_changed()
    return RedirectResponse(f"/conduct?done={decision}", status_code=303)
