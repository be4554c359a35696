"""The figures that keep the policy honest, for both sides.

Operators (:func:`agent_flag_rates`): per agent, the share of their contacts they flagged as
abusive (a step or a report they took themselves), and the share of their reviewed flags that
supervisors confirmed, each against peers with the robust z of the KPI gaming detection
(:func:`otklik.kpi.gaming.robust_z`: median, 1.4826·MAD, a standard-error floor).

Management (:func:`protection_figures`): abusive contacts per 1,000 contacts by channel and
period with Wilson intervals, the share of abusive contacts handled under the policy, time to a
supervisor's review (median, distribution-free interval), blocks issued and reversed.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from otklik.conduct.policy import ConductPolicy
from otklik.kpi import robust_z
from otklik.ledger import ConductEvent, ConductFlag, FeedbackItem
from otklik.metrics import quantile_ci_ranks, quantile_estimate_ranks, wilson_interval

__all__ = [
    "PERIODS",
    "AgentConduct",
    "agent_flag_rates",
    "period_key",
    "protection_figures",
]

PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
_OPERATOR_STEPS = ("warning", "end", "block", "report")


def _day(value: date | str) -> date:
    """A day as the database gives ``date(occurred_at)``: a date, or its ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def period_key(moment: datetime | date, period: str) -> str:
    if period == "day":
        return moment.strftime("%Y-%m-%d")
    if period == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return moment.strftime("%Y-%m")
    if period == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    if period == "year":
        return str(moment.year)
    raise ValueError(f"period {period!r}: use one of {', '.join(PERIODS)}")


@dataclass(frozen=True)
class AgentConduct:
    agent: str
    team: str | None
    contacts: int
    flagged: int
    rate: float
    rate_ci_low: float
    rate_ci_high: float
    rate_z: float | None
    peer_median_rate: float | None
    reviewed: int
    confirmed: int
    confirmed_share: float | None
    confirmed_ci_low: float | None
    confirmed_ci_high: float | None
    peer_median_confirmed: float | None
    over_flagging: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _decisions(conn: Any) -> dict[int, str]:
    latest: dict[int, str] = {}
    for item_id, step in conn.execute(
        select(ConductEvent.item_id, ConductEvent.step)
        .where(ConductEvent.step.in_(["confirm", "reverse"]))
        .order_by(ConductEvent.at, ConductEvent.id)
    ).all():
        latest[item_id] = step
    return latest


def _window(query: Any, since: datetime | None, until: datetime | None, zone: str | None) -> Any:
    if since is not None:
        query = query.where(FeedbackItem.occurred_at >= since)
    if until is not None:
        query = query.where(FeedbackItem.occurred_at < until)
    if zone is not None:
        query = query.where(FeedbackItem.owner_team == zone)
    return query


