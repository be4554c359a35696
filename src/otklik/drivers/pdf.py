"""The management page as a one-page A4 PDF, drawn with reportlab in a TrueType font that has
Cyrillic: tables, the impact of each problem as bars with 95% whiskers, and each headline
metric's previous and current value with its interval."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from otklik.drivers.report import ManagementReport

__all__ = ["build_pdf"]

_FONT = "OtklikDrivers"
_RED = colors.HexColor("#c53030")
_GREEN = colors.HexColor("#2f855a")
_BLUE = colors.HexColor("#2b6cb0")
_GREY = colors.HexColor("#4a5568")
_WIDTH = 180 * mm - 12  # the page between 15 mm margins, less the frame's 6 pt paddings


def _register(font: Path) -> None:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, str(font)))


_PAD = 2 * 6  # reportlab's default left + right cell padding, points


def column_widths(cells: Sequence[Sequence[str]], size: float, room: float = _WIDTH) -> list[float]:
    """Each column's natural width (its widest cell on one line), shrunk to fit ``room`` when
    the table would be wider: narrow columns keep their width, the wide ones share the rest
    equally (their cells wrap)."""
    count = max((len(row) for row in cells), default=0)
    natural = [
        max(pdfmetrics.stringWidth(str(row[j]), _FONT, size) for row in cells if j < len(row))
        + _PAD
        + 1
        for j in range(count)
    ]
    if sum(natural) <= room:
        return natural
    widths = list(natural)
    wide = set(range(count))
    left = room
    while wide:
        share = left / len(wide)
        narrow = {j for j in wide if natural[j] <= share}
        if not narrow:
            for j in wide:
                widths[j] = share
            break
        for j in narrow:
            widths[j] = natural[j]
            left -= natural[j]
        wide -= narrow
    return widths


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], size: float = 7) -> Table:
    """A table no wider than the page's text: wide columns wrap their cells."""
    cells = [list(headers), *[list(r) for r in rows]]
    widths = column_widths(cells, size)
    style = ParagraphStyle("cell", fontName=_FONT, fontSize=size, leading=size + 1.5)
    wrapped = [[Paragraph(escape(str(cell)), style) for cell in row] for row in cells]
    table = Table(wrapped, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _FONT),
                ("FONTSIZE", (0, 0), (-1, -1), size),
                ("LEADING", (0, 0), (-1, -1), size + 1.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#a0aec0")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def impact_chart(
    labels: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    caption: str,
) -> Drawing:
    """Horizontal bars from zero (red: drags the score down) with 95% whiskers."""
    row_h = 7 * mm
    left = 55 * mm
    height = row_h * max(len(values), 1) + 12 * mm
    drawing = Drawing(_WIDTH, height)
    drawing.add(String(0, height - 4 * mm, caption, fontName=_FONT, fontSize=7.5))
    if not values:
        return drawing
    low = min(0.0, *lows, *values)
    high = max(0.0, *highs, *values)
    span = (high - low) or 1.0
    width = _WIDTH - left - 10 * mm

    def x(value: float) -> float:
        return left + (value - low) / span * width

    top = height - 9 * mm
    for index, (label, value, lo, hi) in enumerate(zip(labels, values, lows, highs, strict=True)):
        y = top - (index + 1) * row_h + 1.5 * mm
        drawing.add(
            String(
                left - 2 * mm,
                y + 1.2 * mm,
                label[:40],
                fontName=_FONT,
                fontSize=7,
                textAnchor="end",
            )
        )
        start, end = sorted((x(0.0), x(value)))
        colour = _RED if value < 0 else _GREEN
        drawing.add(
            Rect(
                start, y, max(end - start, 0.5), row_h - 3 * mm, fillColor=colour, strokeColor=None
            )
        )
        mid = y + (row_h - 3 * mm) / 2
        drawing.add(Line(x(lo), mid, x(hi), mid, strokeColor=_GREY, strokeWidth=0.9))
        for end_x in (x(lo), x(hi)):
            drawing.add(Line(end_x, mid - 1.5, end_x, mid + 1.5, strokeColor=_GREY))
        drawing.add(
            String(
                max(x(hi), x(0.0)) + 1.5 * mm,  # beside the bar, never over it
                mid - 1,
                f"{value:.1f}",
                fontName=_FONT,
                fontSize=6.5,
            )
        )
    drawing.add(Line(x(0.0), 2 * mm, x(0.0), top, strokeColor=colors.black, strokeWidth=0.6))
    return drawing


