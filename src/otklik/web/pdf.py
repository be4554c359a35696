"""PDFs for management, drawn with reportlab: the overview (headline figures with n and 95%
intervals, each metric's monthly trend as a chart and a table, volumes by channel as a bar
chart) and the KPI scorecards (each KPI's value per scope with its interval against the target,
as a chart and a table). Charts are reportlab vector drawings (:func:`interval_chart`,
:func:`bar_chart`), labelled in the reader's language.

reportlab's ``Paragraph`` reads its text as markup (``<a href>`` becomes a live link, a stray
``<b>`` fails the whole document), so every string given to one passes through
:func:`pdf_text`; table cells are plain strings, which reportlab draws as they are.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from otklik.kpi import KpiDef, KpiResult, Report
from otklik.web.dashboard import Overview
from otklik.web.i18n import Translator
from otklik.web.names import Labels

__all__ = ["bar_chart", "interval_chart", "overview_pdf", "pdf_text", "scorecards_pdf"]

_FONT = "OtklikSans"
_BLUE = colors.HexColor("#2b6cb0")
_BAND = colors.HexColor("#bee3f8")
_GREY = colors.HexColor("#4a5568")
_TARGET = colors.HexColor("#c53030")
_WIDTH = 180 * mm
_HEIGHT = 60 * mm
_LEFT, _BOTTOM, _TOP = 14 * mm, 12 * mm, 4 * mm


def _scale(low: float, high: float) -> tuple[float, float]:
    if low == high:
        return low - 1, high + 1
    pad = (high - low) * 0.08
    return low - pad, high + pad


def _axes(
    drawing: Drawing,
    labels: Sequence[str],
    low: float,
    high: float,
    axis_title: str,
    t: Translator,
) -> tuple[list[float], float, float]:
    """Draws the y axis with 5 ticks and the x labels; returns each category's x, and the
    y scale (base, pixels per unit)."""
    plot_w = _WIDTH - _LEFT - 4 * mm
    plot_h = _HEIGHT - _BOTTOM - _TOP
    per = plot_h / (high - low)
    drawing.add(Line(_LEFT, _BOTTOM, _LEFT, _BOTTOM + plot_h, strokeColor=_GREY, strokeWidth=0.5))
    drawing.add(Line(_LEFT, _BOTTOM, _LEFT + plot_w, _BOTTOM, strokeColor=_GREY, strokeWidth=0.5))
    for i in range(5):
        value = low + (high - low) * i / 4
        y = _BOTTOM + (value - low) * per
        drawing.add(Line(_LEFT - 2, y, _LEFT, y, strokeColor=_GREY, strokeWidth=0.5))
        drawing.add(
            String(
                _LEFT - 3,
                y - 2.5,
                t.number(value, 1 if high - low < 50 else 0),
                fontName=_FONT,
                fontSize=6.5,
                textAnchor="end",
            )
        )
    drawing.add(String(2, _HEIGHT - 8, axis_title, fontName=_FONT, fontSize=7, fillColor=_GREY))
    step = plot_w / max(1, len(labels))
    xs = [_LEFT + step * (i + 0.5) for i in range(len(labels))]
    every = max(1, len(labels) // 12)
    for i, (x, label) in enumerate(zip(xs, labels, strict=True)):
        if i % every == 0:
            drawing.add(
                String(
                    x, _BOTTOM - 9, label[:18], fontName=_FONT, fontSize=6.5, textAnchor="middle"
                )
            )
    return xs, low, per


def interval_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    t: Translator,
    axis_title: str,
    *,
    target: float | None = None,
    line: bool = True,
) -> Drawing:
    """Values by category with their 95% intervals as whiskers (and a shaded band when
    ``line``), an optional dashed target line; ``axis_title`` names the unit."""
    drawing = Drawing(_WIDTH, _HEIGHT)
    known = [v for v in [*values, *lows, *highs] if v is not None]
    if target is not None:
        known.append(target)
    if not known:
        drawing.add(String(_LEFT, _HEIGHT / 2, t("pdf.no_chart"), fontName=_FONT, fontSize=8))
        return drawing
    low, high = _scale(min(known), max(known))
    xs, base, per = _axes(drawing, labels, low, high, axis_title, t)

    def y(value: float) -> float:
        return _BOTTOM + (value - base) * per

    if line:
        band = [
            (x, lo, hi)
            for x, lo, hi in zip(xs, lows, highs, strict=True)
            if lo is not None and hi is not None
        ]
        if len(band) > 1:
            points: list[float] = []
            for x, _, hi in band:
                points += [x, y(hi)]
            for x, lo, _ in reversed(band):
                points += [x, y(lo)]
            drawing.add(Polygon(points, fillColor=_BAND, strokeColor=None, strokeWidth=0))
        path: list[float] = []
        for x, value_ in zip(xs, values, strict=True):
            if value_ is not None:
                path += [x, y(value_)]
        if len(path) > 2:
            drawing.add(PolyLine(path, strokeColor=_BLUE, strokeWidth=1.2))
    for x, point, bottom, top in zip(xs, values, lows, highs, strict=True):
        if bottom is not None and top is not None:
            drawing.add(Line(x, y(bottom), x, y(top), strokeColor=_GREY, strokeWidth=0.8))
            drawing.add(
                Line(x - 2, y(bottom), x + 2, y(bottom), strokeColor=_GREY, strokeWidth=0.8)
            )
            drawing.add(Line(x - 2, y(top), x + 2, y(top), strokeColor=_GREY, strokeWidth=0.8))
        if point is not None:
            drawing.add(Circle(x, y(point), 2.2, fillColor=_BLUE, strokeColor=None))
    if target is not None:
        drawing.add(
            Line(
                _LEFT,
                y(target),
                _WIDTH - 4 * mm,
                y(target),
                strokeColor=_TARGET,
                strokeWidth=0.8,
                strokeDashArray=[3, 2],
            )
        )
        drawing.add(
            String(
                _WIDTH - 4 * mm,
                y(target) + 2,
                t("chart.target"),
                fontName=_FONT,
                fontSize=6.5,
                textAnchor="end",
                fillColor=_TARGET,
            )
        )
    return drawing


def bar_chart(
    labels: Sequence[str], values: Sequence[float], t: Translator, axis_title: str
) -> Drawing:
    """One bar per category (volumes), with the y axis titled ``axis_title``."""
    drawing = Drawing(_WIDTH, _HEIGHT)
    if not values:
        drawing.add(String(_LEFT, _HEIGHT / 2, t("pdf.no_chart"), fontName=_FONT, fontSize=8))
        return drawing
    xs, base, per = _axes(drawing, labels, 0, max(values) * 1.08 or 1, axis_title, t)
    width = (xs[1] - xs[0]) * 0.6 if len(xs) > 1 else 20 * mm
    for x, value in zip(xs, values, strict=True):
        drawing.add(
            Rect(
                x - width / 2,
                _BOTTOM,
                width,
                (value - base) * per,
                fillColor=_BLUE,
                strokeColor=None,
            )
        )
    return drawing


def pdf_text(value: object) -> str:
    """``value`` as text a ``Paragraph`` shows literally (``&``, ``<`` and ``>`` escaped)."""
    return escape(str(value))


def _register(font: Path) -> None:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, str(font)))


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#a0aec0")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def overview_pdf(
    overview: Overview, t: Translator, font: Path, scope: str, labels: Labels | None = None
) -> bytes:
    """The overview as PDF bytes: headline table, each metric's monthly chart and table,
    the channel bar chart and table; ``labels`` names channels (default: as stored)."""
    _register(font)
    title = ParagraphStyle("title", fontName=_FONT, fontSize=16, leading=20)
    heading = ParagraphStyle("heading", fontName=_FONT, fontSize=11.5, leading=15, spaceBefore=8)
    body = ParagraphStyle("body", fontName=_FONT, fontSize=9, leading=12)
    story: list[object] = [
        Paragraph(pdf_text(t("overview.title")), title),
        Paragraph(
            pdf_text(
                t("overview.range", start=t.date(overview.start), end=t.date(overview.last_day))
                + " · "
                + scope
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(pdf_text(t("overview.latest")), heading),
    ]
    head = [
        t("col.metric"),
        t("col.period"),
        t("col.value"),
        t("col.n"),
        t("col.ci"),
        t("col.change"),
    ]
    rows = [head]
    for trend in overview.trends:
        latest = trend.latest
        if latest is None:
            rows.append([t(f"metric.{trend.metric}"), "–", "–", "0", "–", "–"])
            continue
        change = trend.latest_change
        verdict = "–"
        if change is not None and change.difference is not None:
            verdict = (
                t.number(change.difference)
                + " "
                + (
                    t("change.not_enough_data")
                    if change.p_value is None
                    else t("change.significant")
                    if change.significant
                    else t("change.noise")
                )
            )
        rows.append(
            [
                t(f"metric.{trend.metric}"),
                t.month(latest.period),
                t.metric(latest.value, trend.unit),
                t.integer(latest.n),
                f"{t.metric(latest.ci_low, trend.unit)} … {t.metric(latest.ci_high, trend.unit)}",
                verdict,
            ]
        )
    story.append(_table(rows))
    for trend in overview.trends:
        story.append(
            Paragraph(
                pdf_text(t(f"metric.{trend.metric}") + " — " + t("overview.by_month")), heading
            )
        )
        shown = [row for row in trend.rows if row.period is not None]
        story.append(
            interval_chart(
                [t.month_short(row.period) for row in shown],
                [row.value for row in shown],
                [row.ci_low for row in shown],
                [row.ci_high for row in shown],
                t,
                t(f"unit.{trend.unit}"),
            )
        )
        rows = [[t("col.period"), t("col.value"), t("col.n"), t("col.ci"), t("col.change")]]
        for row in trend.rows:
            change = trend.changes.get(row.period) if row.period else None
            mark = ""
            if change is not None and change.significant and change.difference is not None:
                mark = t.number(change.difference) + " " + t("change.significant")
            rows.append(
                [
                    t.month(row.period),
                    t.metric(row.value, trend.unit),
                    t.integer(row.n),
                    f"{t.metric(row.ci_low, trend.unit)} … {t.metric(row.ci_high, trend.unit)}",
                    mark,
                ]
            )
        story.append(_table(rows))
    story.append(Paragraph(pdf_text(t("overview.channels")), heading))
    names = [
        labels("channel", channel) if labels else str(channel or "–")
        for channel, _ in overview.channels
    ]
    story.append(bar_chart(names, [count for _, count in overview.channels], t, t("unit.items")))
    rows = [[t("col.channel"), t("col.items"), t("col.share")]]
    total = overview.total or 1
    for name, (_, count) in zip(names, overview.channels, strict=True):
        rows.append([name, t.integer(count), t.percent(100 * count / total)])
    story.append(_table(rows))
    return _build(story, t("overview.title"))


def _build(story: list[object], title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
    )
    doc.build(story)
    return out.getvalue()


def scorecards_pdf(
    report: Report,
    labels: Labels,
    font: Path,
    caption: str,
    scope_label: Callable[[KpiResult], str],
) -> bytes:
    """The KPI scorecards as PDF bytes: per KPI its target, a chart of each scope's value
    with the 95% interval and the target line, and a table (value, interval, n, status,
    trend); ``scope_label(result)`` names a result's scope."""
    _register(font)
    t = labels.t
    title = ParagraphStyle("title", fontName=_FONT, fontSize=16, leading=20)
    heading = ParagraphStyle("heading", fontName=_FONT, fontSize=11.5, leading=15, spaceBefore=8)
    body = ParagraphStyle("body", fontName=_FONT, fontSize=9, leading=12)
    story: list[object] = [
        Paragraph(pdf_text(t("scorecards.title")), title),
        Paragraph(pdf_text(caption), body),
        Spacer(1, 3 * mm),
    ]
    cards: list[tuple[KpiDef, list[KpiResult]]] = []
    for result in report.results:
        if not cards or cards[-1][0] is not result.kpi:
            cards.append((result.kpi, []))
        cards[-1][1].append(result)
    for kpi, results in cards:
        unit = kpi.spec.unit
        period = results[0].trend.period
        story.append(Paragraph(pdf_text(f"{kpi.label(t.locale)} ({kpi.name})"), heading))
        story.append(
            Paragraph(
                pdf_text(
                    f"{t('metric.' + kpi.metric)} · {t('scorecards.owner')}: "
                    f"{labels.names.team(kpi.owner)} · {t('scorecards.period')}: "
                    f"{period.label if period else '–'} · {t('scorecards.target')}: "
                    f"{'≤' if kpi.lower_is_better else '≥'} {t.metric(kpi.target, unit)}"
                ),
                body,
            )
        )
        story.append(
            interval_chart(
                [scope_label(r) for r in results],
                [r.value for r in results],
                [r.row.ci_low if r.row else None for r in results],
                [r.row.ci_high if r.row else None for r in results],
                t,
                t(f"unit.{unit}"),
                target=kpi.target,
                line=False,
            )
        )
        rows = [
            [
                t("scorecards.scope"),
                t("col.value"),
                t("col.ci"),
                t("col.n"),
                t("col.status"),
                t("scorecards.trend"),
            ]
        ]
        for r in results:
            row = r.row
            ci = "–"
            if row is not None and row.ci_low is not None and row.ci_high is not None:
                ci = f"{t.metric(row.ci_low, unit)} … {t.metric(row.ci_high, unit)}"
            rows.append(
                [
                    scope_label(r),
                    t.metric(r.value, unit),
                    ci,
                    t.integer(r.n),
                    t("kpi_status." + r.status),
                    t("trend." + r.trend.verdict),
                ]
            )
        story.append(_table(rows))
    if not cards:
        story.append(Paragraph(pdf_text(t("scorecards.none")), body))
    return _build(story, t("scorecards.title"))
