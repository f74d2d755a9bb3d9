"""Triage order for speed: did high-risk customers get answered before low-risk ones that waited
alongside them (pairs counted with binary searches, so a 24-hour flood stays cheap)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scoring import speed_text as words
from scoring.records import Finding

if TYPE_CHECKING:
    from scoring.speed import Customer

#: A mention that arrived this recently may not have been seen yet: no triage blame.
TRIAGE_GRACE_MINUTES = 2.0


@dataclass(frozen=True)
class LowRiskTimes:
    """The low-risk threads' open and first-reply minutes, sorted for binary search."""

    opened: list[float]
    #: first-reply minutes of the answered ones, sorted, and their open minutes alongside
    answered: list[float]
    answered_opened: list[float]

    @classmethod
    def of(cls, times: Iterable[tuple[float, float | None]]) -> LowRiskTimes:
        """From (opened, first reply or None) per low-risk customer."""
        times = list(times)
        pairs = sorted((answered, opened) for opened, answered in times if answered is not None)
        return cls(sorted(opened for opened, _ in times), [a for a, _ in pairs],
                   [o for _, o in pairs])


def triage_counts(h_opened: float, h_answered: float, low: LowRiskTimes) -> tuple[int, int]:
    """(concordant, inverted) pairs of one high-risk thread with the low-risk threads.

    A pair counts when one of the two was answered while the other had waited at least
    ``TRIAGE_GRACE_MINUTES``; it is concordant when the high-risk one came first (ties count
    as concordant); an unanswered thread counts as answered at infinity. Binary searches
    instead of a scan over all pairs (a 24-hour drill has thousands of threads).
    """
    g = TRIAGE_GRACE_MINUTES
    answered = low.answered
    # inverted: a low-risk reply while h had waited >= g and before h was answered
    inverted = bisect_left(answered, h_answered) - bisect_left(answered, h_opened + g)
    if h_answered == math.inf:
        return 0, max(0, inverted)
    x = h_answered - g
    # concordant: low threads open by x and not answered before h =
    #   open by x - answered before x (all open by then) - answered in [x, h) while open by x
    lo, hi = bisect_left(answered, x), bisect_left(answered, h_answered)
    in_window = sum(1 for o in low.answered_opened[lo:hi] if o <= x)
    concordant = bisect_right(low.opened, x) - lo - in_window
    return max(0, concordant), max(0, inverted)


def triage(customers: Sequence[Customer], end: float, language: str, weight: float
           ) -> tuple[float | None, int, list[Finding]]:
    """Concordance of answer order for (high-risk, low-risk) pairs that waited together, the
    number of pairs, and a finding per high-risk customer with inversions (``weight``: the
    triage component's weight, for the findings' impact)."""
    high = [c for c in customers if c.high_risk]
    low_customers = [c for c in customers if not c.high_risk]
    low = LowRiskTimes.of((c.opened, c.first_reply) for c in low_customers)
    pairs = good = 0
    findings = []
    for h in high:
        a_h = h.first_reply if h.first_reply is not None else math.inf
        concordant, inversions = triage_counts(h.opened, a_h, low)
        pairs += concordant + inversions
        good += concordant
        if inversions:
            waited = (a_h if a_h != math.inf else end) - h.opened
            explanation, suggestion = words.message(
                language, "triage_inversion", handle=h.handle, reasons=", ".join(h.risk_reasons),
                waited=f"{waited:.0f}", count=inversions,
                threads=words.plural(language, "thread", inversions))
            findings.append(Finding(
                dimension="speed", kind="triage_inversion", rule="speed/triage_order",
                explanation=explanation, suggestion=suggestion,
                event_id=h.event_id, thread_id=h.thread_id,
                severity="major" if a_h == math.inf or inversions >= 3 else "minor",
                impact=round(weight * 100 * inversions
                             / max(1, len(low_customers)) / max(1, len(high)), 2)))
    return (good / pairs if pairs else None), pairs, findings
