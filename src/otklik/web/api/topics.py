"""``/api/v1/topics``: the topic analytics of the topics page as JSON (the user's zone only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from otklik.web.deps import ApiUser, StateDep
from otklik.web.params import split_values
from otklik.web.topic_view import build_report, taxonomy_of

__all__ = ["router"]

router = APIRouter(tags=["topics"])
Values = Annotated[list[str] | None, Query()]


@router.get("/topics")
def topics(
    user: ApiUser,
    state: StateDep,
    period: Annotated[
        str | None, Query(max_length=40, description="2025-03, 2025-Q1, 2025-W05, 2025…")
    ] = None,
    split: Annotated[str | None, Query(description="agent, channel, product or mechanic")] = None,
    months: Annotated[int, Query(ge=1, le=36, description="length of the monthly trend")] = 12,
    kind: Values = None,
    channel: Values = None,
    product: Values = None,
    region: Values = None,
    team: Annotated[list[str] | None, Query(description="owner team (zone)")] = None,
) -> dict[str, Any]:
    """Volume, share, NPS and CSAT (95% intervals), the change against the previous period and
    the monthly trend per topic of the taxonomy (parents include their subtopics' items);
    ``titles`` names each topic in the taxonomy's languages."""
    chosen = {
        "kind": split_values(kind),
        "channel": split_values(channel),
        "product": split_values(product),
        "region": split_values(region),
        "owner_team": split_values(team),
    }
    report = build_report(
        state, user, period=period, split=split or None, chosen=chosen, months=months
    )
    taxonomy = taxonomy_of(state)
    titles = (
        {node.id: dict(node.topic.label) for node in taxonomy.flat_topics()} if taxonomy else {}
    )
    return {**report.to_dict(), "titles": titles}
