"""The PDF scorecard: builds for English and Korean drills, and prints user markup as text."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from engine.records import MentionArrived, Reply
from engine.session import TrainingSession
from reports.scorecard_pdf import scorecard_pdf
from scoring.scorecard import score_session
from tests.engine.conftest import make_scenario

MARKUP = "<script>alert(1)</script> <b>bold</b> & <img src=x onerror=alert(2)>"


def _drill(language: str = "en"):  # type: ignore[no-untyped-def]
    scenario = make_scenario(language=language)
    session = TrainingSession(scenario, seed=2)
    session.advance_to(10)
    mention = next(e for e in session.transcript if isinstance(e, MentionArrived))
    session.act(Reply(mention.thread_id, "Please post your phone number here " + MARKUP[:60]))
    session.advance_to(30)
    return scenario, session.transcript, score_session(session.transcript, scenario)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_scorecard_pdf_builds_a_pdf(language):
    scenario, transcript, card = _drill(language)
    pdf = scorecard_pdf(card, transcript, scenario.title, "김민지 " + MARKUP)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_scorecard_pdf_prints_markup_and_hangul_as_text(tmp_path):
    scenario, transcript, card = _drill()
    path = tmp_path / "card.pdf"
    path.write_bytes(scorecard_pdf(card, transcript, scenario.title, "김민지 " + MARKUP))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "김민지" in text
    assert "<script>alert(1)</script>" in text
    assert "asks_pii_public" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_scorecard_pdf_in_korean_lists_every_finding_with_clock_times(tmp_path):
    import dataclasses

    from scoring.records import Finding

    scenario, transcript, card = _drill("ko")
    reply = next(e for e in transcript if e.type == "ReplySent")
    many = tuple(Finding("tone", "rude", f"tone.rule{i}", f"설명 {i}", "제안",
                         event_id=reply.event_id) for i in range(75))  # the old PDF: 60
    tone = card.dimension("tone")
    card = dataclasses.replace(card, dimensions=tuple(
        dataclasses.replace(d, findings=d.findings + many) if d is tone else d
        for d in card.dimensions))
    path = tmp_path / "card.pdf"
    path.write_bytes(scorecard_pdf(card, transcript, scenario.title, "김민지", language="ko",
                                   clock=scenario.clock_label,
                                   better={reply.event_id: "더 나은 답글입니다"}))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "종합" in text and "지적 사항" in text and "고객 피드백" in text
    assert all(f"tone.rule{i}" in text for i in range(75))
    assert scenario.clock_label(reply.minute) in text
    assert "더 나은 답글입니다" in text
