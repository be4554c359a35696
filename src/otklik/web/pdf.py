"""The overview as a PDF for management: headline figures with n and 95% intervals, the
monthly trend table and volumes by channel, drawn with reportlab.

reportlab's ``Paragraph`` reads its text as markup (``<a href>`` becomes a live link, a stray
``<b>`` fails the whole document), so every string given to one passes through
:func:`pdf_text`; table cells are plain strings, which reportlab draws as they are.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from otklik.web.dashboard import Overview
from otklik.web.i18n import Translator

__all__ = ["overview_pdf", "pdf_text"]

_FONT = "OtklikSans"


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


def overview_pdf(overview: Overview, t: Translator, font: Path, scope: str) -> bytes:
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
    rows = [[t("col.channel"), t("col.items"), t("col.share")]]
    total = overview.total or 1
    for channel, count in overview.channels:
        rows.append([str(channel or "–"), t.integer(count), t.percent(100 * count / total)])
    story.append(_table(rows))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=t("overview.title"),
    )
    doc.build(story)
    return out.getvalue()
