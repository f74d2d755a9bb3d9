"""Files a reviewer downloads, built on request from what the viewer may read: a drill's
transcript, scorecard (JSON, CSV, PDF) and the cohort table; and how Korean text is printed
(particles resolved), shared by the pages and the files so they read the same."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reports import exports
from reports.korean import particles

if TYPE_CHECKING:  # the reviews module opens the store's types: not needed to print text
    from stormdesk.reviews import StoredDrill

__all__ = ["particles", "replies_csv", "scorecard_json", "scorecard_pdf", "table_csv",
           "transcript_jsonl"]


def transcript_jsonl(stored: StoredDrill) -> bytes:
    return exports.transcript_jsonl(stored.transcript).encode("utf-8")


def scorecard_json(stored: StoredDrill) -> bytes:
    return exports.scorecard_json(stored.scorecard).encode("utf-8")


def replies_csv(stored: StoredDrill, language: str = "en") -> bytes:
    """Replies and status updates with their findings, clock times and the customers'
    feedback (UTF-8 with BOM for Excel; headers in ``language``)."""
    return exports.replies_csv(stored.scorecard, stored.transcript,
                               stored.scenario.clock_label, language)


def scorecard_pdf(stored: StoredDrill, overrides: Sequence[Any] = (),
                  language: str = "en", better: Mapping[str, str] | None = None) -> bytes:
    from reports.scorecard_pdf import scorecard_pdf as build

    return build(stored.scorecard, stored.transcript, stored.scenario.title,
                 stored.record.trainee_username, overrides, language=language,
                 clock=stored.scenario.clock_label, better=better or {})


def table_csv(records: Sequence[Mapping[str, Any]]) -> bytes:
    """A flat table (the cohort) as an Excel-friendly CSV."""
    return exports.table_csv(records)