def agent_flag_rates(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    zone: str | None = None,
    min_contacts: int = 30,
    min_peers: int = 4,
    z_threshold: float = 2.5,
    min_reviewed: int = 5,
) -> list[AgentConduct]:
    """Each agent's flag rate and confirmed share against peers (all agents with at least
    ``min_contacts`` contacts in the window; fewer than ``min_peers`` such agents: no z).

    An agent over-flags when their flag rate's robust z is at least ``z_threshold`` and the
    upper end of their confirmed share's interval (at least ``min_reviewed`` reviewed flags) is
    below the peers' median confirmed share: they flag far more often than peers and supervisors
    uphold fewer of their flags.
    """
    with engine.connect() as conn:
        contacts: dict[str, int] = defaultdict(int)
        teams: dict[str, str | None] = {}
        # Counted in the database, per agent and team (a few hundred rows, not one per
        # contact); an agent's team is the one of their earliest contact.
        query = (
            select(
                FeedbackItem.agent,
                FeedbackItem.team,
                func.count(),
                func.min(FeedbackItem.occurred_at),
                func.min(FeedbackItem.id),
            )
            .where(FeedbackItem.kind == "contact", FeedbackItem.agent.is_not(None))
            .group_by(FeedbackItem.agent, FeedbackItem.team)
        )
        first: dict[str, tuple[Any, int]] = {}
        for agent, team, count, earliest, lowest in conn.execute(
            _window(query, since, until, zone)
        ).all():
            contacts[agent] += int(count)
            if agent not in first or (earliest, lowest) < first[agent]:
                first[agent] = (earliest, lowest)
                teams[agent] = team
        flagged_items: dict[str, set[int]] = defaultdict(set)
        flag_query = (
            select(FeedbackItem.agent, ConductEvent.item_id)
            .join(FeedbackItem, FeedbackItem.id == ConductEvent.item_id)
            .where(
                ConductEvent.step.in_(_OPERATOR_STEPS),
                ConductEvent.actor == FeedbackItem.agent,
                FeedbackItem.kind == "contact",
            )
        )
        for agent, item_id in conn.execute(_window(flag_query, since, until, zone)).all():
            flagged_items[agent].add(item_id)
        decisions = _decisions(conn)
    eligible = [a for a, n in contacts.items() if n >= min_contacts]
    rates = {a: len(flagged_items[a]) / contacts[a] for a in contacts}
    z_of: dict[str, float] = {}
    median_rate: float | None = None
    median_conf: float | None = None
    confirmed_of: dict[str, tuple[int, int]] = {}
    for agent in contacts:
        items = flagged_items[agent]
        verdicts = [decisions[i] for i in items if i in decisions]
        confirmed_of[agent] = (sum(1 for d in verdicts if d == "confirm"), len(verdicts))
    if len(eligible) >= min_peers:
        values = [rates[a] for a in eligible]
        # The standard-error floor is each agent's binomial error at the peers' pooled rate
        # (what their rate would scatter by if they flagged like everyone else). An agent's own
        # rate would give an error of ~0 to the many who flagged nobody, and a z in the
        # hundreds of thousands to anyone with one flag among them.
        pooled = sum(len(flagged_items[a]) for a in eligible) / sum(contacts[a] for a in eligible)
        errors = [math.sqrt(pooled * (1 - pooled) / contacts[a]) for a in eligible]
        zs, median_rate, _scale = robust_z(values, errors)
        z_of = dict(zip(eligible, zs, strict=True))
        shares = [c / n for a in eligible for c, n in [confirmed_of[a]] if n]
        median_conf = statistics.median(shares) if shares else None
    out = []
    for agent in sorted(contacts):
        n = contacts[agent]
        k = len(flagged_items[agent])
        rate_ci = wilson_interval(k, n)
        confirmed, reviewed = confirmed_of[agent]
        share_ci = wilson_interval(confirmed, reviewed) if reviewed else None
        share = confirmed / reviewed if reviewed else None
        z = z_of.get(agent)
        over = (
            z is not None
            and z >= z_threshold
            and share_ci is not None
            and reviewed >= min_reviewed
            and median_conf is not None
            and share_ci.high < median_conf
        )
        out.append(
            AgentConduct(
                agent=agent,
                team=teams.get(agent),
                contacts=n,
                flagged=k,
                rate=k / n,
                rate_ci_low=rate_ci.low,
                rate_ci_high=rate_ci.high,
                rate_z=z,
                peer_median_rate=median_rate,
                reviewed=reviewed,
                confirmed=confirmed,
                confirmed_share=share,
                confirmed_ci_low=share_ci.low if share_ci else None,
                confirmed_ci_high=share_ci.high if share_ci else None,
                peer_median_confirmed=median_conf,
                over_flagging=over,
            )
        )
    return out


def _median_ci(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"median": None, "n": 0, "ci_low": None, "ci_high": None}
    ordered = sorted(values)
    n = len(ordered)
    lo, hi, w = quantile_estimate_ranks(n, 0.5)
    median = ordered[lo - 1] + w * (ordered[hi - 1] - ordered[lo - 1])
    low, high = quantile_ci_ranks(n, 0.5)
    return {
        "median": median,
        "n": n,
        "ci_low": ordered[low - 1] if low is not None else None,
        "ci_high": ordered[high - 1] if high is not None else None,
    }


