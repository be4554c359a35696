"""The honest-ETA score: were the promised times to fix kept?

Over resolved incidents that had a promise, per owner team (and overall) and period (by the
resolution time, cut in the reporting time zone):

* ``kept``: the share of incidents resolved by their **first** ETA (a moved ETA is a promise
  broken), in percent with the Wilson 95% interval (:func:`otklik.metrics.wilson_interval`);
* ``median_overrun_h``: the median of (resolved − first ETA) in hours, negative when early,
  with the distribution-free order-statistic interval;
* ``eta_moves``: ETA changes per incident (mean) and in total;
* the guardrail ``inflation``: the mean of promised hours / the team's median time to fix
  over its earlier incidents (``baseline_hours``, recorded when the promise was made). A team
  that keeps every promise by promising three times its usual fix time shows ``kept`` near
  100% and ``inflation`` near 3: ``inflated`` is set when the mean ratio's lower 95% bound is
  above :data:`INFLATION_LIMIT`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from otklik.errors import ConfigError
from otklik.ledger.models_incidents import Incident
from otklik.metrics import quantile_ci_ranks, t_interval, wilson_interval

__all__ = ["INFLATION_LIMIT", "PERIODS", "EtaScore", "eta_scores"]

INFLATION_LIMIT = 1.5
PERIODS = ("all", "month", "quarter", "year")
_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}


@dataclass(frozen=True)
class EtaScore:
    """One team × period row of the honest-ETA score (every figure with its n and CI)."""

    team: str
    period: str
    n: int
    kept: int
    kept_pct: float
    kept_ci: tuple[float, float]
    median_overrun_h: float
    overrun_ci: tuple[float | None, float | None]
    eta_moves: int
    moves_per_incident: float
    inflation: float | None
    inflation_n: int
    inflation_ci: tuple[float, float] | None
    inflated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "period": self.period,
            "n": self.n,
            "kept": self.kept,
            "kept_pct": round(self.kept_pct, 1),
            "kept_ci": [round(v, 1) for v in self.kept_ci],
            "median_overrun_h": round(self.median_overrun_h, 2),
            "overrun_ci": [None if v is None else round(v, 2) for v in self.overrun_ci],
            "eta_moves": self.eta_moves,
            "moves_per_incident": round(self.moves_per_incident, 2),
            "inflation": None if self.inflation is None else round(self.inflation, 2),
            "inflation_n": self.inflation_n,
            "inflation_ci": (
                None if self.inflation_ci is None else [round(v, 2) for v in self.inflation_ci]
            ),
            "inflated": self.inflated,
        }


def _score(team: str, period: str, rows: pd.DataFrame) -> EtaScore:
    n = len(rows)
    overrun = sorted(rows["overrun_h"].tolist())
    kept = int((rows["overrun_h"] <= 0).sum())
    interval = wilson_interval(kept, n)
    low_rank, high_rank = quantile_ci_ranks(n, 0.5)
    ratios = rows["ratio"].dropna().tolist()
    inflation = statistics.fmean(ratios) if ratios else None
    inflation_ci: tuple[float, float] | None = None
    if len(ratios) >= 2:
        ci = t_interval(statistics.fmean(ratios), statistics.stdev(ratios), len(ratios))
        inflation_ci = (ci.low, ci.high)
    moves = int(rows["eta_moves"].sum())
    return EtaScore(
        team=team,
        period=period,
        n=n,
        kept=kept,
        kept_pct=100 * kept / n,
        kept_ci=(100 * interval.low, 100 * interval.high),
        median_overrun_h=statistics.median(overrun),
        overrun_ci=(
            overrun[low_rank - 1] if low_rank else None,
            overrun[high_rank - 1] if high_rank else None,
        ),
        eta_moves=moves,
        moves_per_incident=moves / n,
        inflation=inflation,
        inflation_n=len(ratios),
        inflation_ci=inflation_ci,
        inflated=inflation_ci is not None and inflation_ci[0] > INFLATION_LIMIT,
    )


def eta_scores(
    engine: Engine,
    *,
    by: str = "all",
    team: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str = "UTC",
) -> list[EtaScore]:
    """The honest-ETA score per team (``"*"``: every team together) and period (``by``: all,
    month, quarter or year)."""
    if by not in PERIODS:
        raise ConfigError(f"unknown period {by!r}; use one of {', '.join(PERIODS)}")
    query = select(
        Incident.owner_team,
        Incident.resolved_at,
        Incident.first_eta_at,
        Incident.eta_moves,
        Incident.promised_hours,
        Incident.baseline_hours,
    ).where(
        Incident.status == "resolved",
        Incident.first_eta_at.is_not(None),
        Incident.resolved_at.is_not(None),
    )
    if team is not None:
        query = query.where(Incident.owner_team == team)
    if since is not None:
        query = query.where(Incident.resolved_at >= since)
    if until is not None:
        query = query.where(Incident.resolved_at < until)
    with engine.connect() as conn:
        rows = pd.DataFrame(
            conn.execute(query).all(),
            columns=["team", "resolved_at", "first_eta_at", "eta_moves", "promised", "baseline"],
        )
    if rows.empty:
        return []
    rows["team"] = rows["team"].fillna("—")
    resolved = pd.to_datetime(rows["resolved_at"])
    rows["overrun_h"] = (resolved - pd.to_datetime(rows["first_eta_at"])).dt.total_seconds() / 3600
    baseline = pd.to_numeric(rows["baseline"], errors="coerce")
    rows["ratio"] = (pd.to_numeric(rows["promised"], errors="coerce") / baseline).where(
        baseline > 0
    )
    local = resolved.dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
    rows["period"] = "all" if by == "all" else local.dt.to_period(_FREQ[by]).astype(str)
    found: list[EtaScore] = []
    for period, in_period in rows.groupby("period", sort=True):
        found.append(_score("*", str(period), in_period))
        if team is None:
            for name, of_team in in_period.groupby("team", sort=True):
                found.append(_score(str(name), str(period), of_team))
    return [s for s in found if not (s.team == "*" and team is not None)] or found
