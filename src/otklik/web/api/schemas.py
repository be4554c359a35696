"""What the API sends and accepts (pydantic models, published in the OpenAPI document)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from otklik.types import Kind

__all__ = [
    "DEEPER",
    "MAX_ATTRIBUTE_DEPTH",
    "ItemIn",
    "ItemPublic",
    "ItemsIn",
    "ItemsPage",
    "ItemsStored",
    "MePublic",
    "MetricInfo",
    "MetricRowPublic",
    "RecordProblem",
    "bounded",
    "utc_iso",
]


MAX_ATTRIBUTE_DEPTH = 32
DEEPER = "…"


def bounded(value: Any, depth: int) -> Any:
    """``value`` with whatever lies more than ``depth`` levels down replaced by ``"…"``: an
    item stored before attributes had a depth limit still answers (a 900-deep one did not)."""
    if isinstance(value, dict | list) and depth <= 0:
        return DEEPER
    if isinstance(value, dict):
        return {key: bounded(inner, depth - 1) for key, inner in value.items()}
    if isinstance(value, list):
        return [bounded(inner, depth - 1) for inner in value]
    return value


def utc_iso(value: datetime | None) -> str | None:
    """A naive UTC time from the store as ISO 8601 with an explicit offset."""
    return None if value is None else value.replace(tzinfo=UTC).isoformat()


class ItemPublic(BaseModel):
    id: int
    source: str
    external_id: str
    kind: str
    channel: str | None
    occurred_at: str
    customer_id: str | None
    score: float | None
    scale: str | None
    text: str | None
    language: str | None
    product: str | None
    region: str | None
    team: str | None
    agent: str | None
    owner_team: str | None
    touchpoint: str | None
    handle_time_s: float | None
    wait_time_s: float | None
    transfers: int | None
    resolved: bool | None
    ended_by: str | None
    revenue: float | None
    attributes: dict[str, Any] | None
    import_run_id: int | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> ItemPublic:
        return cls.model_validate(
            {
                **row,
                "occurred_at": utc_iso(row["occurred_at"]),
                "attributes": bounded(row.get("attributes"), MAX_ATTRIBUTE_DEPTH),
            }
        )


class ItemsPage(BaseModel):
    items: list[ItemPublic]
    total: int
    total_exact: bool = Field(
        True,
        description="false: more than `total` items match "
        "(counts stop at 10,000; 1,000 on PostgreSQL)",
    )
    notice: str | None = Field(
        None,
        description="`stop_words`: the query had only stop words; `no_words`: it had no "
        "searchable word (punctuation only); either way it asked for nothing",
    )


ItemIn = dict[str, Any]


class ItemsIn(BaseModel):
    """Items of one kind from one source; each item has the fields a file's row would have
    (``occurred_at``, ``score``, ``text``, ``channel``, ``id``…)."""

    kind: Kind
    source: str = Field("api", min_length=1, max_length=200)
    items: list[Any] | ItemIn
    scale: str | None = Field(None, description="Scale of the scores when items have none")
    timezone: str = Field("UTC", description="Zone of times written without an offset")


class RecordProblem(BaseModel):
    index: int
    field: str | None
    reason: str


class ItemsStored(BaseModel):
    run_id: int
    source: str
    kind: str
    read: int
    imported: int
    duplicates: int
    quarantined: int
    errors: list[RecordProblem]
    warnings: list[str] = []  # doubts about the request as a whole (docs/import.md)


class MetricRowPublic(BaseModel):
    metric: str
    period: str
    segment: dict[str, Any]
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    flags: list[str]
    scope: str = Field("", description="Which rows the metric counts by default")
    timezone: str = Field("UTC", description="The reporting zone its period was cut in")


class MetricInfo(BaseModel):
    name: str
    title: str
    unit: str
    formula: str
    ci: str
    guardrails: list[str]
    scope: str = Field("", description="Which rows the metric counts by default")


class MePublic(BaseModel):
    id: int
    email: str
    role: str
    team: str | None
