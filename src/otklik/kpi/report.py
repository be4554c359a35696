"""The KPI report as text a manager can paste into a letter (Markdown, Russian or English).

Every figure keeps its n and its 95% interval; a status that could be noise says so; gaming
flags are worded as questions to check, with the evidence, never as verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otklik.kpi.evaluate import KpiResult, Report
from otklik.kpi.gaming import GamingFlag
from otklik.kpi.guardrails import GuardrailState
from otklik.metrics import get_metric

__all__ = [
    "LANGUAGES",
    "format_change",
    "format_value",
    "metric_name",
    "render_text",
    "scope_text",
]

LANGUAGES = ("en", "ru")

_RU_METRICS = {
    "aht": "среднее время обработки",
    "aht_median": "медиана времени обработки",
    "aht_p90": "90-й процентиль времени обработки",
    "fcr": "решение с первого обращения",
    "repeat_rate": "повторные обращения",
    "transfer_rate": "доля переводов",
    "agent_hangup_rate": "разговоры, завершённые оператором",
    "csat": "CSAT",
    "csi": "CSI",
    "nps": "NPS",
    "enps": "eNPS",
    "ces": "CES",
    "ces_easy": "CES: доля «легко»",
    "churn_rate": "отток клиентов",
    "revenue_churn": "отток выручки",
    "response_rate": "доля ответов на опросы",
    "sample_size": "размер выборки",
    "survey_coverage": "охват опросами",
}
_EN_CHECKS = {"sample_size": "sample size", "survey_coverage": "survey coverage"}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "KPI report",
        "owner": "owner",
        "value": "value",
        "target": "target",
        "company": "whole company",
        "trend": "Compared with {period}",
        "no_trend": "no previous period",
        "guardrails": "guardrails",
        "gaming": "Possible gaming — check before acting",
        "no_gaming": "No gaming pattern found (KPI far better than peers while a guardrail "
        "is far worse).",
        "peers": "{count} peers",
        "items": "items",
        "was": "was",
        "met": "met",
        "missed": "missed",
        "not_significant": "not significant (the 95% interval includes the target: could be noise)",
        "small_sample": "small sample (too few observations to judge)",
        "better": "better",
        "worse": "worse",
        "no_significant_change": "no significant change",
        "unknown": "not tested",
        "ok": "ok",
        "watch": "watch",
        "broken": "BROKEN",
        "no_data": "no data",
        "vs_peers": "vs the peers' median",
        "improved": "improved",
        "rule": "Rule: KPI far better than peers (robust z ≥ {kpi_z}) and a guardrail far "
        "worse (z ≥ {guard_z}, beyond tolerance, p < {alpha}).",
    },
    "ru": {
        "title": "Отчёт по KPI",
        "owner": "ответственный",
        "value": "значение",
        "target": "цель",
        "company": "вся компания",
        "trend": "По сравнению с {period}",
        "no_trend": "нет предыдущего периода",
        "guardrails": "контрольные метрики",
        "gaming": "Возможная «накрутка» — проверить, прежде чем делать выводы",
        "no_gaming": "Признаков накрутки не найдено (KPI намного лучше коллег при намного "
        "худшей контрольной метрике).",
        "peers": "коллег: {count}",
        "items": "записи",
        "was": "было",
        "met": "выполнен",
        "missed": "не выполнен",
        "not_significant": "не значимо (95% интервал включает цель: может быть шум)",
        "small_sample": "мало данных для вывода",
        "better": "лучше",
        "worse": "хуже",
        "no_significant_change": "без значимых изменений",
        "unknown": "не проверялось",
        "ok": "в норме",
        "watch": "под наблюдением",
        "broken": "НАРУШЕНА",
        "no_data": "нет данных",
        "vs_peers": "при медиане коллег",
        "improved": "улучшилось",
        "rule": "Правило: KPI намного лучше коллег (робастный z ≥ {kpi_z}) и контрольная "
        "метрика намного хуже (z ≥ {guard_z}, сверх допуска, p < {alpha}).",
    },
}


def metric_name(name: str, language: str = "en") -> str:
    if language == "ru":
        return _RU_METRICS.get(name, name)
    if name in _EN_CHECKS:
        return _EN_CHECKS[name]
    return get_metric(name).title


def format_value(value: float | None, unit: str, language: str = "en") -> str:
    """A value in its unit: ``17.3%``, ``384 s`` (``384 с``), ``+19.7`` points, ``4.12``."""
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "s":
        return f"{value:.0f} " + ("с" if language == "ru" else "s")
    if unit == "points":
        return f"{value:+.1f}"
    return f"{value:.2f}"


def format_change(change: float | None, unit: str, language: str = "en") -> str:
    """A difference in its unit: ``+2.1 pp`` for shares, ``-12 s``, ``+3.1`` points."""
    if change is None:
        return "–"
    if unit == "%":
        return f"{change:+.1f} " + ("п.п." if language == "ru" else "pp")
    if unit == "s":
        return f"{change:+.0f} " + ("с" if language == "ru" else "s")
    if unit == "points":
        return f"{change:+.1f}"
    return f"{change:+.2f}"


def scope_text(scope: Mapping[str, Any], language: str = "en") -> str:
    parts = [f"{field}={value}" for field, value in scope.items() if value is not None]
    return ", ".join(parts) if parts else _TEXT[language]["company"]


def _p(p: float | None) -> str:
    if p is None:
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _guard(state: GuardrailState, words: Mapping[str, str], language: str) -> str:
    name = metric_name(state.guardrail, language)
    unit = state.unit
    status = words.get(state.status, state.status)
    if state.guardrail == "sample_size":
        figure = f"n = {state.n:,}" + (f" (min {state.minimum:g})" if state.minimum else "")
    elif state.value is None:
        return f"{name} — {status}"
    else:
        figure = format_value(state.value, unit, language)
        if state.baseline is not None:
            figure += f" ({words['was']} {format_value(state.baseline, unit, language)})"
        if state.guardrail == "survey_coverage" and state.minimum is not None:
            figure += f" (min {state.minimum:g}%)"
    return f"{name} {figure} — {status}"


def _kpi_line(result: KpiResult, words: Mapping[str, str], language: str) -> str:
    kpi, unit = result.kpi, result.kpi.spec.unit
    row = result.row
    sign = "≤" if kpi.lower_is_better else "≥"
    figure = format_value(result.value, unit, language)
    if row is not None and row.ci_low is not None and row.ci_high is not None:
        figure += (
            f" (95% CI {format_value(row.ci_low, unit, language)} … "
            f"{format_value(row.ci_high, unit, language)}, n = {row.n:,})"
        )
    else:
        figure += f" (n = {result.n:,})"
    trend = result.trend
    if trend.previous_period is not None and trend.previous is not None:
        p = _p(trend.p_value)
        trend_text = (
            f"{words['trend'].format(period=trend.previous_period.label)} "
            f"({format_value(trend.previous, unit, language)}): "
            f"{format_change(trend.change, unit, language)}, {words[trend.verdict]}"
            + (f" ({p})" if p else "")
        )
    else:
        trend_text = words["no_trend"]
    guards = "; ".join(_guard(g, words, language) for g in result.guardrails) or "–"
    return (
        f"- {scope_text(result.scope, language)}: {figure}; {words['target']} {sign} "
        f"{format_value(kpi.target, unit, language)} — **{words[result.status]}**. "
        f"{trend_text}. "
        f"{words['guardrails'].capitalize()}: {guards}."
    )


def _flag_line(flag: GamingFlag, words: Mapping[str, str], language: str) -> str:
    evidence = flag.evidence
    parts = []
    for name, figures in evidence.get("metrics", {}).items():
        unit = get_metric(name).unit
        value = format_value(figures["value"], unit, language)
        if "peer_median" in figures:
            text = (
                f"{metric_name(name, language)} {value} {words['vs_peers']} "
                f"{format_value(figures['peer_median'], unit, language)} "
                f"(z {figures['robust_z']:+.1f}"
            )
            p = _p(figures.get("p_value"))
            parts.append(text + (f", {p})" if p else ")"))
        else:
            text = (
                f"{metric_name(name, language)} {value} "
                f"({words['was']} {format_value(figures.get('previous'), unit, language)}"
            )
            p = _p(figures.get("p_value"))
            parts.append(text + (f", {p})" if p else ")"))
    period = evidence.get("period", {})
    head = scope_text(flag.scope, language)
    peers = evidence.get("peers")
    tail = f"; {words['peers'].format(count=peers)}" if peers else ""
    return (
        f"- **{head}** ({flag.kpi}, {period.get('label', '')}): "
        + "; ".join(parts)
        + f"{tail}. {words['items'].capitalize()}: {scope_text(evidence.get('items', {}))}, "
        f"{period.get('from', '')} … {period.get('to', '')}."
    )


def render_text(
    report: Report, *, language: str = "en", rule: Mapping[str, float] | None = None
) -> str:
    """The report as Markdown: a section per KPI, then the gaming flags with evidence."""
    words = _TEXT["ru" if language == "ru" else "en"]
    language = "ru" if language == "ru" else "en"
    lines = [f"# {words['title']}", ""]
    current: str | None = None
    for result in report.results:
        kpi = result.kpi
        if kpi.name != current:
            current = kpi.name
            trend = result.trend
            period = f" — {trend.period.label}" if trend.period is not None else ""
            lines += [
                "",
                f"## {kpi.label(language)} ({kpi.name}){period}",
                f"{metric_name(kpi.metric, language)}; {words['owner']}: {kpi.owner}",
                "",
            ]
        lines.append(_kpi_line(result, words, language))
    lines += ["", f"## {words['gaming']}", ""]
    if not report.gaming:
        lines.append(words["no_gaming"])
    for flag in report.gaming:
        lines.append(_flag_line(flag, words, language))
    if rule:
        lines += [
            "",
            "_"
            + words["rule"].format(
                kpi_z=rule["kpi_z"], guard_z=rule["guardrail_z"], alpha=rule["alpha"]
            )
            + "_",
        ]
    return "\n".join(lines).replace("\n\n\n", "\n\n").strip() + "\n"
