"""KPIs with guardrails: a metric, a scope, a target grounded in the baseline, and the
counter-metrics that catch gaming.

    >>> from otklik.kpi import load_kpis, evaluate, render_text
    >>> report = evaluate(load_kpis(), "sqlite:///otklik.db", period="2025-Q4", by="agent")
    >>> report.to_dict()["gaming"]  # far better than peers on a KPI, far worse on a guardrail
    >>> print(render_text(report, language="ru"))

``docs/kpi.md`` explains the default pairs, the statuses and the gaming rule.
"""

from otklik.kpi.definitions import (
    DEFAULT_KPIS,
    SCOPE_FIELDS,
    GamingRule,
    GuardrailDef,
    KpiDef,
    KpiSet,
    describe,
    is_shipped,
    kpis_in_force,
    kpis_save_path,
    load_kpis,
    parse_kpis,
    read_kpis,
    save_kpis,
)
from otklik.kpi.evaluate import (
    BY_FIELDS,
    KPI_STATUSES,
    KpiResult,
    Report,
    Trend,
    evaluate,
    kpi_status,
    trend_flags,
)
from otklik.kpi.frames import Span, previous_span, span_of
from otklik.kpi.gaming import (
    LEVELS,
    MAD_TO_SD,
    GamingFlag,
    PeerFigure,
    detect_peer_gaming,
    robust_z,
)
from otklik.kpi.guardrails import STATES, GuardrailState
from otklik.kpi.report import LANGUAGES, format_value, metric_name, render_text, scope_text
from otklik.kpi.targets import Suggestion, probability_of, suggest_target, target_for

__all__ = [
    "BY_FIELDS",
    "DEFAULT_KPIS",
    "KPI_STATUSES",
    "LANGUAGES",
    "LEVELS",
    "MAD_TO_SD",
    "SCOPE_FIELDS",
    "STATES",
    "GamingFlag",
    "GamingRule",
    "GuardrailDef",
    "GuardrailState",
    "KpiDef",
    "KpiResult",
    "KpiSet",
    "PeerFigure",
    "Report",
    "Span",
    "Suggestion",
    "Trend",
    "describe",
    "detect_peer_gaming",
    "evaluate",
    "format_value",
    "is_shipped",
    "kpi_status",
    "kpis_in_force",
    "kpis_save_path",
    "load_kpis",
    "metric_name",
    "parse_kpis",
    "previous_span",
    "probability_of",
    "read_kpis",
    "render_text",
    "robust_z",
    "save_kpis",
    "scope_text",
    "span_of",
    "suggest_target",
    "target_for",
    "trend_flags",
]
