"""A one-drill PDF scorecard (reportlab): scores with weights, charts, the customers' CSAT and
NPS, and every finding grouped by dimension with clock times, in English or Korean.

Korean needs a font with Hangul: an installed TrueType font is embedded when one is found
(``STORMDESK_PDF_FONT``, else Debian's fonts-nanum or Noto CJK); otherwise reportlab's built-in
CID font is referenced, which only viewers with an Asian font pack draw. All user text is
escaped before it reaches reportlab's mini-markup, so a reply containing tags prints as typed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
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

from engine.records import Event, ReplySent, ReputationSampled, StatusPosted
from reports.korean import particles
from scoring.records import FeedbackSummary

CID_FONT = "HYSMyeongJo-Medium"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


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
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=font),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.grey),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _scores_chart(card: Any, words: dict[str, str]) -> Drawing:
    names = [words.get(d.name, d.name) for d in card.dimensions]
    values = [d.score or 0.0 for d in card.dimensions]
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 8 * mm, 145 * mm, 42 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName = font_name()
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = colors.HexColor("#4c78a8")
    drawing.add(chart)
    return drawing


def _reputation_chart(transcript: Sequence[Event], caption: str) -> Drawing | None:
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
    drawing.add(String(15 * mm, 50 * mm, caption, fontSize=8, fontName=font_name()))
    return drawing


#: The PDF's own words per language (user text and the scorer's findings print as written).
WORDS: dict[str, dict[str, str]] = {
    "en": {"scenario": "scenario", "seed": "seed", "scorer": "scorer", "overall": "Overall",
           "dimension": "dimension", "score": "score", "weight": "weight", "judge": "judge",
           "failed": "failed", "na": "n/a", "overrides": "Manager overrides", "by": "by",
           "findings": "Findings", "reply": "reply", "words": "words", "better": "better",
           "better_reply": "better reply", "none": "No findings.", "at": "at",
           "feedback": "Customer feedback (CSAT and NPS)", "csat": "CSAT",
           "nps": "NPS", "answers": "answers", "satisfied": "satisfied", "thread": "thread",
           "no_feedback": "No customer answered a feedback card.",
           "reputation": "reputation (0-100) by simulated minute",
           "speed": "speed", "empathy": "empathy", "tone": "tone", "privacy": "privacy",
           "critical": "critical", "major": "major", "minor": "minor", "reasons": "reasons",
           "title": "StormDesk scorecard"},
    "ko": {"scenario": "시나리오", "seed": "시드", "scorer": "채점기", "overall": "종합",
           "dimension": "항목", "score": "점수", "weight": "가중치", "judge": "채점 방식",
           "failed": "채점 실패", "na": "해당 없음", "overrides": "매니저 점수 조정",
           "by": "조정자", "findings": "지적 사항", "reply": "답글", "words": "해당 표현",
           "better": "개선 방향", "better_reply": "더 나은 답글", "none": "지적 사항이 없습니다.",
           "at": "시각", "feedback": "고객 피드백 (CSAT·NPS)", "csat": "만족도(CSAT)",
           "nps": "추천 지수(NPS)", "answers": "응답", "satisfied": "만족", "thread": "대화",
           "no_feedback": "피드백에 응답한 고객이 없습니다.",
           "reputation": "시뮬레이션 시각별 평판 지수 (0-100)",
           "speed": "신속성", "empathy": "공감", "tone": "어조", "privacy": "개인정보",
           "critical": "치명적", "major": "중요", "minor": "경미", "reasons": "이유",
           "title": "StormDesk 성적표"},
}
SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2}


def _clock_of(clock: Callable[[float], str] | None) -> Callable[[float], str]:
    if clock is not None:
        return clock
    return lambda minute: f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"


def scorecard_pdf(card: Any, transcript: Sequence[Event], title: str, trainee: str,
                  overrides: Sequence[Any] = (), *, language: str = "en",
                  clock: Callable[[float], str] | None = None,
                  better: Mapping[str, str] | None = None) -> bytes:
    """The PDF bytes of a drill's scorecard (``card`` is a ``scoring.records.Scorecard``):
    scores, charts, the customers' CSAT and NPS, and every finding grouped by dimension
    (never cut), with clock times and, where given (``better``: reply event id -> text), the
    coach's better reply. Labels in ``language``; Korean particles resolved."""
    w = WORDS.get(language, WORDS["en"])
    say = particles if language == "ko" else (lambda text: text)
    at = _clock_of(clock)
    s = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            title=f"{w['title']}: {title}")
    overall = "-" if card.overall is None else f"{card.overall:.0f}"
    story: list[Any] = [
        _p(f"{title}: {trainee}", s["title"]),
        _p(f"{w['scenario']} {card.scenario_id} ({card.scenario_hash}) · {w['seed']} "
           f"{card.seed} · {w['scorer']} {card.scorer_version}", s["small"]),
        Spacer(1, 4 * mm),
        _p(f"{w['overall']}: {overall}", s["h2"]),
    ]
    rows = [[w["dimension"], w["score"], w["weight"], w["judge"]]]
    for d in card.dimensions:
        score = f"{d.score:.0f}" if d.score is not None else (w["failed"] if d.error
                                                              else w["na"])
        rows.append([w.get(d.name, d.name), score, f"{card.weights.get(d.name, 0):.0%}",
                     d.judge])
    table = Table(rows, hAlign="LEFT", colWidths=[40 * mm, 25 * mm, 25 * mm, 60 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font_name(), 9),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    story += [table, Spacer(1, 4 * mm), _scores_chart(card, w)]
    reputation = _reputation_chart(transcript, w["reputation"])
    if reputation is not None:
        story.append(reputation)
    story += _feedback(card, transcript, s, w, at)
    if overrides:
        story.append(_p(w["overrides"], s["h2"]))
        for o in overrides:
            story.append(_p(f"{w.get(o.dimension, o.dimension)}: {o.score:.0f} · {w['by']} "
                            f"{o.author_username} ({o.reason})", s["body"]))
    replies = {e.event_id: e for e in transcript if isinstance(e, ReplySent | StatusPosted)}
    story.append(_p(w["findings"], s["h2"]))
    shown = 0
    for d in card.dimensions:
        findings = sorted((f for f in d.findings if f.severity != "info"),
                          key=lambda f: SEVERITY_RANK.get(f.severity, 3))
        if not findings:
            continue
        story.append(_p(f"{w.get(d.name, d.name)} ({len(findings)})", s["h3"]))
        for f in findings:
            shown += 1
            reply = replies.get(f.event_id or "")
            when = f" · {w['at']} {at(reply.minute)}" if reply is not None else ""
            story.append(_p(f"{f.rule} ({w.get(f.severity, f.severity)}){when}", s["body"]))
            if reply is not None:
                story.append(_p(f"{w['reply']}: {reply.text}", s["small"]))
            if f.text:
                story.append(_p(f"{w['words']}: {f.text}", s["small"]))
            story.append(_p(say(f.explanation), s["body"]))
            if f.suggestion:
                story.append(_p(f"{w['better']}: {say(f.suggestion)}", s["small"]))
            improved = (better or {}).get(f.event_id or "")
            if improved:
                story.append(_p(f"{w['better_reply']}: {improved}", s["small"]))
            story.append(Spacer(1, 2 * mm))
    if not shown:
        story.append(_p(w["none"], s["body"]))
    doc.build(story)
    return out.getvalue()


def _feedback(card: Any, transcript: Sequence[Event], s: dict[str, ParagraphStyle],
              w: dict[str, str], at: Callable[[float], str]) -> list[Any]:
    """The CSAT/NPS section: headline figures, the distribution, and who answered what."""
    summary = getattr(card, "feedback", None) or FeedbackSummary.of(transcript)
    story: list[Any] = [_p(w["feedback"], s["h2"])]
    if not summary.responses:
        return [*story, _p(w["no_feedback"], s["body"])]
    satisfied = summary.csat_satisfied or 0.0
    story.append(_p(f"{w['csat']} {summary.csat_mean:.2f}/5 ({satisfied:.0%} {w['satisfied']})"
                    f" · {w['nps']} {summary.nps:+.0f} · {summary.responses} {w['answers']}",
                    s["body"]))
    dist = summary.csat_distribution()
    story.append(_p(f"{w['csat']}: " + ", ".join(f"{k}★ {v}" for k, v in dist.items()),
                    s["small"]))
    story.append(_p(f"{w['nps']}: " + ", ".join(f"{k} {v}" for k, v
                                                in summary.nps_distribution().items() if v),
                    s["small"]))
    for a in summary.answers:
        reasons = f" · {w['reasons']}: {', '.join(a.reasons)}" if a.reasons else ""
        story.append(_p(f"{w['thread']} {a.thread_id} · {at(a.minute)} · {w['csat']} {a.csat}"
                        f" · {w['nps']} {a.nps}{reasons}", s["small"]))
    return story
