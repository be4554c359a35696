"""One EX report: eNPS and eCSI, turnover and exit reasons × cost, for the CLI, API and page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from sqlalchemy import Engine

from otklik.ex.cells import DEFAULT_MIN_GROUP, ExCell
from otklik.ex.costs import ReplacementCosts
from otklik.ex.figures import ex_cells
from otklik.ex.leavers import ExitReason, exit_reasons, turnover
from otklik.metrics import Grain, Period

__all__ = ["ExReport", "ex_report"]


@dataclass
class ExReport:
    period: str | None
    by: str | None
    min_group: int
    currency: str
    figures: list[ExCell] = field(default_factory=list)
    turnover: list[ExCell] = field(default_factory=list)
    exit_reasons: list[ExitReason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "by": self.by,
            "min_group": self.min_group,
            "currency": self.currency,
            "figures": [cell.to_dict() for cell in self.figures],
            "turnover": [cell.to_dict() for cell in self.turnover],
            "exit_reasons": [reason.to_dict() for reason in self.exit_reasons],
        }


def ex_report(
    engine: Engine,
    *,
    period: Period | str | None = None,
    by: str | None = None,
    grain: Grain = Grain.QUARTER,
    min_group: int = DEFAULT_MIN_GROUP,
    costs: ReplacementCosts | None = None,
    timezone: str | tzinfo | None = None,
) -> ExReport:
    """eNPS, eCSI and turnover per ``grain`` period (or for ``period``) and group of ``by``,
    and the period's exit reasons × replacement cost; groups under ``min_group`` hidden."""
    chosen = Period.parse(period) if isinstance(period, str) else period
    costs = costs or ReplacementCosts()
    common: dict[str, Any] = {
        "period": chosen,
        "by": by,
        "grain": grain,
        "min_group": min_group,
        "timezone": timezone,
    }
    return ExReport(
        period=chosen.label if chosen else None,
        by=by,
        min_group=min_group,
        currency=costs.currency,
        figures=ex_cells(engine, **common),
        turnover=turnover(engine, **common),
        exit_reasons=exit_reasons(
            engine, period=chosen, costs=costs, min_group=min_group, timezone=timezone
        ),
    )
