"""Exports open cleanly in a spreadsheet: UTF-8 with BOM, status updates included, no formulas."""

from __future__ import annotations

import csv
import io

from engine.records import Author, MentionArrived, ReplySent, StatusPosted
from reports.exports import replies_csv, spreadsheet_safe, table_csv
from scoring.records import DimensionResult, Finding, Scorecard


def test_spreadsheet_safe_quotes_formula_starts() -> None:
    assert [spreadsheet_safe(v) for v in ("=HYPERLINK(1)", "+1", "-2", "@x", "ok", 3)] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@x", "ok", 3]


def _card(findings: tuple[Finding, ...]) -> Scorecard:
    return Scorecard("s", "h", 1, "v", (DimensionResult("tone", 80.0, findings=findings),),
                     {"tone": 1.0}, 80.0)


def test_replies_csv_has_bom_korean_text_and_status_updates() -> None:
    author = Author("kim", "김민지", 10, False, "")
    transcript = [
        MentionArrived("e1", 1.0, "m1", "t1", author, "angry", "delay", -0.5, "normal", "언제?"),
        ReplySent("e2", 2.0, "r1", "t1", "public", "=죄송합니다", "AB"),
        StatusPosted("e3", 3.5, "s1", "배송 지연 안내", "AB"),
    ]
    finding = Finding("tone", "banned_phrase", "tone/banned", "why", "do this", event_id="e2")
    data = replies_csv(_card((finding,)), transcript, lambda m: f"09:{int(m):02d}")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["event", "clock", "type"]
    assert [r[2] for r in rows[1:]] == ["ReplySent", "StatusPosted"]
    assert rows[1][6] == "'=죄송합니다" and rows[1][8] == "banned_phrase"
    assert rows[2][1] == "09:03" and rows[2][6] == "배송 지연 안내"


def test_table_csv_writes_header_and_rows() -> None:
    data = table_csv([{"trainee": "dana", "overall": 71.5}, {"trainee": "+sam", "overall": None}])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["trainee", "overall"], ["dana", "71.5"], ["'+sam", ""]]


def test_replies_csv_in_korean_names_its_columns_in_korean_and_carries_feedback() -> None:
    from engine.records import FeedbackSubmitted

    author = Author("kim", "김민지", 10, False, "")
    transcript = [
        MentionArrived("e1", 1.0, "m1", "t1", author, "angry", "delay", -0.5, "normal", "언제?"),
        ReplySent("e2", 2.0, "r1", "t1", "public", "죄송합니다, 바로 확인할게요", "AB"),
        FeedbackSubmitted("e3", 6.0, "t1", 4, 9, ("answered fast",)),
    ]
    finding = Finding("privacy", "asks_pii_public", "p/a", "성함을(를) 공개로 묻습니다", "DM으로",
                      event_id="e2")
    data = replies_csv(_card((finding,)), transcript, lambda m: f"09:{int(m):02d}", "ko")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["이벤트", "시각", "유형"] and rows[0][-2:] == [
        "고객 만족도(CSAT)", "추천 지수(NPS)"]
    assert rows[1][2] == "답글" and rows[1][1] == "09:02"
    assert rows[1][12] == "성함을 공개로 묻습니다"  # particles resolved
    assert rows[1][-2:] == ["4", "9"]
