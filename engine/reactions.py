"""How a simulated customer answers a reply, and how patient they are when nobody answers.

The rules follow the domain digest: people calm down when heard and given a next step,
escalate when dismissed or asked for personal data in public, give details when asked in DM;
trolls feed on arguments and fade when ignored or answered briefly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from engine.projection import reaction_waits
from engine.records import ReplyQuality
from engine.threads import Stream

#: Mean patience in simulated minutes before a first follow-up, per persona. Real customers
#: expect an answer within the hour (domain digest); angry people and VIPs chase sooner.
PATIENCE_MINUTES = {
    "angry": 8.0, "confused": 18.0, "troll": 6.0, "praise": 0.0, "vip": 10.0,
    "journalist": 25.0, "privacy_oversharer": 14.0, "neutral": 25.0,
}
#: Chance that an ignored customer follows up at all, per attempt (many just give up).
FOLLOW_UP_CHANCE = (0.55, 0.4, 0.25)
MAX_FOLLOW_UPS = len(FOLLOW_UP_CHANCE)
#: Each follow-up is this much more negative (floor -1).
FOLLOW_UP_SENTIMENT_STEP = -0.2


class Uniform(Protocol):
    """What patience draws from: anything with ``random()``."""

    def random(self) -> float: ...


def may_follow_up(persona: str, attempt: int) -> bool:
    """Whether this persona ever chases for this attempt (fans do not; nobody a 4th time)."""
    return PATIENCE_MINUTES.get(persona, 20.0) > 0 and attempt <= MAX_FOLLOW_UPS


def patience_from(persona: str, attempt: int, chance: float, delay: float) -> float | None:
    """Minutes until the next follow-up from two uniform draws in [0, 1), or None if this
    customer will not follow up (``chance`` decides whether, ``delay`` how long)."""
    mean = PATIENCE_MINUTES.get(persona, 20.0)  # may_follow_up, inlined: called per thread
    if mean <= 0 or attempt > MAX_FOLLOW_UPS or chance > FOLLOW_UP_CHANCE[attempt - 1]:
        return None
    return 0.5 - math.log(1.0 - delay) * mean * (1 + 0.5 * (attempt - 1))  # exponential


def patience(persona: str, attempt: int, rng: Uniform) -> float | None:
    """Minutes until the next follow-up, or None if this customer will not follow up."""
    if not may_follow_up(persona, attempt):
        return None
    return patience_from(persona, attempt, rng.random(), rng.random())


@dataclass(frozen=True, slots=True)
class Reaction:
    kind: str
    sentiment_delta: float
    channel: str

    @property
    def waits(self) -> bool:
        """Whether the customer now waits for another answer (the projection's rule)."""
        return reaction_waits(self.kind, self.channel)


def choose_reaction(persona: str, quality: ReplyQuality, channel: str,
                    rng: Stream) -> Reaction | None:
    """The customer's next turn after a reply (None: they say nothing)."""
    if persona == "troll":
        if quality.argues or quality.rude or quality.dismissive or (not quality.brief and \
                quality.empathy_level >= 2):
            return Reaction("trolled_back", -0.3, "public")
        return Reaction("faded", 0.1, "public") if rng.random() < 0.8 else None
    if quality.asks_password:
        return Reaction("escalated", -0.5, channel)
    if quality.asks_pii_public or quality.exposes_pii_public:
        if quality.asks_pii_public and persona in ("privacy_oversharer", "confused") \
                and rng.random() < 0.6:
            return Reaction("complied_in_public", 0.0, "public")
        return Reaction("escalated_pii", -0.4, "public")
    if quality.dismissive or quality.rude:
        return Reaction("escalated", -0.45, channel)
    if channel == "dm" and quality.asks_details_dm:
        return Reaction("provided_details", 0.1, "dm")
    if quality.moves_to_dm:
        return Reaction("calmed", 0.25, "dm")
    if quality.empathy_level >= 2:
        return Reaction("thanked", 0.6, channel)
    if quality.empathy_level == 1:
        return Reaction("calmed", 0.3, channel) if rng.random() < 0.6 else None
    if rng.random() < 0.5:
        return Reaction("escalated", -0.3, channel)
    return None


def reaction_delay(rng: Stream) -> float:
    """Minutes the customer takes to answer a reply."""
    return 0.5 + rng.expovariate(1 / 2.5)
