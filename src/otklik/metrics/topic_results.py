"""What :func:`otklik.metrics.topic_report` returns: figures per topic (and split value), each
month's trend and the change against the previous period, with their JSON shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from otklik.metrics.compare import Comparison
from otklik.metrics.periods import Period
from otklik.metrics.results import MetricRow, MetricValue, json_safe

__all__ = ["TOPIC_METRICS", "TopicFigures", "TopicPoint", "TopicReport"]

TOPIC_METRICS: tuple[str, ...] = ("nps", "csat")
"""The score metrics shown per topic (catalogue names)."""


@dataclass(frozen=True)
class TopicPoint:
    """One month of a topic: its volume and its NPS/CSAT (``metrics[name]``)."""

    period: date
    volume: int
    metrics: Mapping[str, MetricRow]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.isoformat(),
            "volume": self.volume,
            **{name: _value_dict(row) for name, row in self.metrics.items()},
        }


@dataclass(frozen=True)
class TopicFigures:
    """One topic (None: every item, the report's total) in one split value (``segment``).

    ``share`` is the percentage of the segment's items in the period that carry the topic,
    with its Wilson interval; ``changes`` compare each metric with the previous period (None
    where a side has no answers).
    """

    topic: str | None
    segment: str | None
    volume: int
    previous_volume: int
    share: MetricValue
    metrics: Mapping[str, MetricRow]
    changes: Mapping[str, Comparison | None]
    trend: Sequence[TopicPoint]

    @property
    def parent(self) -> str | None:
        if self.topic is None or "." not in self.topic:
            return None
        return self.topic.rsplit(".", 1)[0]

    @property
    def depth(self) -> int:
        return 0 if self.topic is None else self.topic.count(".")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one row (the API and ``otklik topics report --format json``)."""
        return json_safe(
            {
                "topic": self.topic,
                "parent": self.parent,
                "depth": self.depth,
                "segment": self.segment,
                "volume": self.volume,
                "previous_volume": self.previous_volume,
                "share": _share_dict(self.share),
                **{name: _value_dict(row) for name, row in self.metrics.items()},
                "changes": {
                    name: None if change is None else _change_dict(change)
                    for name, change in self.changes.items()
                },
                "trend": [point.to_dict() for point in self.trend],
            }
        )


@dataclass(frozen=True)
class TopicReport:
    """Every topic of the tree (parents before children) × split value, and the total."""

    period: Period
    previous: Period
    timezone: str
    split: str | None
    months: Sequence[date]
    total: Sequence[TopicFigures]
    rows: Sequence[TopicFigures]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "previous": self.previous.to_dict(),
            "timezone": self.timezone,
            "split": self.split,
            "metrics": list(TOPIC_METRICS),
            "months": [month.isoformat() for month in self.months],
            "total": [row.to_dict() for row in self.total],
            "topics": [row.to_dict() for row in self.rows],
        }


def _value_dict(row: MetricRow) -> dict[str, Any]:
    return {
        "value": row.value,
        "n": row.n,
        "ci_low": row.ci_low,
        "ci_high": row.ci_high,
        "flags": list(row.flags),
    }


def _share_dict(share: MetricValue) -> dict[str, Any]:
    return {"value": share.value, "n": share.n, "ci_low": share.ci_low, "ci_high": share.ci_high}


def _change_dict(change: Comparison) -> dict[str, Any]:
    return {
        "previous": change.a.value,
        "difference": change.difference,
        "ci_low": change.ci_low,
        "ci_high": change.ci_high,
        "p_value": change.p_value,
        "test": change.test,
        "verdict": change.verdict,
        "significant": change.significant,
    }
