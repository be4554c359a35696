"""The case for management: one page in Russian or English (Markdown, XLSX or PDF).

The headline score metrics with 95% intervals and their change against the previous period
(:func:`otklik.metrics.compare`, the catalogue's own tests), the top five problems of the
backlog with their cost, trend, owner and cases, what improved, the money lost per churn reason,
and charts (the PDF draws the impacts with their intervals and the headline metrics against the
previous period). The numbers are those of :func:`otklik.drivers.analyse`, i.e. of the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from otklik.drivers.analysis import DriversReport, backlog
from otklik.drivers.options import Context, run
from otklik.drivers.tables import xlsx_bytes
from otklik.errors import ConfigError, MetricError
from otklik.metrics import ALPHA, Period, Slice, compare, compute, two_proportion_test
from otklik.pillars import PILLARS, pillar_scores

__all__ = [
    "HEADLINE_METRICS",
    "REPORT_FORMATS",
    "ManagementReport",
    "find_font",
    "management_report",
    "to_markdown",
    "to_pdf",
    "to_xlsx",
]

HEADLINE_METRICS: tuple[str, ...] = ("nps", "csat", "ces")
REPORT_FORMATS: tuple[str, ...] = ("pdf", "xlsx", "md")
_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Customer experience: what to fix first",
        "period": "Period {period}, compared with {previous}",
        "headline": "Headline metrics",
        "metric": "Metric",
        "value": "Value [95% CI]",
        "previous": "Previous period",
        "change": "Change",
        "problems": "Top problems",
        "problem": "Problem",
        "owner": "Owner",
        "impact": "Impact on {metric} [95% CI]",
        "cost": "Revenue at risk",
        "trend": "Trend",
        "cases": "Cases open / closed",
        "improved": "What improved since {previous}",
        "nothing_improved": "No topic improved significantly.",
        "reasons": "Money lost per churn reason",
        "reason": "Reason",
        "pillars": (
            "The six pillars of CX excellence (KPMG): how the feedback tagged with each feels"
        ),
        "pillar": "Pillar",
        "negative": "Negative",
        "positive": "Positive",
        "change_negative": "Negative, change vs {previous}",
        "lost": "Revenue lost",
        "significant": "significant",
        "noise": "noise",
        "worse": "worse",
        "better": "better",
        "new": "new",
        "chart_impact": "Impact of each problem on {metric}, points, with 95% intervals",
        "chart_headline": "Headline metrics: previous period and this one, with 95% intervals",
        "how": (
            "Impact = {metric} of all answers − {metric} without the topic (negative: it drags "
            "the score down); 95% bootstrap intervals. Revenue at risk: yearly revenue of "
            "customers who mentioned the problem and left within {window} days, plus unhappy "
            "customers who stayed. Correlation, not causation; topics overlap."
        ),
        "n": "n",
        "x_value": "Value",
        "x_low": "95% CI low",
        "x_high": "95% CI high",
        "x_previous": "Previous period",
        "x_significant": "Significant",
        "x_topic": "Topic code",
        "x_impact": "Impact on {metric}",
        "x_cost_n": "Customers (n)",
        "x_currency": "Currency",
        "x_trend": "Change of impact",
        "x_open": "Cases open",
        "x_closed": "Cases closed",
    },
    "ru": {
        "title": "Клиентский опыт: что исправлять в первую очередь",
        "period": "Период {period}, сравнение с {previous}",
        "headline": "Ключевые метрики",
        "metric": "Метрика",
        "value": "Значение [95% ДИ]",
        "previous": "Прошлый период",
        "change": "Изменение",
        "problems": "Главные проблемы",
        "problem": "Проблема",
        "owner": "Ответственный",
        "impact": "Влияние на {metric} [95% ДИ]",
        "cost": "Выручка под риском",
        "trend": "Динамика",
        "cases": "Обращения открыто / закрыто",
        "improved": "Что улучшилось с {previous}",
        "nothing_improved": "Значимо не улучшилась ни одна тема.",
        "reasons": "Потерянная выручка по причинам ухода",
        "reason": "Причина",
        "pillars": "Шесть опор клиентского опыта (KPMG): как звучат отзывы по каждой",
        "pillar": "Опора",
        "negative": "Негативные",
        "positive": "Позитивные",
        "change_negative": "Негативные, изменение к {previous}",
        "lost": "Потеряно выручки",
        "significant": "значимо",
        "noise": "в пределах шума",
        "worse": "хуже",
        "better": "лучше",
        "new": "новая",
        "chart_impact": "Влияние каждой проблемы на {metric}, пункты, с 95% интервалами",
        "chart_headline": "Ключевые метрики: прошлый период и текущий, с 95% интервалами",
        "how": (
            "Влияние = {metric} по всем ответам − {metric} без темы (минус: тема тянет оценку "
            "вниз); 95% бутстреп-интервалы. Выручка под риском: годовая выручка клиентов, "
            "упомянувших проблему и ушедших в течение {window} дней, плюс недовольных, "
            "которые остались. Это связь, а не причинность; темы пересекаются."
        ),
        "n": "n",
        "x_value": "Значение",
        "x_low": "95% ДИ, от",
        "x_high": "95% ДИ, до",
        "x_previous": "Прошлый период",
        "x_significant": "Значимо",
        "x_topic": "Код темы",
        "x_impact": "Влияние на {metric}",
        "x_cost_n": "Клиентов (n)",
        "x_currency": "Валюта",
        "x_trend": "Изменение влияния",
        "x_open": "Открыто обращений",
        "x_closed": "Закрыто обращений",
    },
}


def _t(locale: str, key: str, **values: Any) -> str:
    text = _TEXT.get(locale, _TEXT["en"])[key]
    return text.format(**values) if values else text


@dataclass
class ManagementReport:
    period: Period
    previous: Period
    metric: str
    currency: str
    window_days: int
    headlines: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    improved: list[dict[str, Any]]
    churn_reasons: list[dict[str, Any]]
    drivers: DriversReport
    pillars: list[dict[str, Any]]
    team_titles: dict[str, dict[str, str]] = field(default_factory=dict)  # team → ru/en label

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "previous": self.previous.to_dict(),
            "metric": self.metric,
            "currency": self.currency,
            "headlines": self.headlines,
            "problems": self.problems,
            "improved": self.improved,
            "churn_reasons": self.churn_reasons,
            "pillars": self.pillars,
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _headline(
    engine: Engine,
    context: Context,
    name: str,
    chosen: Period,
    previous: Period,
    filters: Mapping[str, Sequence[str | None]] | None,
) -> dict[str, Any]:
    """The metric now and before with intervals, and the catalogue's test of the change; a
    side without answers has no value (and the change is not tested)."""
    wanted = {key: list(values) for key, values in (filters or {}).items()}
    try:
        found = compare(
            name,
            engine,
            Slice(previous.label, previous.start, previous.end),
            Slice(chosen.label, chosen.start, chosen.end),
            filters=wanted or None,
            timezone=context.zone,
        )
    except MetricError:
        sides = [
            compute(
                name,
                engine,
                start=p.start,
                end=p.end,
                filters=wanted or None,
                timezone=context.zone,
            )
            for p in (previous, chosen)
        ]
        before, now = (rows[0] if rows else None for rows in sides)
        return {
            "metric": name,
            "value": _round(now.value) if now else None,
            "ci": [_round(now.ci_low), _round(now.ci_high)] if now else [None, None],
            "n": now.n if now else 0,
            "previous": _round(before.value) if before else None,
            "previous_ci": [_round(before.ci_low), _round(before.ci_high)]
            if before
            else [None, None],
            "previous_n": before.n if before else 0,
            "change": None,
            "significant": False,
            "p_value": None,
        }
    return {
        "metric": name,
        "value": _round(found.b.value),
        "ci": [_round(found.b.ci_low), _round(found.b.ci_high)],
        "n": found.b.n,
        "previous": _round(found.a.value),
        "previous_ci": [_round(found.a.ci_low), _round(found.a.ci_high)],
        "previous_n": found.a.n,
        "change": _round(found.difference),
        "significant": bool(found.significant),
        "p_value": _round(found.p_value, 4),
    }


def _pillars(
    engine: Engine,
    context: Context,
    chosen: Period,
    previous: Period,
    filters: Mapping[str, Sequence[str | None]] | None,
) -> list[dict[str, Any]]:
    """Each CX pillar in the period (:func:`otklik.pillars.pillar_scores`, the zone's items
    only) with the change of its negative share since the previous period (two-proportion
    z-test); names from the taxonomy."""
    teams = [team for team in (filters or {}).get("owner_team", []) if team]
    team = teams[0] if len(teams) == 1 else None
    now, before = (
        {
            point.pillar: point
            for point in pillar_scores(
                engine, period=span, grain="all", owner_team=team, timezone=context.zone
            ).points
        }
        for span in (chosen, previous)
    )
    labels = context.taxonomy.pillars if context.taxonomy is not None else {}
    rows = []
    for pillar in PILLARS:
        point = now.get(pillar)
        if point is None or point.n == 0:
            continue
        spec = labels.get(pillar)
        row: dict[str, Any] = {
            "pillar": pillar,
            "label": dict(spec.label) if spec is not None else {"ru": pillar, "en": pillar},
            **point.to_dict(),
            "change_negative": None,
        }
        earlier = before.get(pillar)
        if earlier is not None and earlier.n > 0:
            # Figure.value is 100·k/n unrounded, so k comes back exactly.
            k_now = round((point.negative.value or 0.0) * point.n / 100)
            k_then = round((earlier.negative.value or 0.0) * earlier.n / 100)
            test = two_proportion_test(k_then, earlier.n, k_now, point.n)  # now − then
            row["change_negative"] = {
                "change": _round(100 * test.difference, 2),
                "ci": [
                    None if test.ci_low is None else _round(100 * test.ci_low, 2),
                    None if test.ci_high is None else _round(100 * test.ci_high, 2),
                ],
                "p_value": _round(test.p_value, 4),
                "significant": test.p_value is not None and test.p_value < ALPHA,
            }
        rows.append(row)
    return rows


def management_report(
    engine: Engine,
    context: Context,
    *,
    period: str | Period | None = None,
    filters: Mapping[str, Sequence[str | None]] | None = None,
    metric: str = "nps",
) -> ManagementReport:
    drivers = run(engine, context, metric=metric, period=period, filters=filters)
    chosen, previous = drivers.period, drivers.previous
    headlines = [
        _headline(engine, context, name, chosen, previous, filters) for name in HEADLINE_METRICS
    ]
    improved = [
        row
        for row in drivers.rows
        if row["trend"] and row["trend"]["significant"] and (row["trend"]["change"] or 0) > 0
    ]
    improved.sort(key=lambda row: -(row["trend"]["change"] or 0))
    return ManagementReport(
        period=chosen,
        previous=previous,
        metric=metric,
        currency=context.currency,
        window_days=context.config.window_days,
        headlines=headlines,
        problems=backlog(drivers, 5),
        improved=improved[:3],
        churn_reasons=drivers.churn_reasons[:5],
        drivers=drivers,
        pillars=_pillars(engine, context, chosen, previous, filters),
        team_titles={team: dict(label) for team, label in context.team_labels.items()},
    )


def _num(value: float | None, locale: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if locale == "ru" else text


def _ci(pair: Sequence[float | None] | None, locale: str) -> str:
    if not pair or pair[0] is None or pair[1] is None:
        return ""
    return f"[{_num(pair[0], locale)} … {_num(pair[1], locale)}]"


def _money(row: Mapping[str, Any], locale: str) -> str:
    money = row.get("revenue_at_risk") or {}
    if not money:
        return "–"
    return f"{_num(money['amount'], locale, 0)} {money['currency']} (n = {money['n']})"


def _trend(row: Mapping[str, Any], locale: str) -> str:
    trend = row.get("trend") or {}
    if trend.get("change") is None:
        return _t(locale, "new")
    word = _t(locale, "better" if trend["change"] > 0 else "worse")
    flag = _t(locale, "significant" if trend.get("significant") else "noise")
    return f"{_num(trend['change'], locale)} ({word}, {flag})"


def _label(row: Mapping[str, Any], locale: str) -> str:
    label = row.get("label") or {}
    return str(label.get(locale) or label.get("en") or row["topic"])


def _team(report: ManagementReport, team: str | None, locale: str) -> str:
    """The owner team as the teams file names it in ``locale`` (a code only when it has none)."""
    if not team:
        return "–"
    label = report.team_titles.get(team) or {}
    return str(label.get(locale) or label.get("en") or team)


def _tables(report: ManagementReport, locale: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The report's tables as text cells (headers, rows), shared by Markdown and PDF."""
    metric = report.metric.upper()
    headline = (
        [_t(locale, "metric"), _t(locale, "value"), _t(locale, "previous"), _t(locale, "change")],
        [
            [
                h["metric"].upper(),
                f"{_num(h['value'], locale)} {_ci(h['ci'], locale)} n = {h['n']}",
                f"{_num(h['previous'], locale)} {_ci(h['previous_ci'], locale)}",
                f"{_num(h['change'], locale)} "
                f"({_t(locale, 'significant' if h['significant'] else 'noise')})",
            ]
            for h in report.headlines
        ],
    )
    problems = (
        [
            "#",
            _t(locale, "problem"),
            _t(locale, "owner"),
            _t(locale, "impact", metric=metric),
            _t(locale, "cost"),
            _t(locale, "trend"),
            _t(locale, "cases"),
        ],
        [
            [
                str(row["rank"]),
                _label(row, locale),
                _team(report, row.get("owner_team"), locale),
                f"{_num(row['impact'], locale)} {_ci(row['impact_ci'], locale)} n = {row['n']}",
                _money(row, locale),
                _trend(row, locale),
                f"{(row.get('cases') or {}).get('open', 0)} / "
                f"{(row.get('cases') or {}).get('closed', 0)}",
            ]
            for row in report.problems
        ],
    )
    improved = (
        [_t(locale, "problem"), _t(locale, "impact", metric=metric), _t(locale, "trend")],
        [
            [
                _label(row, locale),
                f"{_num(row['impact'], locale)} {_ci(row['impact_ci'], locale)}",
                _trend(row, locale),
            ]
            for row in report.improved
        ],
    )
    reasons = (
        [_t(locale, "reason"), "n", _t(locale, "lost")],
        [
            [
                str(r["label"][locale]),
                str(r["n"]),
                f"{_num(r['revenue_lost'], locale, 0)} {r['currency']}",
            ]
            for r in report.churn_reasons
        ],
    )
    pillars = (
        [
            _t(locale, "pillar"),
            _t(locale, "negative"),
            _t(locale, "positive"),
            "NPS",
            _t(locale, "change_negative", previous=report.previous.label),
        ],
        [
            [
                str(row["label"].get(locale, row["pillar"])),
                f"{_num(row['negative']['value'], locale)}% "
                f"{_ci((row['negative']['ci_low'], row['negative']['ci_high']), locale)} "
                f"n = {row['n']}",
                f"{_num(row['positive']['value'], locale)}% "
                f"{_ci((row['positive']['ci_low'], row['positive']['ci_high']), locale)}",
                f"{_num(row['nps']['value'], locale)} "
                f"{_ci((row['nps']['ci_low'], row['nps']['ci_high']), locale)} "
                f"n = {row['nps']['n']}"
                if row["nps"]["n"]
                else "–",
                _pillar_change(row["change_negative"], locale),
            ]
            for row in report.pillars
        ],
    )
    return {
        "headline": headline,
        "problems": problems,
        "improved": improved,
        "reasons": reasons,
        "pillars": pillars,
    }


