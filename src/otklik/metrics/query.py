"""One request for a metric: grouping, segments, filters and parameters, checked up front."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from otklik.errors import MetricError
from otklik.metrics.periods import Grain, as_utc_naive, get_zone
from otklik.metrics.spec import MetricParams, MetricSpec, Statistic, TableRole

__all__ = ["SEGMENT_FIELDS", "FilterValue", "Query", "make_query"]

SEGMENT_FIELDS: Mapping[TableRole, tuple[str, ...]] = {
    TableRole.ITEMS: (
        "kind",
        "channel",
        "source",
        "product",
        "region",
        "team",
        "agent",
        "owner_team",
        "touchpoint",
        "language",
    ),
    TableRole.CUSTOMERS: ("product", "region", "segment", "source"),
    TableRole.INVITATIONS: ("survey", "survey_type", "channel", "mechanic"),
    TableRole.INCIDENTS: ("owner_team",),
}

FilterValue = str | None | Sequence[str | None]


@dataclass(frozen=True, slots=True)
class Query:
    """A validated request: the metric's parameters are resolved to their defaults.

    ``start`` and ``end`` are naive UTC instants; ``zone`` is the reporting zone in which
    periods are cut (their starts are local dates).
    """

    spec: MetricSpec
    grain: Grain
    segments: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str | None, ...]], ...]
    start: datetime | None
    end: datetime | None
    params: MetricParams
    zone: ZoneInfo = field(default_factory=lambda: get_zone("UTC"))

    @property
    def window_days(self) -> int:
        assert self.params.window_days is not None
        return self.params.window_days

    def filter_values(self, field: str) -> tuple[str | None, ...] | None:
        for name, values in self.filters:
            if name == field:
                return values
        return None


def _values(field: str, value: FilterValue) -> tuple[str | None, ...]:
    if value is None or isinstance(value, str):
        return (value,)
    values = tuple(value)
    if not values:
        raise MetricError(f"filter {field!r} has no values")
    return values


def make_query(
    spec: MetricSpec,
    *,
    by: Grain | str = Grain.ALL,
    segments: Sequence[str] = (),
    filters: Mapping[str, FilterValue] | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    params: MetricParams | None = None,
    timezone: str | tzinfo | None = None,
) -> Query:
    """Check a request against ``spec``: known grain and fields, a sane date range.

    ``timezone`` is the reporting zone (None: the setting ``OTKLIK_TIMEZONE``); a date in
    ``start``/``end`` means its midnight there, a naive datetime is UTC.
    """
    zone = get_zone(timezone)
    try:
        grain = Grain(by)
    except ValueError:
        raise MetricError(
            f"cannot group by {by!r}: use one of {', '.join(g.value for g in Grain)}"
        ) from None
    allowed = SEGMENT_FIELDS[spec.table]
    for name in (*segments, *(filters or {})):
        if name not in allowed:
            raise MetricError(
                f"{spec.name} reads table {spec.table.value}, which has no field {name!r} "
                f"to segment or filter by (fields: {', '.join(allowed)})"
            )
    if len(set(segments)) != len(segments):
        raise MetricError("a segment field is given twice")
    resolved = tuple((name, _values(name, value)) for name, value in (filters or {}).items())
    kinds = dict(resolved).get("kind")
    if kinds:
        spec.check_kind(tuple(kind for kind in kinds if kind is not None))
    start_at = as_utc_naive(start, zone) if start is not None else None
    end_at = as_utc_naive(end, zone) if end is not None else None
    if start_at is not None and end_at is not None and end_at <= start_at:
        raise MetricError(
            f"the range is empty: {start_at:%Y-%m-%d} is not before {end_at:%Y-%m-%d}"
        )
    churn = spec.statistic in (Statistic.CHURN, Statistic.REVENUE_CHURN)
    if churn and grain is Grain.ALL and start_at is None:
        raise MetricError(
            f"{spec.name} over a whole range needs its start: pass --from DATE (the base "
            "is the customers at that date), or group with --by month"
        )
    return Query(
        spec=spec,
        grain=grain,
        segments=tuple(segments),
        filters=resolved,
        start=start_at,
        end=end_at,
        params=spec.resolve(params),
        zone=zone,
    )
