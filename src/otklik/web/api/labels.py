"""``/api/v1/items/{id}/labels``: correct an item's classification (a human label).

``PATCH`` and ``POST`` do the same: the fields given are stored as the item's human label (a
field left out or null keeps its earlier value; ``"topics": []`` says "no topic"). The item must
be in the caller's zone; values are the taxonomy's names. The answer is the item's
classification as read everywhere afterwards (the human label winning field by field).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from otklik.classify import current_labels, human_label_of
from otklik.web.api.schemas import utc_iso
from otklik.web.corrections import correct_item
from otklik.web.deps import ApiUser, StateDep
from otklik.web.params import DbId

__all__ = ["LabelsIn", "LabelsOut", "router"]

router = APIRouter(tags=["items"])


class LabelsIn(BaseModel):
    """A correction: any of type, topics, sentiment (taxonomy names)."""

    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(None, max_length=100)
    topics: list[str] | None = Field(None, max_length=50)
    sentiment: str | None = Field(None, max_length=100)


class LabelsOut(BaseModel):
    item_id: int
    type: str | None
    topics: list[str]
    sentiment: str | None
    method: str | None
    methods: dict[str, str | None] = Field(
        default_factory=dict,
        description="which method gave each part (type, sentiment, topics): human, rules, "
        "model, shipped or llm",
    )
    labelled_by: str | None
    labelled_at: str | None


def _answer(state: Any, item_id: int) -> LabelsOut:
    label = current_labels(state.engine, [item_id]).get(item_id, {})
    human = human_label_of(state.engine, item_id) or {}
    return LabelsOut(
        item_id=item_id,
        type=label.get("type"),
        topics=list(label.get("topics") or []),
        sentiment=label.get("sentiment"),
        method=label.get("method"),
        methods=dict(label.get("methods") or {}),
        labelled_by=human.get("labelled_by"),
        labelled_at=utc_iso(human.get("labelled_at")),
    )


@router.patch("/items/{item_id}/labels", response_model=LabelsOut)
@router.post("/items/{item_id}/labels", response_model=LabelsOut)
def relabel(item_id: DbId, body: LabelsIn, user: ApiUser, state: StateDep) -> LabelsOut:
    """Store a human correction of the item's type, topics or sentiment."""
    correct_item(state, user, item_id, type=body.type, topics=body.topics, sentiment=body.sentiment)
    return _answer(state, item_id)
