"""The feedback card a resolved customer may fill in (CSAT 1-5, NPS 0-10), as on Twitter/X.

The answer is driven by what the customer lived through: how long they waited against the SLA,
whether they were heard, asked for data in public or a password, dismissed, and fixed.
"""

from __future__ import annotations

from engine.threads import Stream, ThreadLife

#: Share of resolved customers who answer the card (survey response rates are low-ish).
ANSWER_CHANCE = 0.6


def feedback_card(life: ThreadLife, sla_minutes: float,
                  rng: Stream) -> tuple[int, int, tuple[str, ...]] | None:
    """(csat, nps, reasons) or None when the customer does not answer.

    Reads the thread's public state (waiting, chasing, moved to DM) from the projection and
    the reply-quality memory and mood from the engine's private record.
    """
    thread = life.state
    if thread.persona == "troll" or rng.random() > ANSWER_CHANCE:
        return None
    score = 0.0  # on a -1..1 scale
    reasons: list[str] = []
    if thread.first_reply_minute is None:
        score -= 0.6
        reasons.append("never answered")
    else:
        waited = thread.first_reply_minute - thread.opened_minute
        if waited <= sla_minutes:
            score += 0.3
            reasons.append("answered fast")
        elif waited > 3 * sla_minutes:
            score -= 0.4
            reasons.append("waited long")
        else:
            score -= 0.1
    if life.best_empathy >= 2:
        score += 0.5
        reasons.append("felt heard")
    elif life.best_empathy == 1:
        score += 0.15
    if life.dismissed:
        score -= 0.5
        reasons.append("dismissed")
    if life.asked_pii_public:
        score -= 0.4
        reasons.append("asked for personal data in public")
    if life.asked_password:
        score -= 0.7
        reasons.append("asked for a password")
    if thread.moved_to_dm:
        score += 0.1
    if thread.follow_ups:
        score -= 0.15 * thread.follow_ups
        reasons.append("had to chase")
    score += rng.gauss(0, 0.15) + 0.4 * life.mood
    score = max(-1.0, min(1.0, score))
    csat = max(1, min(5, round(3 + 2 * score)))
    nps = max(0, min(10, round(6.5 + 4 * score)))
    return csat, nps, tuple(reasons)
