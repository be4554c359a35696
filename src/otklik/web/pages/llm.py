"""LLM review (admin, analyst): run the classify prompt over a few filtered items, read the
answers beside the current labels, store only the accepted ones (method ``llm``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.classify import default_rules, load_taxonomy, topic_filter
from otklik.ledger import search_items
from otklik.llm import (
    LlmClient,
    LlmError,
    LlmSettings,
    StoreCache,
    accept_proposals,
    load_llm_settings,
    make_http_client,
    propose_labels,
    recent_runs,
)
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import StateDep, WriterUser, session_of
from otklik.web.params import day_range, split_values
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=500)]


def _endpoint(settings: LlmSettings) -> dict[str, Any]:
    return {
        "base_url": settings.base_url,
        "model": settings.model,
        "allow_send": settings.allow_send,
        "local": settings.is_local(),
        "disabled": settings.disabled,
        "cap": settings.web_max_items,
        "price_prompt": settings.price_prompt_per_1k,
        "price_completion": settings.price_completion_per_1k,
    }


def _page(
    request: Request,
    state: WebState,
    *,
    filters: dict[str, str] | None = None,
    proposals: list[Any] | None = None,
    usage: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    settings = load_llm_settings()
    query = request.query_params
    return render(
        request,
        "llm.html",
        {
            "endpoint": _endpoint(settings),
            "filters": filters
            or {name: "" for name in ("q", "from", "to", "topic", "kind", "channel")},
            "limit": settings.web_max_items,
            "proposals": proposals,
            "usage": usage,
            "error": error,
            "stored": query.get("stored"),
            "failed": query.get("failed"),
            "runs": recent_runs(state.engine, limit=10),
        },
        status=status,
    )


@router.get("/llm")
def llm_page(request: Request, user: WriterUser, state: StateDep) -> Response:
    return _page(request, state)


@router.post("/llm/run")
def run_prompt(
    request: Request,
    user: WriterUser,
    state: StateDep,
    q: Text = "",
    start: Annotated[str, Form(alias="from", max_length=10)] = "",
    end: Annotated[str, Form(alias="to", max_length=10)] = "",
    topic: Text = "",
    kind: Text = "",
    channel: Text = "",
    limit: Annotated[int, Form(ge=1, le=1000)] = 10,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Ask the classify prompt for at most ``OTKLIK_LLM_WEB_MAX_ITEMS`` matching items."""
    session_of(request).check_csrf(csrf_token)
    filters = {"q": q, "from": start, "to": end, "topic": topic, "kind": kind, "channel": channel}
    settings = load_llm_settings()
    begin, stop = day_range(start, end, state.settings.timezone)
    chosen = {
        name: values
        for name, values in (("kind", split_values([kind])), ("channel", split_values([channel])))
        if values
    }
    rows, _ = search_items(
        state.engine,
        q=q or None,
        filters=chosen,
        start=begin,
        end=stop,
        extra=topic_filter(state.engine, split_values([topic])),
        limit=min(limit, settings.web_max_items) * 3,
        count=False,
    )
    ids = [row["id"] for row in rows if row.get("text") and str(row["text"]).strip()]
    ids = ids[: min(limit, settings.web_max_items)]
    taxonomy = (
        load_taxonomy(state.settings.taxonomy)
        if state.settings.taxonomy
        else default_rules().taxonomy
    )
    try:
        with make_http_client(settings) as http:
            client = LlmClient(settings, http=http, cache=StoreCache(state.engine))
            proposals, _run = propose_labels(
                state.engine,
                client,
                taxonomy,
                ids,
                prompts_dir=settings.prompts_dir,
                actor=user.email,
            )
            usage = client.usage.as_dict()
    except LlmError as exc:
        return _page(request, state, filters=filters, error=str(exc), status=409)
    return _page(request, state, filters=filters, proposals=proposals, usage=usage)


@router.post("/llm/accept")
def accept(
    request: Request,
    user: WriterUser,
    state: StateDep,
    item: Annotated[list[int] | None, Form()] = None,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Store the reviewed answers of the ticked items (from the cache: nothing is sent)."""
    session_of(request).check_csrf(csrf_token)
    settings = load_llm_settings()
    chosen = sorted(set(item or []))[: settings.web_max_items]
    if not chosen:
        return RedirectResponse("/llm?stored=0&failed=0", status_code=303)
    try:
        with make_http_client(settings) as http:
            client = LlmClient(settings, http=http, cache=StoreCache(state.engine))
            report = accept_proposals(
                state.engine,
                client,
                chosen,
                taxonomy=state.settings.taxonomy,
                teams=state.settings.teams,
                model_dir=state.settings.model_dir,
                prompts_dir=settings.prompts_dir,
                actor=user.email,
            )
    except LlmError as exc:
        return _page(request, state, error=str(exc), status=409)
    state.data_changed()
    stored = report.process.classify.by_method.get("llm", 0)
    return RedirectResponse(f"/llm?stored={stored}&failed={len(report.failures)}", status_code=303)
