"""``/api/v1/items``: list and search items (scoped to the user's zone) and post new ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from otklik.auth import Role
from otklik.classify import topic_filter
from otklik.ingest import ImportLimits, MappingFile, import_records
from otklik.ledger import count_cap, get_item, query_notice, search_items
from otklik.web.api.schemas import ItemPublic, ItemsIn, ItemsPage, ItemsStored
from otklik.web.deps import ApiUser, StateDep, require_role
from otklik.web.errors import ApiError
from otklik.web.params import DbId, Offset, day_range, split_values
from otklik.web.scope import scoped_filters, sees_team

__all__ = ["MAX_POSTED_ITEMS", "router"]

MAX_POSTED_ITEMS = 10_000
router = APIRouter(tags=["items"])

Values = Annotated[list[str] | None, Query()]


@router.get("/items", response_model=ItemsPage)
def list_items(
    user: ApiUser,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Offset = 0,
    q: Annotated[str | None, Query(max_length=500, description="words in the comment")] = None,
    team: Annotated[list[str] | None, Query(description="owner team (zone)")] = None,
    topic: Values = None,
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
    kind: Values = None,
    channel: Values = None,
    product: Values = None,
    region: Values = None,
    scale: Values = None,
) -> ItemsPage:
    """Items newest first, with the total matching (``total_exact`` false: more than
    ``total``, counted up to 10,000; 1,000 on PostgreSQL); a team user gets only their zone.
    ``notice`` ``stop_words``: the query had only stop words («и», "the"); ``no_words``: it
    had no searchable word at all (``!!!``, ``—``): either way it asked for nothing."""
    begin, stop = day_range(start, end, state.settings.timezone)
    filters = scoped_filters(
        user,
        {
            "owner_team": split_values(team),
            "kind": split_values(kind),
            "channel": split_values(channel),
            "product": split_values(product),
            "region": split_values(region),
            "scale": split_values(scale),
        },
    )
    cap = count_cap(state.engine)
    items, total = search_items(
        state.engine,
        q=q,
        filters=filters,
        start=begin,
        end=stop,
        extra=topic_filter(state.engine, split_values(topic)),
        limit=limit,
        offset=offset,
        cap=cap,
    )
    return ItemsPage(
        items=[ItemPublic.of(item) for item in items],
        total=min(total or 0, cap),
        total_exact=(total or 0) <= cap,
        notice=query_notice(q),
    )


@router.get("/items/{item_id}", response_model=ItemPublic)
def read_item(item_id: DbId, user: ApiUser, state: StateDep) -> ItemPublic:
    item = get_item(state.engine, item_id)
    if item is None or not sees_team(user, item["owner_team"]):
        raise ApiError(404, f"no item {item_id}")
    return ItemPublic.of(item)


@router.post("/items", response_model=ItemsStored)
def post_items(body: ItemsIn, user: ApiUser, state: StateDep) -> ItemsStored:
    """Store items through the same validation as a file import; bad ones are answered with
    their position and reason (and kept in the quarantine), good ones are stored."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    records = body.items if isinstance(body.items, list) else [body.items]
    if not records:
        raise ApiError(422, "items is empty", code="invalid_request")
    if len(records) > MAX_POSTED_ITEMS:
        raise ApiError(413, f"at most {MAX_POSTED_ITEMS} items per request", code="too_large")
    try:
        mapping = MappingFile(scale=body.scale, timezone=body.timezone)
    except ValueError as exc:
        raise ApiError(422, _reason(exc), code="invalid_request") from None
    result = import_records(
        state.engine,
        records,
        kind=body.kind.value,
        source=body.source,
        mapping=mapping,
        label=f"api:{user.email}",
        limits=ImportLimits.of(state.settings),
    )
    state.data_changed()
    state.arrived(result.report.run_id)
    report = result.report
    return ItemsStored.model_validate(
        {
            "run_id": report.run_id,
            "source": report.source,
            "kind": report.kind,
            "read": report.read,
            "imported": report.imported,
            "duplicates": report.duplicates,
            "quarantined": report.quarantined,
            "errors": [error.as_dict() for error in result.errors],
            "warnings": report.warnings,
        }
    )


def _reason(exc: ValueError) -> str:
    """The validator's own message (pydantic's first error without its "Value error, "
    prefix and its link), or the exception's text."""
    if isinstance(exc, ValidationError) and exc.errors():
        message = str(exc.errors()[0]["msg"])
        return message.removeprefix("Value error, ")
    return str(exc).strip() or type(exc).__name__
