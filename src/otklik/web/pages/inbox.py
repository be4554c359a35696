"""The team inbox: cases by priority, filters in the URL, bulk actions with a confirmation step.

Cases, their priority and filters are :mod:`otklik.routing` (texts with personal data masked,
as in ``otklik cases list``); bulk actions are :func:`otklik.routing.bulk_apply`. This module
only reads the query and the forms, checks the zone and renders. One case with the customer's
history and the reply form is :mod:`otklik.web.pages.case`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from otklik import conduct, routing
from otklik.classify import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy
from otklik.errors import ConfigError
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import PageUser, StateDep, session_of
from otklik.web.errors import ApiError
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.names import file_stamp
from otklik.web.pages.explore import filter_options
from otklik.web.pages.incidents import banner as incidents_banner
from otklik.web.params import MAX_ID, case_filter_of, split_values
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["EXPORT_LIMIT", "FILTER_NAMES", "case_filter", "relabel_choices", "router"]

router = APIRouter(include_in_schema=False)
_PAGE = 50
EXPORT_LIMIT = 100_000
FILTER_NAMES = ("status", "team", "topic", "type", "channel", "sla", "assignee")
_EXPORT = (
    "id",
    "item_id",
    "priority",
    "team",
    "status",
    "sla",
    "reason",
    "assignee",
    "due_at",
    "overdue",
    "created_at",
    "closed_at",
    "note",
    "channel",
    "type",
    "topics",
    "text",
)
Values = Annotated[list[str] | None, Query()]


def case_filter(values: Mapping[str, Sequence[str]], zone: str | None) -> routing.CaseFilter:
    """The :class:`otklik.routing.CaseFilter` of a query (``status``, ``team``, … as lists,
    comma-separated values allowed; ``overdue=true``); an unknown status or SLA state is a
    422, as in the API (:func:`otklik.web.params.case_filter_of`)."""
    chosen = {
        name: [v for v in split_values(list(values.get(name) or [])) if v] for name in FILTER_NAMES
    }
    overdue = any(v in ("true", "1", "on") for v in values.get("overdue") or [])
    return case_filter_of(chosen, zone=zone, overdue=overdue)


def _taxonomy(state: WebState) -> Taxonomy:
    path = state.settings.taxonomy or DEFAULT_TAXONOMY
    return state.cache.get(("taxonomy", *file_stamp(path)), lambda: load_taxonomy(path))


def relabel_choices(state: WebState, locale: str) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for the team, topic and type choices, labelled in ``locale``."""
    taxonomy = _taxonomy(state)
    teams = [
        (row["name"], row.get("title") or row["name"]) for row in routing.list_teams(state.engine)
    ]
    topics = [(node.id, node.title(locale)) for node in taxonomy.flat_topics()]
    types = [
        (name, spec.label.get(locale) or spec.label.get("en") or name)
        for name, spec in taxonomy.types.items()
    ]
    return {"teams": teams, "topics": topics, "types": types}


def _filter_query(request: Request) -> str:
    """The current filter as a query string (no page, no format): what "all N" acts on."""
    pairs = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key in (*FILTER_NAMES, "overdue") and value
    ]
    return urlencode(pairs)


