"""The catalogue: every metric otklik computes, defined once.

``docs/metrics.md`` explains each one in Russian and English; a test checks that every name
here is documented there.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from otklik.errors import MetricError
from otklik.metrics.spec import (
    DEFAULT_WINDOW_DAYS,
    MetricParams,
    MetricSpec,
    Statistic,
    TableRole,
)
from otklik.types import SCALES

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["CATALOGUE", "get_metric", "metric_names"]

_WILSON = "Wilson score"
_T = "Student t"
_ORDER = "order statistics (binomial ranks)"


def _scored(t: ir.Table, scale: str) -> ir.BooleanValue:
    return (t.scale == scale) & t.score.notnull()


def _customer_scores(t: ir.Table, p: MetricParams) -> ir.BooleanValue:
    assert p.scale is not None
    return _scored(t, p.scale)


def _contacts(t: ir.Table) -> ir.BooleanValue:
    return t.kind == "contact"


def _nps_where(t: ir.Table, p: MetricParams) -> ir.BooleanValue:
    return _scored(t, "nps")


# Relationship and transactional customer metrics count neither staff (eNPS) nor customers
# who have left (exit surveys have their own metric): the default scope of every score metric.
_CUSTOMER_SCOPE = ("employee", "exit", "employee-exit")


def _top_box(t: ir.Table, p: MetricParams) -> ir.BooleanValue:
    assert p.top_box is not None
    return t.score >= p.top_box


def _score(t: ir.Table, p: MetricParams) -> ir.NumericValue:
    return t.score


def _handled(t: ir.Table, p: MetricParams) -> ir.BooleanValue:
    return _contacts(t) & t.handle_time_s.notnull()


def _handle_time(t: ir.Table, p: MetricParams) -> ir.NumericValue:
    return t.handle_time_s


def _identified_contacts(t: ir.Table, p: MetricParams) -> ir.BooleanValue:
    return _contacts(t) & t.customer_id.notnull()


_NPS_TEXT: dict[str, Any] = dict(
    unit="points",
    statistic=Statistic.NPS,
    numerator="promoters (9–10) minus detractors (0–6)",
    formula="100 · (promoters − detractors) / n",
    ci_method="adjusted Wald (Rocks 2016): n + 3, promoters and detractors + 3/4",
    scales=("nps",),
    rollup=True,
)

_CATALOGUE: dict[str, MetricSpec] = {}


def _add(spec: MetricSpec) -> None:
    _CATALOGUE[spec.name] = spec


_add(
    MetricSpec(
        name="nps",
        title="Net Promoter Score",
        denominator="answers on the 0–10 scale (not employees, not exit surveys)",
        pros=("one number management knows", "comparable with published benchmarks"),
        cons=(
            "a 0–10 answer collapsed to three classes loses information",
            "moves a lot at small n: ±10 points is noise below a few hundred answers",
        ),
        gaming="asking only happy customers (after a success screen), begging for a 9–10",
        guardrails=("response_rate", "csat"),
        excluded_kinds=_CUSTOMER_SCOPE,
        where=_nps_where,
        **_NPS_TEXT,
    )
)
_add(
    MetricSpec(
        name="enps",
        title="Employee NPS",
        denominator="employee answers on the 0–10 scale",
        pros=("same method as NPS, so people read it easily",),
        cons=("small teams give very wide intervals", "anonymity doubts bias the answers upwards"),
        gaming="managers asking only loyal staff or pressing for high scores",
        guardrails=("response_rate",),
        kinds=("employee",),
        where=_nps_where,
        **_NPS_TEXT,
    )
)
_add(
    MetricSpec(
        name="ecsi",
        title="Employee satisfaction index (mean score)",
        unit="score",
        statistic=Statistic.MEAN,
        numerator="sum of employee scores",
        denominator="employee answers on the scale",
        formula="mean employee score on the scale (csat5 by default)",
        ci_method=_T,
        scales=("csat5", "csat10", "rating5"),
        kinds=("employee",),
        pros=("uses the whole scale of the employee survey", "pairs with eNPS"),
        cons=("small teams give very wide intervals", "anonymity doubts bias the answers upwards"),
        gaming="managers asking only loyal staff or pressing for high scores",
        guardrails=("response_rate", "enps"),
        where=_customer_scores,
        value=_score,
    )
)
_add(
    MetricSpec(
        name="exit_nps",
        title="Exit NPS (customers who left)",
        denominator="exit-survey answers on the 0–10 scale",
        pros=("says whether leavers will speak well or badly of the company",),
        cons=(
            "answered by a self-selected few of those who leave",
            "not comparable with the relationship NPS: another population",
        ),
        gaming="asking only customers who leave on good terms",
        guardrails=("churn_rate",),
        kinds=("exit",),
        where=_nps_where,
        **_NPS_TEXT,
    )
)
_add(
    MetricSpec(
        name="csat",
        title="Customer satisfaction (top-box share)",
        unit="%",
        statistic=Statistic.PROPORTION,
        numerator="answers in the top box (4–5 on csat5, 9–10 on csat10)",
        denominator="answers on the scale (not employees, not exit surveys)",
        formula="100 · top-box answers / answers",
        ci_method=_WILSON,
        scales=("csat5", "csat10"),
        top_box={"csat5": SCALES["csat5"].top_min, "csat10": SCALES["csat10"].top_min},
        pros=("easy to explain", "a share is robust to a few extreme answers"),
        cons=("hides the difference between 1 and 3", "depends on when and whom you ask"),
        gaming="choosing when to ask (only after solved cases), agents asking for a 5",
        guardrails=("response_rate", "repeat_rate"),
        excluded_kinds=_CUSTOMER_SCOPE,
        where=_customer_scores,
        success=_top_box,
        rollup=True,
    )
)
_add(
    MetricSpec(
        name="csi",
        title="Customer satisfaction index (mean score)",
        unit="score",
        statistic=Statistic.MEAN,
        numerator="sum of scores",
        denominator="answers on the scale",
        formula="mean score on the scale (csat5 by default)",
        ci_method=_T,
        scales=("csat5", "csat10", "rating5"),
        excluded_kinds=_CUSTOMER_SCOPE,
        pros=("uses the whole scale", "sensitive to small shifts"),
        cons=("a mean of an ordinal scale assumes equal steps",),
        gaming="the same as CSAT: asking selectively, prompting for high scores",
        guardrails=("response_rate", "csat"),
        where=_customer_scores,
        value=_score,
        rollup=True,
    )
)
_add(
    MetricSpec(
        name="ces",
        title="Customer effort score (mean)",
        unit="score",
        statistic=Statistic.MEAN,
        numerator="sum of scores",
        denominator="answers on the 1–7 scale",
        formula="mean ces7 score",
        ci_method=_T,
        scales=("ces7",),
        excluded_kinds=_CUSTOMER_SCOPE,
        pros=("predicts repeat contacts and churn better than satisfaction",),
        cons=("wording of the question varies between companies (high = easy here)",),
        gaming="asking only after simple requests",
        guardrails=("repeat_rate", "response_rate"),
        where=_customer_scores,
        value=_score,
        rollup=True,
    )
)
_add(
    MetricSpec(
        name="ces_easy",
        title="Customer effort: share finding it easy",
        unit="%",
        statistic=Statistic.PROPORTION,
        numerator="answers 5–7",
        denominator="answers on ces7",
        formula="100 · answers ≥ 5 / answers",
        ci_method=_WILSON,
        scales=("ces7",),
        top_box={"ces7": SCALES["ces7"].top_min},
        excluded_kinds=_CUSTOMER_SCOPE,
        pros=("a share managers read directly",),
        cons=("ignores how hard the rest found it",),
        gaming="asking only after simple requests",
        guardrails=("repeat_rate", "ces"),
        where=_customer_scores,
        success=_top_box,
        rollup=True,
    )
)
_AHT: dict[str, Any] = dict(
    unit="s",
    denominator="contacts with a handle time",
    kinds=("contact",),
    where=_handled,
    value=_handle_time,
    higher_is_better=False,
    gaming="hanging up or transferring early, pushing the customer to call again",
    guardrails=("repeat_rate", "agent_hangup_rate", "transfer_rate"),
)
_add(
    MetricSpec(
        name="aht",
        title="Average handle time",
        statistic=Statistic.MEAN,
        numerator="sum of handle_time_s",
        formula="mean handle_time_s of contacts",
        ci_method=_T,
        pros=("drives staffing and cost", "always available from telephony"),
        cons=("long-tailed: the mean is pulled by a few long calls", "rewards rushing"),
        rollup=True,
        **_AHT,
    )
)
_add(
    MetricSpec(
        name="aht_median",
        title="Median handle time",
        statistic=Statistic.QUANTILE,
        quantile=0.5,
        numerator="middle handle time",
        formula="median handle_time_s (linear interpolation)",
        ci_method=_ORDER,
        pros=("robust to a few very long calls",),
        cons=("not additive: cannot be summed over teams or days",),
        **_AHT,
    )
)
_add(
    MetricSpec(
        name="aht_p90",
        title="90th percentile of handle time",
        statistic=Statistic.QUANTILE,
        quantile=0.9,
        numerator="handle time below which 90% of contacts end",
        formula="0.9 quantile of handle_time_s (linear interpolation)",
        ci_method=_ORDER,
        pros=("shows the long calls the mean averages away",),
        cons=("needs a few hundred contacts to be stable",),
        **_AHT,
    )
)
_REPEAT: dict[str, Any] = dict(
    statistic=Statistic.REPEAT,
    unit="%",
    kinds=("contact",),
    window_days=DEFAULT_WINDOW_DAYS,
    denominator="contacts with a customer_id (any channel counts as a repeat)",
    ci_method=_WILSON,
    where=_identified_contacts,
    caveats=(
        "contacts whose window reaches past the data's last contact are counted as "
        "resolved but the period is flagged censored",
        "contacts of one customer are not independent; the interval is optimistic",
    ),
)
_add(
    MetricSpec(
        name="fcr",
        title="First contact resolution",
        numerator="contacts with no other contact by the same customer in (t, t + window]",
        formula="100 · contacts without a repeat in the window / contacts",
        pros=("measured from behaviour, not from what the agent ticks",),
        cons=("needs customer ids", "a customer who gives up looks resolved"),
        gaming="closing cases as resolved, moving the customer to another channel or id",
        guardrails=("repeat_rate", "csat", "churn_rate"),
        **_REPEAT,
    )
)
_add(
    MetricSpec(
        name="repeat_rate",
        title="Repeat-contact rate",
        numerator="contacts followed by another contact of the same customer in (t, t + window]",
        formula="100 − FCR",
        complement=True,
        higher_is_better=False,
        pros=("the cost of unresolved problems, in contacts",),
        cons=("the same blind spots as FCR",),
        gaming="hard to game directly; falls when customers give up",
        guardrails=("churn_rate", "csat"),
        **_REPEAT,
    )
)
_add(
    MetricSpec(
        name="transfer_rate",
        title="Transfer rate",
        unit="%",
        statistic=Statistic.PROPORTION,
        numerator="contacts with transfers ≥ 1",
        denominator="contacts with a known transfer count",
        formula="100 · transferred contacts / contacts",
        ci_method=_WILSON,
        kinds=("contact",),
        pros=("shows routing and skill gaps",),
        cons=("says nothing about whether the issue got fixed",),
        gaming="keeping customers instead of transferring them, failing to resolve",
        guardrails=("fcr", "aht"),
        higher_is_better=False,
        rollup=True,
        where=lambda t, p: _contacts(t) & t.transfers.notnull(),
        success=lambda t, p: t.transfers >= 1,
    )
)
_add(
    MetricSpec(
        name="agent_hangup_rate",
        title="Share of contacts ended by the agent",
        unit="%",
        statistic=Statistic.PROPORTION,
        numerator="contacts with ended_by = agent",
        denominator="contacts with ended_by known",
        formula="100 · agent-ended / contacts",
        ci_method=_WILSON,
        kinds=("contact",),
        higher_is_better=False,
        rollup=True,
        pros=("the direct guardrail for AHT",),
        cons=("telephony often does not record it",),
        gaming="agents letting the line drop instead of hanging up",
        guardrails=("repeat_rate",),
        where=lambda t, p: _contacts(t) & t.ended_by.notnull(),
        success=lambda t, p: t.ended_by == "agent",
    )
)
_CHURN: dict[str, Any] = dict(
    table=TableRole.CUSTOMERS,
    time_column="churned_at",
    higher_is_better=False,
    caveats=(
        "customers without started_at are not counted",
        "a period is a whole calendar period; the base is taken at its start",
    ),
    gaming="counting a downgrade or a paused account as retained, re-registering leavers",
)
_add(
    MetricSpec(
        name="churn_rate",
        title="Customer churn rate",
        unit="%",
        statistic=Statistic.CHURN,
        numerator="base customers with churned_at in [start, end)",
        denominator="customers with started_at < start, not churned before start",
        formula="100 · churned in the period / customers at the period's start",
        ci_method=_WILSON,
        pros=("the outcome CX exists to protect",),
        cons=("lags: it moves months after the cause",),
        guardrails=("revenue_churn", "nps"),
        **_CHURN,
    )
)
_add(
    MetricSpec(
        name="revenue_churn",
        title="Revenue churn rate",
        unit="%",
        statistic=Statistic.REVENUE_CHURN,
        numerator="revenue of base customers churned in the period",
        denominator="revenue of customers at the period's start (customers with a revenue)",
        formula="100 · Σ revenue of churned / Σ revenue of the base",
        ci_method="normal: ±1.96·linearised se",
        pros=("weights customers by what they bring",),
        cons=("one large customer dominates", "revenue is a snapshot, not the lost future revenue"),
        guardrails=("churn_rate", "nps"),
        **_CHURN,
    )
)
_add(
    MetricSpec(
        name="response_rate",
        title="Survey response rate",
        unit="%",
        statistic=Statistic.PROPORTION,
        numerator="answered invitations",
        denominator="invitations",
        formula="100 · answered / sent",
        ci_method=_WILSON,
        table=TableRole.INVITATIONS,
        time_column="sent_at",
        required_tables=("invitations",),
        missing_hint=(
            "response_rate needs survey invitations (table 'invitations'), which this store does "
            "not have yet; run it again once surveys exist and `otklik init` has added the table"
        ),
        pros=("the guardrail for every survey metric: who answers decides the score",),
        cons=("a high rate from a pushy channel can still be biased",),
        gaming="inviting only likely responders, counting reminders as new invitations",
        guardrails=("csat", "nps"),
        where=lambda t, p: t.sent_at.notnull(),
        success=lambda t, p: t.answered_at.notnull(),
    )
)

# The honest-ETA pair (otklik.incidents, docs/incidents.md): promises kept, and the guardrail
# that catches promises padded to be safe.
_INCIDENTS: dict[str, Any] = dict(
    table=TableRole.INCIDENTS,
    time_column="resolved_at",
    required_tables=("incidents",),
    missing_hint=(
        "this metric needs the incidents table, which this store does not have yet; run "
        "`otklik init` to add it"
    ),
)
_add(
    MetricSpec(
        name="eta_kept",
        title="Incident fix-time promises kept",
        unit="%",
        statistic=Statistic.PROPORTION,
        numerator="resolved incidents fixed by their first promised time (ETA)",
        denominator="resolved incidents that had a promised time",
        formula="100 · resolved ≤ first ETA / resolved with an ETA",
        ci_method=_WILSON,
        pros=("measures whether customers can trust what they are told",),
        cons=("few incidents a period: wide intervals", "one incident counts once, big or small"),
        gaming="promising a fix time far beyond the usual one, so it is always kept",
        guardrails=("eta_inflation",),
        where=lambda t, p: t.resolved_at.notnull() & t.first_eta_at.notnull(),
        success=lambda t, p: t.resolved_at <= t.first_eta_at,
        **_INCIDENTS,
    )
)
_add(
    MetricSpec(
        name="eta_inflation",
        title="Promised fix time over the team's usual fix time",
        unit="ratio",
        statistic=Statistic.MEAN,
        numerator="sum of promised hours / the team's median hours to fix before it",
        denominator="resolved incidents with a promise and an earlier incident of the team",
        formula="mean of promised hours / team's historical median hours to fix",
        ci_method=_T,
        higher_is_better=False,
        pros=("catches promises padded to look punctual",),
        cons=(
            "needs earlier incidents of the team",
            "a genuinely harder incident reads as padding",
        ),
        gaming="closing incidents early to keep the team's historical fix time short",
        guardrails=("eta_kept",),
        where=lambda t, p: (
            t.resolved_at.notnull() & t.promised_hours.notnull() & (t.baseline_hours > 0)
        ),
        value=lambda t, p: t.promised_hours / t.baseline_hours,
        **_INCIDENTS,
    )
)

CATALOGUE: Mapping[str, MetricSpec] = MappingProxyType(_CATALOGUE)


def metric_names() -> list[str]:
    return list(CATALOGUE)


def get_metric(name: str | MetricSpec) -> MetricSpec:
    """The spec of ``name``; an unknown name is a :class:`MetricError` with suggestions."""
    if isinstance(name, MetricSpec):
        return name
    key = name.strip().lower()
    if key in CATALOGUE:
        return CATALOGUE[key]
    close = get_close_matches(key, CATALOGUE, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise MetricError(
        f"unknown metric {name!r}{hint} (known: {', '.join(CATALOGUE)}; see `otklik metrics list`)"
    )