def _pillar_change(change: Mapping[str, Any] | None, locale: str) -> str:
    if change is None:
        return "–"
    word = _t(locale, "significant" if change["significant"] else "noise")
    return (
        f"{_num(change['change'], locale)} п.п. ({word})"
        if locale == "ru"
        else (f"{_num(change['change'], locale)} pp ({word})")
    )


def to_markdown(report: ManagementReport, locale: str = "en") -> str:
    tables = _tables(report, locale)
    metric = report.metric.upper()
    lines = [
        f"# {_t(locale, 'title')}",
        "",
        _t(locale, "period", period=report.period.label, previous=report.previous.label),
        "",
    ]
    sections = (
        ("headline", _t(locale, "headline")),
        ("problems", _t(locale, "problems")),
        ("improved", _t(locale, "improved", previous=report.previous.label)),
        ("reasons", _t(locale, "reasons")),
        ("pillars", _t(locale, "pillars")),
    )
    for key, title in sections:
        headers, rows = tables[key]
        lines += [f"## {title}", ""]
        if not rows and key == "improved":
            lines += [_t(locale, "nothing_improved"), ""]
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "---|" * len(headers))
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
        lines.append("")
    lines.append(_t(locale, "how", metric=metric, window=report.window_days))
    return "\n".join(lines) + "\n"


