"""Files a reviewer downloads, built on request from what the viewer may read: a drill's
transcript, scorecard (JSON, CSV, PDF) and the cohort table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports import exports
from stormdesk.reviews import StoredDrill


def transcript_jsonl(stored: StoredDrill) -> bytes:
    return exports.transcript_jsonl(stored.transcript).encode("utf-8")


def scorecard_json(stored: StoredDrill) -> bytes:
    return exports.scorecard_json(stored.scorecard).encode("utf-8")


def replies_csv(stored: StoredDrill) -> bytes:
    """Replies and status updates with their findings (UTF-8 with BOM for Excel)."""
    return exports.replies_csv(stored.scorecard, stored.transcript,
                               stored.scenario.clock_label)


def scorecard_pdf(stored: StoredDrill, overrides: Sequence[Any] = ()) -> bytes:
    from reports.scorecard_pdf import scorecard_pdf as build

    return build(stored.scorecard, stored.transcript, stored.scenario.title,
                 stored.record.trainee_username, overrides)


def table_csv(records: Sequence[Mapping[str, Any]]) -> bytes:
    """A flat table (the cohort) as an Excel-friendly CSV."""
    return exports.table_csv(records)
