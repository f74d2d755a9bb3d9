"""The customer's next turn after a reply: how it landed (``ReplyQuality``, the judge's) and what
it said (``ReplyReading``, read from the text) decide what they answer. Rule-based and
deterministic (the thread's stream draws where the rules leave it to chance), both languages.

- asked for a password: escalates; asked for personal data in public: escalates, or (an
  oversharer or a confused customer) posts it, or (a polite one) refuses and offers a DM;
- dismissed or insulted: escalates;
- asked in DM for an order number or contact details: gives exactly that;
- asked which device, where, since when, what they tried, what happened: answers it (in
  public without personal data) and waits for the next step;
- their own question ignored: asks it again;
- told it is fixed: thanks (or, now and then, says it is still broken);
- moved to DM: continues there; given incident news: calms down and waits;
- otherwise by empathy: thanks, calms, or escalates.

A promised time ("by 12:00", "within 30 minutes") is kept by the session: if it passes with no
further answer, the customer chases it (``engine.answers.PROMISE_GRACE_MINUTES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.records import ReplyQuality
from engine.replies import ReplyReading, answers_question
from engine.threads import Stream

#: Personas who hand over personal data when asked in public (issue 7's rule).
COMPLIERS = frozenset({"privacy_oversharer", "confused"})
#: Personas who refuse politely rather than blow up when asked for data in public.
POLITE = frozenset({"confused", "neutral", "vip", "journalist"})
#: Share of "it's fixed" replies the customer finds are not (a fix that did not reach them).
STILL_BROKEN_SHARE = 0.2
#: Minutes past a promised time before the customer chases it (mean of an exponential).
PROMISE_GRACE_MINUTES = 6.0
NON_PERSONAL_ASKS = frozenset({"device", "location", "when", "tried", "details"})


@dataclass(frozen=True, slots=True)
class Turn:
    """What the customer does next: the event's ``reaction`` (which decides whether they wait,
    ``engine.projection.reaction_waits``), what the turn is about (``turn``, on the event), the
    bank section and key of its text, the channel and the change of mood."""

    reaction: str
    turn: str
    section: str
    key: str
    channel: str
    sentiment_delta: float
    extra: dict[str, str] = field(default_factory=dict)
    #: the customer accepted a promised time and will chase it if it passes
    holds_promise: bool = False


def next_turn(persona: str, quality: ReplyQuality, reading: ReplyReading, channel: str,
              reply_text: str, question: str, rng: Stream) -> Turn | None:
    """The customer's next turn (None: they say nothing). ``question`` is the customer's own
    open question (``engine.replies.customer_question``), ``reply_text`` the brand's reply."""
    if persona == "troll":
        if quality.argues or quality.rude or quality.dismissive or (
                not quality.brief and quality.empathy_level >= 2):
            return Turn("trolled_back", "trolled_back", "reactions", "trolled_back", "public",
                        -0.3)
        if rng.random() < 0.8:
            return Turn("faded", "faded", "reactions", "faded", "public", 0.1)
        return None
    if quality.asks_password:
        return _reaction("escalated", -0.5, channel)
    if quality.asks_pii_public or quality.exposes_pii_public:
        if quality.asks_pii_public and persona in COMPLIERS and rng.random() < 0.6:
            return _reaction("complied_in_public", 0.0, "public")
        if quality.asks_pii_public and persona in POLITE and rng.random() < 0.5:
            return Turn("escalated_pii", "refused_public", "answers", "refuse_public",
                        "public", -0.1)
        return _reaction("escalated_pii", -0.4, "public")
    if quality.dismissive or quality.rude:
        return _reaction("escalated", -0.45, channel)
    if channel == "dm" and (quality.asks_details_dm or reading.asks in ("order", "contact")):
        if reading.asks in ("order", "contact"):
            return Turn("provided_details", f"answered_{reading.asks}", "answers",
                        f"give_{reading.asks}_dm", "dm", 0.1)
        return _reaction("provided_details", 0.1, "dm")
    if reading.asks in NON_PERSONAL_ASKS:
        return Turn("provided_details", f"answered_{reading.asks}", "answers",
                    f"answer_{reading.asks}", channel, 0.05)
    if question and not reading.asks and not quality.moves_to_dm and \
            not answers_question(question, reply_text):
        return Turn("escalated", "asked_again", "answers", "ask_again", channel, -0.2,
                    {"question": question})
    if reading.fixed:
        if rng.random() < STILL_BROKEN_SHARE:
            return Turn("escalated", "still_broken", "answers", "fix_still_broken", channel,
                        -0.3)
        return Turn("thanked", "fixed", "answers", "fix_thanks", channel, 0.6)
    promise = reading.promise_in_minutes is not None
    if quality.moves_to_dm:
        return Turn("calmed", "moved_to_dm", "reactions", "calmed", "dm", 0.25,
                    holds_promise=promise)
    if reading.status and quality.empathy_level >= 1:
        return Turn("calmed", "status", "answers", "status_calmed", channel, 0.3,
                    holds_promise=promise)
    if quality.empathy_level >= 2:
        return Turn("thanked", "thanked", "reactions", "thanked", channel, 0.6,
                    holds_promise=promise)
    if quality.empathy_level == 1:
        if rng.random() < 0.6:
            return Turn("calmed", "calmed", "reactions", "calmed", channel, 0.3,
                        holds_promise=promise)
        return None
    if rng.random() < 0.5:
        return _reaction("escalated", -0.3, channel)
    return None


def _reaction(kind: str, delta: float, channel: str) -> Turn:
    return Turn(kind, kind, "reactions", kind, channel, delta)