def to_xlsx(report: ManagementReport, locale: str = "en") -> bytes:
    """The report's tables with numbers as numbers (a figure, its interval and n in separate
    columns), so a spreadsheet can sort and chart them; the same values as the API."""

    def t(key: str) -> str:
        return _t(locale, key, metric=report.metric.upper())

    yes = {True: t("x_significant").lower(), False: _t(locale, "noise")}
    headline = (
        [
            t("metric"),
            t("x_value"),
            t("x_low"),
            t("x_high"),
            t("n"),
            t("x_previous"),
            t("x_low"),
            t("x_high"),
            t("change"),
            t("x_significant"),
        ],
        [
            [
                h["metric"].upper(),
                h["value"],
                h["ci"][0],
                h["ci"][1],
                h["n"],
                h["previous"],
                h["previous_ci"][0],
                h["previous_ci"][1],
                h["change"],
                yes[bool(h["significant"])],
            ]
            for h in report.headlines
        ],
    )

    def _impact_cells(row: Mapping[str, Any]) -> list[Any]:
        ci = row.get("impact_ci") or [None, None]
        return [row["impact"], ci[0], ci[1], row["n"]]

    problems = (
        [
            "#",
            t("problem"),
            t("x_topic"),
            t("owner"),
            t("x_impact"),
            t("x_low"),
            t("x_high"),
            t("n"),
            t("cost"),
            t("x_cost_n"),
            t("x_currency"),
            t("x_trend"),
            t("x_significant"),
            t("x_open"),
            t("x_closed"),
        ],
        [
            [
                row["rank"],
                _label(row, locale),
                row["topic"],
                _team(report, row.get("owner_team"), locale),
                *_impact_cells(row),
                (row.get("revenue_at_risk") or {}).get("amount"),
                (row.get("revenue_at_risk") or {}).get("n"),
                (row.get("revenue_at_risk") or {}).get("currency"),
                (row.get("trend") or {}).get("change"),
                _t(locale, "new")
                if (row.get("trend") or {}).get("change") is None
                else yes[bool(row["trend"].get("significant"))],
                (row.get("cases") or {}).get("open", 0),
                (row.get("cases") or {}).get("closed", 0),
            ]
            for row in report.problems
        ],
    )
    improved = (
        [t("problem"), t("x_topic"), t("x_impact"), t("x_low"), t("x_high"), t("n"), t("x_trend")],
        [
            [
                _label(row, locale),
                row["topic"],
                *_impact_cells(row),
                (row.get("trend") or {}).get("change"),
            ]
            for row in report.improved
        ],
    )
    reasons = (
        [t("reason"), t("n"), t("lost"), t("x_currency")],
        [
            [
                str((r.get("label") or {}).get(locale) or r["reason"]),
                r["n"],
                r.get("revenue_lost"),
                r.get("currency"),
            ]
            for r in report.churn_reasons
        ],
    )
    pillars = (
        [
            t("pillar"),
            t("n"),
            t("negative"),
            t("x_low"),
            t("x_high"),
            t("positive"),
            t("x_low"),
            t("x_high"),
            "NPS",
            t("x_low"),
            t("x_high"),
            "NPS n",
            _t(locale, "change_negative", previous=report.previous.label),
            t("x_significant"),
        ],
        [
            [
                str(row["label"].get(locale, row["pillar"])),
                row["n"],
                row["negative"]["value"],
                row["negative"]["ci_low"],
                row["negative"]["ci_high"],
                row["positive"]["value"],
                row["positive"]["ci_low"],
                row["positive"]["ci_high"],
                row["nps"]["value"],
                row["nps"]["ci_low"],
                row["nps"]["ci_high"],
                row["nps"]["n"],
                (row["change_negative"] or {}).get("change"),
                None
                if row["change_negative"] is None
                else yes[bool(row["change_negative"]["significant"])],
            ]
            for row in report.pillars
        ],
    )
    return xlsx_bytes(
        {
            "headline": headline,
            "problems": problems,
            "improved": improved,
            "reasons": reasons,
            "pillars": pillars,
        }
    )


def find_font(configured: str | None = None) -> Path:
    """A TrueType font with Cyrillic (``OTKLIK_PDF_FONT``, else DejaVu Sans or Liberation)."""
    for candidate in [configured] if configured else list(_FONTS):
        path = Path(candidate)
        if path.is_file():
            return path
    raise ConfigError(
        "no TrueType font with Cyrillic for the PDF: install fonts-dejavu-core or set "
        "OTKLIK_PDF_FONT to a .ttf file"
    )


def to_pdf(report: ManagementReport, locale: str, font: Path) -> bytes:
    """One A4 page: title, headline table and chart, problems table and impact chart,
    what improved, money lost per churn reason, and how the figures are made."""
    from otklik.drivers.pdf import build_pdf

    return build_pdf(report, locale, font, _tables(report, locale), _t)
