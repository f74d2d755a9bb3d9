"""A one-drill PDF scorecard (reportlab): scores with weights, charts and every finding.

Korean needs a font with Hangul: an installed TrueType font is embedded when one is found
(``STORMDESK_PDF_FONT``, else Debian's fonts-nanum or Noto CJK); otherwise reportlab's built-in
CID font is referenced, which only viewers with an Asian font pack draw. All user text is
escaped before it reaches reportlab's mini-markup, so a reply containing tags prints as typed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engine.records import Event, ReplySent, ReputationSampled

CID_FONT = "HYSMyeongJo-Medium"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
MAX_FINDINGS = 60


@lru_cache(maxsize=1)
def font_name() -> str:
    """Register and return the font used for all text (embedded TrueType when available)."""
    for path in (os.environ.get("STORMDESK_PDF_FONT", ""), *FONT_CANDIDATES):
        if path and Path(path).is_file():
            pdfmetrics.registerFont(TTFont("StormDeskText", path, subfontIndex=0))
            return "StormDeskText"
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = font_name()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=font, fontSize=9,
                          leading=12)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=font),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=font),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.grey),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _scores_chart(card: Any) -> Drawing:
    names = [d.name for d in card.dimensions]
    values = [d.score or 0.0 for d in card.dimensions]
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 8 * mm, 145 * mm, 42 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = names
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = colors.HexColor("#4c78a8")
    drawing.add(chart)
    return drawing


def _reputation_chart(transcript: Sequence[Event]) -> Drawing | None:
    points = [(e.minute, e.reputation) for e in transcript if isinstance(e, ReputationSampled)]
    if len(points) < 2:
        return None
    drawing = Drawing(170 * mm, 55 * mm)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 15 * mm, 8 * mm, 145 * mm, 40 * mm
    plot.data = [points]
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
    plot.lines[0].strokeColor = colors.HexColor("#e45756")
    drawing.add(plot)
    drawing.add(String(15 * mm, 50 * mm, "reputation (0-100) by simulated minute", fontSize=8))
    return drawing


def scorecard_pdf(card: Any, transcript: Sequence[Event], title: str, trainee: str,
                  overrides: Sequence[Any] = ()) -> bytes:
    """The PDF bytes of a drill's scorecard (``card`` is a ``scoring.records.Scorecard``)."""
    s = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            title=f"StormDesk scorecard: {title}")
    overall = "-" if card.overall is None else f"{card.overall:.0f}"
    story: list[Any] = [
        _p(f"{title}: {trainee}", s["title"]),
        _p(f"scenario {card.scenario_id} ({card.scenario_hash}) · seed {card.seed} · "
           f"scorer {card.scorer_version}", s["small"]),
        Spacer(1, 4 * mm),
        _p(f"Overall: {overall}", s["h2"]),
    ]
    rows = [["dimension", "score", "weight", "judge"]]
    for d in card.dimensions:
        score = f"{d.score:.0f}" if d.score is not None else ("failed" if d.error else "n/a")
        rows.append([d.name, score, f"{card.weights.get(d.name, 0):.0%}", d.judge])
    table = Table(rows, hAlign="LEFT", colWidths=[40 * mm, 25 * mm, 25 * mm, 60 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font_name(), 9),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    story += [table, Spacer(1, 4 * mm), _scores_chart(card)]
    reputation = _reputation_chart(transcript)
    if reputation is not None:
        story.append(reputation)
    if overrides:
        story.append(_p("Manager overrides", s["h2"]))
        for o in overrides:
            story.append(_p(f"{o.dimension}: {o.score:.0f} by {o.author_username} ({o.reason})",
                            s["body"]))
    replies = {e.event_id: e for e in transcript if isinstance(e, ReplySent)}
    story.append(_p("Findings", s["h2"]))
    rank = {"critical": 0, "major": 1, "minor": 2}
    findings = sorted((f for d in card.dimensions for f in d.findings if f.severity != "info"),
                      key=lambda f: rank.get(f.severity, 3))[:MAX_FINDINGS]
    shown = len(findings)
    for f in findings:
        reply = replies.get(f.event_id or "")
        story.append(_p(f"[{f.dimension}] {f.rule} ({f.severity})", s["body"]))
        if reply is not None:
            story.append(_p(f"reply: {reply.text}", s["small"]))
        if f.text:
            story.append(_p(f"words: {f.text}", s["small"]))
        story.append(_p(f.explanation, s["body"]))
        if f.suggestion:
            story.append(_p(f"better: {f.suggestion}", s["small"]))
        story.append(Spacer(1, 2 * mm))
    if not shown:
        story.append(_p("No findings.", s["body"]))
    doc.build(story)
    return out.getvalue()
