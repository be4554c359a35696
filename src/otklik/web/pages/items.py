"""Items: search (``?q=``), multi-select filters, paging, exports; one item with its
classification (correctable in place), its case and the case's history."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from otklik.classify import current_labels, human_label_of, label_choices, topic_filter
from otklik.ledger import (
    ITEM_COLUMNS,
    count_cap,
    get_item,
    get_run,
    iter_items,
    query_notice,
    search_items,
)
from otklik.web.auth import CSRF_FIELD
from otklik.web.corrections import correct_item, taxonomy_in_force, visible_item
from otklik.web.deps import PageUser, StateDep, TranslatorDep, session_of
from otklik.web.errors import ApiError
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.pages.conduct import conduct_panel
from otklik.web.pages.explore import filter_options
from otklik.web.params import DbId, day_range, split_values
from otklik.web.rendering import render
from otklik.web.scope import scoped_filters
from otklik.web.snippets import snippet
from otklik.web.topic_view import topic_choices

__all__ = ["EXPORT_LIMIT", "PAGE_SIZE", "router"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
ITEM_FILTERS: tuple[str, ...] = ("kind", "channel", "product", "region", "owner_team", "scale")
Values = Annotated[list[str] | None, Query()]
_EXPORT_COLUMNS = ("id", *(name for name in ITEM_COLUMNS if name != "import_run_id"))


@router.get("/items")
def items_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    q: Annotated[str | None, Query(max_length=500)] = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    kind: Values = None,
    channel: Values = None,
    product: Values = None,
    region: Values = None,
    owner_team: Values = None,
    scale: Values = None,
    team: Values = None,
    agent: Values = None,
    topic: Values = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    format: str | None = None,
    handed_over: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    chosen = {
        "kind": split_values(kind),
        "channel": split_values(channel),
        "product": split_values(product),
        "region": split_values(region),
        "owner_team": split_values(owner_team),
        "scale": split_values(scale),
        # No multi-select for these (too many values); scorecards link to an agent's items.
        "team": split_values(team),
        "agent": split_values(agent),
    }
    filters = scoped_filters(user, chosen)
    begin, stop = day_range(start, end, state.settings.timezone)
    topics = split_values(topic)
    extra = topic_filter(state.engine, topics)
    if format in EXPORT_FORMATS:
        rows = iter_items(  # streamed: read in batches while the file is written
            state.engine,
            _EXPORT_COLUMNS,
            q=q,
            filters=filters,
            start=begin,
            end=stop,
            extra=extra,
            limit=EXPORT_LIMIT,
        )
        return export_table(
            format,
            "otklik-items",
            _EXPORT_COLUMNS,
            rows,
            zone=state.settings.timezone,
            request=request,
        )
    cap = count_cap(state.engine)  # "more than 10,000": counting on costs seconds at 1M items
    items, total = search_items(
        state.engine,
        q=q,
        filters=filters,
        start=begin,
        end=stop,
        extra=extra,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        cap=cap,
    )
    for item in items:  # personal data masked, the query's words marked
        item["snippet"] = snippet(item.get("text"), q)
    more = (total or 0) > cap
    total = min(total or 0, cap)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "items.html",
        {
            "items": items,
            "total": total,
            "total_more": more,
            "notice": query_notice(q),
            "handed_over": handed_over or None,
            "page": page,
            "pages": pages,
            "q": q or "",
            "start": start or "",
            "end": end or "",
            "chosen": chosen,
            "topics": topics,
            "options": filter_options(state, user, ITEM_FILTERS),
            "has_topics": True,
            "topic_choices": topic_choices(state, t.locale),
        },
    )


@router.get("/items/{item_id}")
def item_page(
    request: Request, item_id: DbId, user: PageUser, state: StateDep, saved: int = 0
) -> Response:
    item, case = visible_item(state, user, item_id)
    history: list[dict[str, Any]] = case.pop("events") if case is not None else []
    run = get_run(state.engine, item["import_run_id"]) if item["import_run_id"] else None
    return render(
        request,
        "item.html",
        {
            "item": item,
            "classification": current_labels(state.engine, [item_id]).get(item_id),
            "has_classification": True,
            "case": case,
            "has_cases": True,
            "history": history,
            "run": run,
            "human": human_label_of(state.engine, item_id),
            "choices": label_choices(taxonomy_in_force(state), request.state.locale),
            "saved": bool(saved),
            "conduct_panel": conduct_panel(state.engine, item_id),
        },
    )


@router.post("/items/{item_id}/labels")
def relabel_page(
    request: Request,
    item_id: DbId,
    user: PageUser,
    state: StateDep,
    type: Annotated[str, Form(max_length=100)] = "",
    sentiment: Annotated[str, Form(max_length=100)] = "",
    topics: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """The item page's correction form: the fields that differ from the current label are
    stored as the human label (saving with no change confirms all three)."""
    session_of(request).check_csrf(csrf_token)
    visible_item(state, user, item_id)
    now = current_labels(state.engine, [item_id]).get(item_id) or {}
    chosen_topics = [topic for topic in (topics or []) if topic]
    changes: dict[str, Any] = {}
    if type and type != now.get("type"):
        changes["type"] = type
    if sentiment and sentiment != now.get("sentiment"):
        changes["sentiment"] = sentiment
    if chosen_topics != list(now.get("topics") or []):
        changes["topics"] = chosen_topics
    if not changes:
        changes = {"type": type or None, "sentiment": sentiment or None, "topics": chosen_topics}
    correct_item(state, user, item_id, **changes)
    try:
        visible_item(state, user, item_id)
    except ApiError:  # the label gave the item (and its open case) to another team's zone
        owner = (get_item(state.engine, item_id) or {}).get("owner_team") or ""
        return RedirectResponse(f"/items?handed_over={quote(owner)}", status_code=303)
    return RedirectResponse(f"/items/{item_id}?saved=1#classification", status_code=303)