def protection_figures(
    engine: Engine,
    policy: ConductPolicy,
    *,
    period: str = "month",
    since: datetime | None = None,
    until: datetime | None = None,
    zone: str | None = None,
) -> dict[str, Any]:
    """Employee-protection figures, each with n and a 95% interval (see the module doc)."""
    if period not in PERIODS:
        raise ValueError(f"period {period!r}: use one of {', '.join(PERIODS)}")
    with engine.connect() as conn:
        abusive = set(
            conn.execute(
                select(ConductFlag.item_id).where(ConductFlag.confidence >= policy.min_confidence)
            ).scalars()
        )
        # Contacts counted in the database per day and channel (days × channels rows, not one
        # per contact), and the abusive ones among them by id (few).
        day = func.date(FeedbackItem.occurred_at)
        query = (
            select(day, FeedbackItem.channel, func.count())
            .where(FeedbackItem.kind == "contact")
            .group_by(day, FeedbackItem.channel)
        )
        per_day = conn.execute(_window(query, since, until, zone)).all()
        flagged = select(FeedbackItem.id, day, FeedbackItem.channel).where(
            FeedbackItem.kind == "contact",
            FeedbackItem.id.in_(
                select(ConductFlag.item_id).where(ConductFlag.confidence >= policy.min_confidence)
            ),
        )
        abusive_rows = conn.execute(_window(flagged, since, until, zone)).all()
        events = conn.execute(
            _window(
                select(
                    ConductEvent.item_id,
                    ConductEvent.step,
                    ConductEvent.at,
                    ConductEvent.id,
                    ConductEvent.reverses,
                )
                .join(FeedbackItem, FeedbackItem.id == ConductEvent.item_id)
                .order_by(ConductEvent.at, ConductEvent.id),
                since,
                until,
                zone,
            )
        ).all()
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    abusive_contacts = set()
    for on, channel, count in per_day:
        cells[(period_key(_day(on), period), channel or "")][0] += int(count)
    for item_id, on, channel in abusive_rows:
        if item_id in abusive:
            cells[(period_key(_day(on), period), channel or "")][1] += 1
            abusive_contacts.add(item_id)
    rows = []
    for (key, channel), (n, k) in sorted(cells.items()):
        ci = wilson_interval(k, n)
        rows.append(
            {
                "period": key,
                "channel": channel or None,
                "contacts": n,
                "abusive": k,
                "per_1000": 1000 * k / n,
                "ci_low": 1000 * ci.low,
                "ci_high": 1000 * ci.high,
            }
        )
    stepped = {e.item_id for e in events if e.step in ("warning", "end", "block", "review")}
    handled = len(abusive_contacts & stepped)
    handled_ci = wilson_interval(handled, len(abusive_contacts)) if abusive_contacts else None
    first_step: dict[int, datetime] = {}
    review_hours: list[float] = []
    reviewed: set[int] = set()
    blocks = {e.id for e in events if e.step == "block"}
    reversed_blocks = sum(1 for e in events if e.step == "reverse" and e.reverses in blocks)
    for e in events:
        if e.step in ("warning", "end", "block", "review", "report"):
            first_step.setdefault(e.item_id, e.at)
        elif e.step in ("confirm", "reverse") and e.item_id not in reviewed:
            reviewed.add(e.item_id)
            if e.item_id in first_step:
                review_hours.append((e.at - first_step[e.item_id]).total_seconds() / 3600)
    return {
        "period": period,
        "rates": rows,
        "handled": {
            "abusive_contacts": len(abusive_contacts),
            "handled": handled,
            "share": handled / len(abusive_contacts) if abusive_contacts else None,
            "ci_low": handled_ci.low if handled_ci else None,
            "ci_high": handled_ci.high if handled_ci else None,
        },
        "time_to_review_hours": _median_ci(review_hours),
        "blocks": {"issued": len(blocks), "reversed": reversed_blocks},
    }
