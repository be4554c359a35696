"""A metric is data: what it counts, over what, how its interval is built and how it is gamed.

A :class:`MetricSpec` holds the definition (the rows that form the denominator, what counts in
the numerator or which value is averaged), its statistics and its documentation; the
expressions module compiles it into one Ibis expression that runs on any engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from otklik.errors import MetricError
from otklik.types import SCALES

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "MetricParams",
    "MetricSpec",
    "Statistic",
    "TableRole",
]

DEFAULT_WINDOW_DAYS = 7


class Statistic(StrEnum):
    """How rows become a value and an interval."""

    NPS = "nps"  # %promoters − %detractors; normal interval from the NPS standard error
    PROPORTION = "proportion"  # share in percent; Wilson interval
    MEAN = "mean"  # arithmetic mean; Student t interval
    QUANTILE = "quantile"  # exact order statistic; distribution-free order-statistic interval
    REPEAT = "repeat"  # FCR / repeat rate: a share over contacts, judged by later contacts
    CHURN = "churn"  # customers lost in a period / customers at its start; Wilson
    REVENUE_CHURN = "revenue_churn"  # the same weighted by revenue; linearised interval


class TableRole(StrEnum):
    """The ledger tables a metric reads (their names can differ in a warehouse)."""

    ITEMS = "feedback_items"
    CUSTOMERS = "customers"
    INVITATIONS = "invitations"
    INCIDENTS = "incidents"


@dataclass(frozen=True, slots=True)
class MetricParams:
    """Parameters of one computation; None means the metric's default."""

    window_days: int | None = None
    scale: str | None = None
    top_box: float | None = None


Condition = Callable[["ir.Table", MetricParams], "ir.BooleanValue"]
Value = Callable[["ir.Table", MetricParams], "ir.NumericValue"]


@dataclass(frozen=True)
class MetricSpec:
    """The definition of one metric and everything a reader needs to trust or doubt it."""

    name: str
    title: str
    unit: str
    statistic: Statistic
    numerator: str
    denominator: str
    formula: str
    ci_method: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    gaming: str
    guardrails: tuple[str, ...]
    caveats: tuple[str, ...] = ()
    table: TableRole = TableRole.ITEMS
    time_column: str = "occurred_at"
    kinds: tuple[str, ...] | None = None
    excluded_kinds: tuple[str, ...] = ()
    scales: tuple[str, ...] = ()
    top_box: Mapping[str, float] = field(default_factory=dict)
    quantile: float | None = None
    window_days: int | None = None
    complement: bool = False
    higher_is_better: bool | None = True
    rollup: bool = False
    where: Condition | None = None
    success: Condition | None = None
    value: Value | None = None
    required_tables: tuple[str, ...] = ()
    missing_hint: str = ""

    @property
    def scope(self) -> str:
        """Which rows the metric counts by default, in words (the figure's caption).

        The kinds come from ``kinds`` (only these) or ``excluded_kinds`` (all but these);
        :meth:`rows` applies the same rule to every query, rollup and KPI.
        """
        if self.table is not TableRole.ITEMS:
            return f"table {self.table.value}"
        if self.kinds is not None:
            return f"kind {', '.join(self.kinds)}"
        if self.excluded_kinds:
            return f"all kinds except {', '.join(self.excluded_kinds)}"
        return "all kinds"

    def rows(self, t: ir.Table, params: MetricParams) -> ir.BooleanValue | None:
        """The rows the metric counts: its ``where`` and its kind scope, one condition."""
        conditions = []
        if self.table is TableRole.ITEMS:
            if self.kinds is not None:
                conditions.append(t.kind.isin(list(self.kinds)))
            elif self.excluded_kinds:
                conditions.append(t.kind.isnull() | t.kind.notin(list(self.excluded_kinds)))
        if self.where is not None:
            conditions.append(self.where(t, params))
        if not conditions:
            return None
        found = conditions[0]
        for condition in conditions[1:]:
            found = found & condition
        return found

    def resolve(self, params: MetricParams | None = None) -> MetricParams:
        """``params`` with the metric's defaults filled in, checked against the definition."""
        params = params or MetricParams()
        if params.window_days is not None and self.window_days is None:
            raise MetricError(f"{self.name} has no repeat window; --window-days does not apply")
        if params.window_days is not None and params.window_days < 1:
            raise MetricError(f"window must be at least 1 day, got {params.window_days}")
        if params.scale is not None and params.scale not in self.scales:
            allowed = ", ".join(self.scales) if self.scales else "none: it does not read scores"
            raise MetricError(f"{self.name} cannot use scale {params.scale!r} (allowed: {allowed})")
        scale = params.scale or (self.scales[0] if self.scales else None)
        top_box = params.top_box
        if top_box is not None:
            if scale is None or scale not in self.top_box:
                raise MetricError(f"{self.name} has no top box; --top-box does not apply")
            spec = SCALES[scale]
            if not spec.low < top_box <= spec.high:
                raise MetricError(
                    f"top box {top_box:g} is outside {scale} ({spec.low}–{spec.high}]"
                )
        elif scale is not None and scale in self.top_box:
            top_box = self.top_box[scale]
        window = params.window_days or self.window_days
        return replace(params, window_days=window, scale=scale, top_box=top_box)

    def is_default(self, params: MetricParams) -> bool:
        """Whether resolved ``params`` are the metric's defaults (what a rollup stores)."""
        return params == self.resolve(None)

    def check_kind(self, kinds: tuple[str, ...]) -> None:
        """Refuse a ``kind`` filter that contradicts the definition."""
        for kind in kinds:
            if self.kinds is not None and kind not in self.kinds:
                allowed = ", ".join(self.kinds)
                raise MetricError(f"{self.name} is defined over kind {allowed}, not {kind!r}")
            if kind in self.excluded_kinds:
                hint = {"employee": " (use enps)", "exit": " (use exit_nps)"}.get(kind, "")
                raise MetricError(f"{self.name} excludes kind {kind!r}{hint}")
