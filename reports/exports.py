"""Downloadable exports of a drill and a cohort: transcript JSON lines, scorecard JSON, and CSV
files that open cleanly in Excel (UTF-8 with a byte-order mark, no cell a spreadsheet would run
as a formula)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.records import Event, FeedbackSubmitted, ReplySent, StatusPosted
from reports.korean import particles
from scoring.records import Finding

#: Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"


def spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (text starting with = + - @ is quoted)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def transcript_jsonl(transcript: Iterable[Event]) -> str:
    return "".join(e.to_json() + "\n" for e in transcript)


def scorecard_json(card: Any) -> str:
    return json.dumps(card.to_dict(), ensure_ascii=False, indent=1)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


#: Column headers of the replies CSV per language (the same columns, in the same order).
REPLY_COLUMNS = {
    "en": ["event", "clock", "type", "thread", "channel", "agent", "text", "dimension", "kind",
           "rule", "severity", "words", "explanation", "suggestion", "csat", "nps"],
    "ko": ["이벤트", "시각", "유형", "대화", "채널", "담당자", "내용", "항목", "지적 유형", "규칙",
           "심각도", "해당 표현", "설명", "제안", "고객 만족도(CSAT)", "추천 지수(NPS)"],
}
#: Event types as the CSV names them.
EVENT_TYPES = {"ko": {"ReplySent": "답글", "StatusPosted": "공지"}}


def replies_csv(card: Any, transcript: Sequence[Event],
                clock: Any = None, language: str = "en") -> bytes:
    """Every reply and status update with its findings (one row per finding, or one row), at
    its clock time, with the CSAT and NPS its customer answered (empty when they did not)."""
    by_event: dict[str, list[Finding]] = {}
    for d in card.dimensions:
        for f in d.findings:
            by_event.setdefault(f.event_id or "", []).append(f)
    feedback = {e.thread_id: e for e in transcript if isinstance(e, FeedbackSubmitted)}
    empty = ("",) * 7
    korean = language == "ko"
    types = EVENT_TYPES.get(language, {})

    def words(text: str) -> str:
        return particles(text) if korean else text

    def rows() -> Iterable[Sequence[Any]]:
        for e in transcript:
            if not isinstance(e, ReplySent | StatusPosted):
                continue
            when = clock(e.minute) if clock else f"{e.minute:g}"
            thread = getattr(e, "thread_id", "")
            base: tuple[Any, ...] = (
                e.event_id, when, types.get(e.type, e.type), thread,
                getattr(e, "channel", "public"), e.agent, e.text)
            answer = feedback.get(thread) if thread else None
            tail = ("", "") if answer is None else (answer.csat, answer.nps)
            found: list[Finding | None] = list(by_event.get(e.event_id, [])) or [None]
            for f in found:
                yield base + (empty if f is None else (
                    f.dimension, f.kind, f.rule, f.severity, f.text, words(f.explanation),
                    words(f.suggestion))) + tail

    return _csv(REPLY_COLUMNS.get(language, REPLY_COLUMNS["en"]), rows())


def table_csv(records: Sequence[Mapping[str, Any]]) -> bytes:
    """A list of flat dicts (e.g. the cohort table) as an Excel-friendly CSV."""
    if not records:
        return (BOM + "\n").encode("utf-8")
    header = list(records[0])
    return _csv(header, ([r.get(k) for k in header] for r in records))
