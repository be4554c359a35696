"""The items behind a driver analysis, read once from the ledger into numpy arrays.

One query reads every item of the period and of the previous one (their current topics and tags
from the ``current_classifications`` view, a human label winning over the machine's); the
score metrics are then means of a per-item value (:func:`item_values`), so the topic impacts,
their bootstrap and the relative weights are array arithmetic, not more queries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import Engine, Text, cast, column, func, select, table

from otklik.errors import MetricError
from otklik.ledger import CURRENT_VIEW, FILTER_FIELDS, FeedbackItem, ItemFilter, item_condition
from otklik.metrics import Period, get_metric
from otklik.types import SCALES

__all__ = ["DRIVER_METRICS", "SEGMENT_FIELDS", "ItemFrame", "item_values", "load_frame"]

DRIVER_METRICS: tuple[str, ...] = ("nps", "csat", "csi", "ces")
"""Score metrics whose drivers can be analysed: each is a mean of a per-item value."""
SEGMENT_FIELDS: tuple[str, ...] = ("channel", "product", "region", "touchpoint", "kind")
"""Item fields that key-driver analysis can weigh beside the topics."""

_VIEW = table(CURRENT_VIEW, column("item_id"), column("topics"), column("tags"))


@dataclass
class ItemFrame:
    """Items as parallel arrays; ``topics[i]`` and ``pillars[i]`` are tuples of ids."""

    ids: np.ndarray
    at: np.ndarray  # datetime64[s], naive UTC
    current: np.ndarray  # True: in the period; False: in the previous period
    kind: np.ndarray
    scale: np.ndarray
    score: np.ndarray  # float, NaN when unscored
    customer: np.ndarray  # object: customer id or None
    segments: dict[str, np.ndarray]
    topics: list[tuple[str, ...]]
    pillars: list[tuple[str, ...]]
    churn_reasons: list[tuple[str, ...]]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, mask: np.ndarray) -> ItemFrame:
        keep = np.flatnonzero(mask)
        return ItemFrame(
            ids=self.ids[keep],
            at=self.at[keep],
            current=self.current[keep],
            kind=self.kind[keep],
            scale=self.scale[keep],
            score=self.score[keep],
            customer=self.customer[keep],
            segments={name: values[keep] for name, values in self.segments.items()},
            topics=[self.topics[i] for i in keep],
            pillars=[self.pillars[i] for i in keep],
            churn_reasons=[self.churn_reasons[i] for i in keep],
        )

    def topic_matrix(self, topics: Sequence[str]) -> np.ndarray:
        """Boolean items × topics: does item ``i`` carry topic ``j``."""
        index = {topic: j for j, topic in enumerate(topics)}
        matrix = np.zeros((len(self), len(topics)), dtype=bool)
        for i, found in enumerate(self.topics):
            for topic in found:
                j = index.get(topic)
                if j is not None:
                    matrix[i, j] = True
        return matrix


def _strings(raw: Any, cache: dict[Any, Any]) -> tuple[Any, ...]:
    """A JSON text (topics list or tags object) parsed once per distinct value."""
    if raw is None:
        return ()
    found = cache.get(raw)
    if found is None:
        try:
            found = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            found = None
        cache[raw] = found
    return found if found is not None else ()


def _list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str) and v)
    return ()


def load_frame(
    engine: Engine,
    *,
    period: Period,
    zone: tzinfo,
    filters: ItemFilter | None = None,
    pillar: str | None = None,
    segments: bool = True,
) -> ItemFrame:
    """Every item of ``period`` and of the one before it (that one without ids, times,
    customers or segments: only the trend reads it), narrowed by ``filters`` (ledger
    fields → allowed values; the web passes the user's zone here) and by a CX ``pillar``;
    ``segments=False`` leaves out the segment fields (only relative weights need them)."""
    for name in filters or {}:
        if name not in FILTER_FIELDS:
            raise MetricError(f"cannot filter items by {name!r} (use {', '.join(FILTER_FIELDS)})")
    prev_start, _ = period.previous().utc_bounds(zone)
    cur_start, end = period.utc_bounds(zone)
    names = [name for name in SEGMENT_FIELDS if name != "kind"] if segments else []
    fields = [getattr(FeedbackItem, name) for name in names]
    joined = FeedbackItem.__table__.outerjoin(_VIEW, _VIEW.c.item_id == FeedbackItem.id)
    topics, tags = cast(_VIEW.c.topics, Text), cast(_VIEW.c.tags, Text)
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.occurred_at,
            FeedbackItem.kind,
            FeedbackItem.scale,
            FeedbackItem.score,
            FeedbackItem.customer_id,
            *fields,
            topics,
            tags,
        )
        .select_from(joined)
        .where(item_condition(filters=filters, start=cur_start, end=end))
    )
    # The previous period serves only the trend (impacts and volume): counted per distinct
    # (kind, scale, score, topics, tags) in SQL, then expanded, instead of read item by item.
    grouped = (FeedbackItem.kind, FeedbackItem.scale, FeedbackItem.score, topics, tags)
    before = (
        select(*grouped, func.count())
        .select_from(joined)
        .where(item_condition(filters=filters, start=prev_start, end=cur_start))
        .group_by(*grouped)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        counted = conn.execute(before).all()
    width = 8 + len(fields)
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
    current = len(rows)
    for kind, scale, score, raw_topics, raw_tags, count in counted:
        for index, value in (
            (0, -1),
            (1, prev_start),
            (2, kind),
            (3, scale),
            (4, score),
            (5, None),
            *((6 + k, None) for k in range(len(fields))),
            (width - 2, raw_topics),
            (width - 1, raw_tags),
        ):
            columns[index].extend([value] * count)
    count = len(columns[0])
    cache: dict[Any, Any] = {}
    parsed: dict[Any, tuple[str, ...]] = {}
    at = np.array([_naive(v) for v in columns[1]], dtype="datetime64[s]").reshape(count)
    tag_values = [_strings(raw, cache) for raw in columns[-1]]
    frame = ItemFrame(
        ids=np.array(columns[0], dtype=np.int64).reshape(count),
        at=at,
        current=np.arange(count) < current,
        kind=np.array(columns[2], dtype=object).reshape(count),
        scale=np.array(columns[3], dtype=object).reshape(count),
        score=np.array([np.nan if v is None else v for v in columns[4]], dtype=float).reshape(
            count
        ),
        customer=np.array(columns[5], dtype=object).reshape(count),
        segments={
            name: np.array(columns[6 + k], dtype=object).reshape(count)
            for k, name in enumerate(names)
        },
        topics=[_topics_of(raw, cache, parsed) for raw in columns[-2]],
        pillars=[_list(t.get("pillars")) if isinstance(t, dict) else () for t in tag_values],
        churn_reasons=[
            _list(t.get("churn_reasons")) if isinstance(t, dict) else () for t in tag_values
        ],
    )
    frame.segments["kind"] = frame.kind
    if pillar:
        frame = frame.subset(np.array([pillar in found for found in frame.pillars], dtype=bool))
    return frame


def _topics_of(
    raw: Any, cache: dict[Any, Any], parsed: dict[Any, tuple[str, ...]]
) -> tuple[str, ...]:
    found = parsed.get(raw)
    if found is None:
        found = parsed[raw] = _list(_strings(raw, cache))
    return found


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def item_values(frame: ItemFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """``(counted, value)``: which items the metric counts (its scope: kinds and default scale)
    and each one's value, so that the metric is the mean of ``value[counted]``: NPS ±100 for a
    promoter/detractor and 0 for a passive, CSAT 100 for a top-box answer, CSI/CES the score."""
    if metric not in DRIVER_METRICS:
        raise MetricError(f"drivers work for {', '.join(DRIVER_METRICS)}, not {metric!r}")
    spec = get_metric(metric)
    params = spec.resolve(None)
    counted = (frame.scale == params.scale) & ~np.isnan(frame.score)
    if spec.kinds is not None:
        counted &= np.isin(frame.kind, list(spec.kinds))
    if spec.excluded_kinds:
        counted &= ~np.isin(frame.kind, list(spec.excluded_kinds))
    score = np.nan_to_num(frame.score)
    if metric == "nps":
        band = SCALES["nps"]
        value = 100.0 * (score >= band.top_min) - 100.0 * (score <= band.low_max)
    elif metric == "csat":
        assert params.top_box is not None
        value = 100.0 * (score >= params.top_box)
    else:
        value = score.astype(float)
    return counted, value
