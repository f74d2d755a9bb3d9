"""Downloadable exports of a drill and a cohort: transcript JSON lines, scorecard JSON, and CSV
files that open cleanly in Excel (UTF-8 with a byte-order mark, no cell a spreadsheet would run
as a formula)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.records import Event, ReplySent, StatusPosted
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


def replies_csv(card: Any, transcript: Sequence[Event],
                clock: Any = None) -> bytes:
    """Every reply and status update with its findings (one row per finding, or one row)."""
    by_event: dict[str, list[Finding]] = {}
    for d in card.dimensions:
        for f in d.findings:
            by_event.setdefault(f.event_id or "", []).append(f)
    empty = ("",) * 7

    def rows() -> Iterable[Sequence[Any]]:
        for e in transcript:
            if not isinstance(e, ReplySent | StatusPosted):
                continue
            when = clock(e.minute) if clock else f"{e.minute:g}"
            base: tuple[Any, ...] = (
                e.event_id, when, e.type, getattr(e, "thread_id", ""),
                getattr(e, "channel", "public"), e.agent, e.text)
            found: list[Finding | None] = list(by_event.get(e.event_id, [])) or [None]
            for f in found:
                yield base + (empty if f is None else (
                    f.dimension, f.kind, f.rule, f.severity, f.text, f.explanation,
                    f.suggestion))

    return _csv(["event", "clock", "type", "thread", "channel", "agent", "text", "dimension",
                 "kind", "rule", "severity", "words", "explanation", "suggestion"], rows())


def table_csv(records: Sequence[Mapping[str, Any]]) -> bytes:
    """A list of flat dicts (e.g. the cohort table) as an Excel-friendly CSV."""
    if not records:
        return (BOM + "\n").encode("utf-8")
    header = list(records[0])
    return _csv(header, ([r.get(k) for k in header] for r in records))