def headline_chart(headlines: Sequence[dict[str, Any]], caption: str) -> Drawing:
    """One small panel per metric: previous and current value with 95% whiskers."""
    height = 32 * mm
    drawing = Drawing(_WIDTH, height)
    drawing.add(String(0, height - 4 * mm, caption, fontName=_FONT, fontSize=7.5))
    panel = _WIDTH / max(len(headlines), 1)
    for index, h in enumerate(headlines):
        base = index * panel
        points = [
            (h.get("previous"), h.get("previous_ci") or [None, None]),
            (h.get("value"), h.get("ci") or [None, None]),
        ]
        known = [v for v, ci in points for v in (v, *ci) if v is not None]
        drawing.add(String(base + 2 * mm, 3 * mm, h["metric"].upper(), fontName=_FONT, fontSize=7))
        if not known:
            continue
        low, high = min(known), max(known)
        pad = (high - low) * 0.15 or 1.0
        low, high = low - pad, high + pad

        def y(value: float, low: float = low, high: float = high) -> float:
            return 8 * mm + (value - low) / (high - low) * (height - 16 * mm)

        for slot, (value, (lo, hi)) in enumerate(points):
            px = base + panel * (0.35 + 0.3 * slot)
            if lo is not None and hi is not None:
                drawing.add(Line(px, y(lo), px, y(hi), strokeColor=_GREY, strokeWidth=0.9))
            if value is not None:
                drawing.add(
                    Circle(px, y(value), 2.2, fillColor=_BLUE if slot else _GREY, strokeColor=None)
                )
                drawing.add(
                    String(px + 2 * mm, y(value) - 1, f"{value:.1f}", fontName=_FONT, fontSize=6.5)
                )
    return drawing


def build_pdf(
    report: ManagementReport,
    locale: str,
    font: Path,
    tables: dict[str, tuple[list[str], list[list[str]]]],
    t: Callable[..., str],
) -> bytes:
    _register(font)
    title = ParagraphStyle("title", fontName=_FONT, fontSize=13, leading=16, spaceAfter=2)
    heading = ParagraphStyle("heading", fontName=_FONT, fontSize=9.5, leading=12, spaceBefore=4)
    body = ParagraphStyle("body", fontName=_FONT, fontSize=7, leading=9)
    metric = report.metric.upper()
    story: list[Any] = [
        Paragraph(escape(t(locale, "title")), title),
        Paragraph(
            escape(t(locale, "period", period=report.period.label, previous=report.previous.label)),
            body,
        ),
        Paragraph(escape(t(locale, "headline")), heading),
        _table(*tables["headline"]),
        headline_chart(report.headlines, t(locale, "chart_headline")),
        Paragraph(escape(t(locale, "problems")), heading),
        _table(*tables["problems"], size=6.5),
        Spacer(1, 2 * mm),
    ]
    chartable = [r for r in report.problems if r["impact_ci"]]
    story.append(
        impact_chart(
            [str((r["label"] or {}).get(locale, r["topic"])) for r in chartable],
            [r["impact"] for r in chartable],
            [r["impact_ci"][0] for r in chartable],
            [r["impact_ci"][1] for r in chartable],
            t(locale, "chart_impact", metric=metric),
        )
    )
    story.append(Paragraph(escape(t(locale, "improved", previous=report.previous.label)), heading))
    headers, rows = tables["improved"]
    story.append(_table(headers, rows) if rows else Paragraph(t(locale, "nothing_improved"), body))
    headers, rows = tables["reasons"]
    if rows:
        story += [Paragraph(escape(t(locale, "reasons")), heading), _table(headers, rows)]
    headers, rows = tables["pillars"]
    if rows:
        story += [Paragraph(escape(t(locale, "pillars")), heading), _table(headers, rows, size=6.5)]
    story += [
        Spacer(1, 2 * mm),
        Paragraph(escape(t(locale, "how", metric=metric, window=report.window_days)), body),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=t(locale, "title"),
    )
    doc.build(story)
    return out.getvalue()