@router.get("/inbox")
def inbox_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    order: Annotated[str, Query(pattern="^(priority|due)$")] = "priority",
    format: str | None = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    n: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
) -> Response:
    values = {name: request.query_params.getlist(name) for name in (*FILTER_NAMES, "overdue")}
    where = case_filter(values, user.zone)
    if not where.status:
        where = replace(where, status=("open", "in_progress"))
    if format in EXPORT_FORMATS:  # streamed: read in batches while the file is written
        found = routing.iter_cases(
            state.engine, where=where, order=order, limit=EXPORT_LIMIT, labels=True
        )
        return export_table(
            format,
            "otklik-cases",
            _EXPORT,
            ([_cell(case, name) for name in _EXPORT] for case in found),
            zone=state.settings.timezone,
            request=request,
        )
    cases, total = routing.case_page(
        state.engine,
        where=where,
        order=order,
        limit=_PAGE,
        offset=(page - 1) * _PAGE,
        labels=True,
    )
    locale: str = request.state.locale
    choices = relabel_choices(state, locale)
    return render(
        request,
        "inbox.html",
        {
            "cases": cases,
            "total": total,
            "where": where,
            "order": order,
            "all_statuses": routing.CASE_STATUSES,
            "sla_states": routing.SLA_STATES,
            "unassigned": routing.UNASSIGNED,
            "channels": filter_options(state, user, ("channel",))["channel"],
            "assignees": routing.case_assignees(state.engine, zone=user.zone),
            "choices": choices,
            "topic_titles": dict(choices["topics"]),
            "team_titles": dict(choices["teams"]),
            "filter_query": _filter_query(request),
            "page": page,
            "pages": max(1, -(-total // _PAGE)),
            "done": done if done in routing.BULK_ACTIONS else None,
            "done_count": n,
            "conduct": conduct.badges(state.engine, [c["item_id"] for c in cases]),
            "incidents_banner": incidents_banner(state, user),
        },
    )


def _cell(case: dict[str, Any], name: str) -> Any:
    value = case.get(name)
    return ", ".join(value) if isinstance(value, list) else value


def _targets(
    state: WebState, user: Any, scope: str, ids: list[int], filter_query: str
) -> tuple[list[int], str]:
    """The case ids a bulk form means, and the filter query it was made under."""
    if scope == "all":
        where = case_filter(parse_qs(filter_query), user.zone)
        return routing.bulk_targets(state.engine, where=where, zone=user.zone), filter_query
    if not ids:
        raise ApiError(422, "select at least one case", code="invalid_request")
    return routing.bulk_targets(state.engine, ids=ids, zone=user.zone), filter_query


BulkForm = Annotated[str, Form(max_length=5000)]
CaseId = Annotated[int, Field(ge=1, le=MAX_ID)]


@router.post("/inbox/bulk")
def bulk_confirm(
    request: Request,
    user: PageUser,
    state: StateDep,
    action: Annotated[str, Form(pattern="^(assign|close|relabel)$")],
    scope: Annotated[str, Form(pattern="^(selected|all)$")] = "selected",
    ids: Annotated[list[CaseId] | None, Form()] = None,
    filter_query: Annotated[str, Form(alias="filter", max_length=5000)] = "",
    assignee: BulkForm = "",
    note: BulkForm = "",
    team: BulkForm = "",
    topic: BulkForm = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Step one: what will change and how many cases; nothing is written yet."""
    session_of(request).check_csrf(csrf_token)
    targets, query = _targets(state, user, scope, list(ids or []), filter_query)
    choices = relabel_choices(state, request.state.locale)
    return render(
        request,
        "inbox_confirm.html",
        {
            "action": action,
            "scope": scope,
            "ids": targets if scope == "selected" else [],
            "count": len(targets),
            "filter_query": query,
            "assignee": assignee.strip(),
            "note": note.strip(),
            "team": team.strip(),
            "topic": topic.strip(),
            "team_titles": dict(choices["teams"]),
            "topic_titles": dict(choices["topics"]),
        },
    )


@router.post("/inbox/bulk/apply")
def bulk_apply(
    request: Request,
    user: PageUser,
    state: StateDep,
    action: Annotated[str, Form(pattern="^(assign|close|relabel)$")],
    count: Annotated[int, Form(ge=0, le=10_000_000)],
    scope: Annotated[str, Form(pattern="^(selected|all)$")] = "selected",
    ids: Annotated[list[CaseId] | None, Form()] = None,
    filter_query: Annotated[str, Form(alias="filter", max_length=5000)] = "",
    assignee: BulkForm = "",
    note: BulkForm = "",
    team: BulkForm = "",
    topic: BulkForm = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Step two: apply to the confirmed cases; "all N" that became another number asks again."""
    session_of(request).check_csrf(csrf_token)
    targets, query = _targets(state, user, scope, list(ids or []), filter_query)
    if len(targets) != count:
        return bulk_confirm(
            request,
            user,
            state,
            action=action,
            scope=scope,
            ids=ids,
            filter_query=filter_query,
            assignee=assignee,
            note=note,
            team=team,
            topic=topic,
            csrf_token=csrf_token,
        )
    choices = relabel_choices(state, request.state.locale)
    try:
        result = routing.bulk_apply(
            state.engine,
            action,
            targets,
            actor=user.email,
            zone=user.zone,
            assignee=assignee,
            note=note,
            team=team,
            topic=topic,
            known_teams={name for name, _ in choices["teams"]},
            known_topics={name for name, _ in choices["topics"]},
        )
    except ConfigError as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    state.data_changed()
    back = query + ("&" if query else "") + urlencode({"done": action, "n": result.changed})
    return RedirectResponse(f"/inbox?{back}", status_code=303)
