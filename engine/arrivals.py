"""The public's flood: organic arrivals, injects and incident updates, from the flood's streams.

Organic arrival times are a non-homogeneous Poisson process drawn by thinning: each phase in one
vectorised numpy step (a homogeneous process at the phase's peak rate, then kept with
probability rate(t) / peak), which is what keeps a 100k-mention flood cheap.

``Flood`` turns the scenario and the flood's own two streams (numpy for arrivals, a
``random.Random`` for authors and texts) into one timeline of posts and incident updates. It
reads nothing a trainee can change and nothing else draws from its streams, so with a fixed
seed every organic and injected mention (minute, ids, author, text, exposed data) is the same
in every run, whatever the trainee does.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from engine.people import PeopleFactory
from engine.records import Author
from engine.scenario import IncidentFacts, Inject, Phase, Scenario
from engine.text import MentionWriter, Rendered
from engine.threads import Stream


@dataclass(frozen=True, slots=True)
class PhaseArrivals:
    """The organic arrivals of one phase: minutes (sorted) and who/what each one is."""

    minutes: list[float]
    personas: list[str]
    intents: list[str]
    sentiments: list[float]


#: Typical mood of a first post per persona (-1 furious .. 1 delighted); noise sd 0.15.
BASE_SENTIMENT = {"angry": -0.7, "troll": -0.8, "praise": 0.8, "confused": -0.2, "vip": -0.5,
                  "journalist": -0.2, "privacy_oversharer": -0.4, "neutral": -0.1}
SENTIMENT_NOISE = 0.15
#: Personas whose authors return (regulars): bounded pools per persona keep memory flat.
AUTHOR_POOL_SIZE = 800
#: Share of flood posts written by a new author while a persona's pool is not full.
NEW_AUTHOR_SHARE = 0.85
#: Order of items due at the same minute, fixed here rather than by SimPy's scheduling order:
#: the incident panel changes first, then scripted mentions, then the public.
RANK_FACTS, RANK_INJECT, RANK_ORGANIC = 0, 1, 2


def first_mood(persona: str, intent: str, rng: Stream) -> float:
    """A first post's sentiment drawn for one author (quotes; organic moods come vectorised)."""
    base = BASE_SENTIMENT[persona]
    if intent == "praise":
        base = max(base, 0.6)
    return round(max(-1.0, min(1.0, base + rng.gauss(0, SENTIMENT_NOISE))), 3)


def phase_rates(phase: Phase, minutes: np.ndarray) -> np.ndarray:
    """``phase.rate_at`` for many minutes at once (step, linear or exponential ramp)."""
    start, end = phase.rate_per_minute, phase.rate_end_per_minute
    ramp = getattr(phase, "ramp", "linear" if end is not None else "step")
    if end is None or ramp == "step":
        return np.full(minutes.shape, start, dtype=float)
    if ramp == "exponential":
        tau = getattr(phase, "ramp_minutes", None) or 1.0
        return end + (start - end) * np.exp(-(minutes - phase.start_minute) / tau)
    share = (minutes - phase.start_minute) / (phase.end_minute - phase.start_minute)
    return start + share * (end - start)


def draw_phase(phase: Phase, rng: np.random.Generator, end_minute: float) -> PhaseArrivals:
    """Arrivals in ``[phase.start_minute, min(phase.end_minute, end_minute))``.

    A homogeneous process at the phase's peak rate, thinned to its ramp (each arrival kept with
    probability rate(t) / peak): one vectorised step for any ramp shape.
    """
    start = phase.start_minute
    end = min(phase.end_minute, end_minute)
    peak = phase.peak_rate
    if end <= start or peak <= 0:
        return PhaseArrivals([], [], [], [])
    count = int(rng.poisson(peak * (end - start)))
    minutes = np.sort(rng.uniform(start, end, size=count))
    if phase.rate_end_per_minute is not None:  # thinning against the ramp
        rate = phase_rates(phase, minutes)
        minutes = minutes[rng.uniform(0, peak, size=minutes.size) < rate]
    personas = _mix(phase.personas, minutes.size, rng)
    intents = _mix(phase.intents, minutes.size, rng)
    others = {k: v for k, v in phase.intents.items() if k not in ("praise", "abuse")}
    spare = _mix(others, minutes.size, rng) if sum(others.values()) > 0 else intents
    personas, intents = _couple(personas, intents, spare)
    base = np.array([BASE_SENTIMENT[p] for p in personas], dtype=float)
    noisy = base + rng.normal(0.0, SENTIMENT_NOISE, size=base.size)
    sentiments = np.round(np.clip(noisy, -1.0, 1.0), 3).tolist()
    return PhaseArrivals(np.round(minutes, 3).tolist(), personas, intents, sentiments)


def _couple(personas: list[str], intents: list[str], spare: list[str]
            ) -> tuple[list[str], list[str]]:
    """Who says what: fans praise and only fans praise; trolls troll; abuse comes from trolls
    or angry customers (a "confused" customer posting abuse read wrong, issue 13)."""
    out_personas, out_intents = [], []
    for i, (persona, intent) in enumerate(zip(personas, intents, strict=True)):
        if persona == "praise":
            intent = "praise"
        elif persona == "troll":
            intent = "abuse"
        elif intent == "abuse":
            if persona != "angry":
                persona = "troll"
        elif intent == "praise":
            intent = spare[i] if spare[i] not in ("praise", "abuse") else "product_question"
        out_personas.append(persona)
        out_intents.append(intent)
    return out_personas, out_intents


def _mix(shares: dict[str, float], size: int, rng: np.random.Generator) -> list[str]:
    names = sorted(shares)  # sorted: the draw must not depend on the YAML key order
    weights = np.array([shares[n] for n in names], dtype=float)
    picks = rng.choice(len(names), size=size, p=weights / weights.sum())
    return [names[i] for i in picks.tolist()]


#: Where a thread's opening mention came from (``MentionArrived.source``).
Source = Literal["organic", "inject", "amplification"]


class FloodPost(NamedTuple):
    """One organic or injected mention, everything it says fixed by scenario + seed (its
    mention id is ``m`` + the thread id's number)."""

    minute: float
    thread_id: str
    author: Author
    persona: str
    intent: str
    sentiment: float
    rendered: Rendered
    source: Source


class FactsUpdate(NamedTuple):
    """The incident facts change at ``minute`` (an ``IncidentUpdated`` event)."""

    minute: float
    facts: dict[str, str]


_NO_FACTS: dict[str, str] = {}


class Flood:
    """The public's flood of one drill: its streams, its author pools and its dense ids.

    Thread and mention ids of the flood come from the flood's own counter, in order of arrival
    (``t000001``/``m000001``, ...); nothing else advances it.
    """

    def __init__(self, scenario: Scenario, rng: random.Random, np_rng: np.random.Generator,
                 people: PeopleFactory, writer: MentionWriter) -> None:
        self.scenario = scenario
        self.rng = rng
        self.np_rng = np_rng
        self.people = people
        self.writer = writer
        self._pools: dict[str, list[Author]] = {}
        self._count = 0
        self._fact_minutes = [f.from_minute for f in scenario.incident]
        self._facts = [f.as_facts() for f in scenario.incident]
        #: the facts last asked for and the minutes [from, to) they hold for
        self._current = _NO_FACTS
        self._valid = (math.inf, -math.inf)

    def facts_at(self, minute: float) -> dict[str, str]:
        """The incident facts in force at ``minute`` (what ``{since}`` and ``{down}`` read)."""
        if self._valid[0] <= minute < self._valid[1]:  # asked per post: mostly the same span
            return self._current
        i = bisect_right(self._fact_minutes, minute)
        self._current = self._facts[i - 1] if i else _NO_FACTS
        self._valid = (self._fact_minutes[i - 1] if i else -math.inf,
                       self._fact_minutes[i] if i < len(self._fact_minutes) else math.inf)
        return self._current

    def outsider(self, persona: str, rng: Stream) -> Author:
        """An author for one thread (who spreads it), drawn with that thread's ``rng``.

        Chosen as the flood chooses (a returning author of the persona's pool once it is full,
        else usually a new account) but without changing anything the flood reads: the pools
        stay as they are and the new account's handle is not registered.
        """
        pool = self._pools.get(persona)
        if pool and (len(pool) >= AUTHOR_POOL_SIZE or rng.random() >= NEW_AUTHOR_SHARE):
            return pool[int(rng.random() * len(pool))]
        return self.people.author(persona, rng, register=False)

    def timeline(self) -> Iterator[FloodPost | FactsUpdate]:
        """Every flood item in order of minute (ties: facts, injects, organic)."""
        scenario = self.scenario
        scripted: list[tuple[float, int, int, IncidentFacts | Inject]] = [
            (f.from_minute, RANK_FACTS, i, f) for i, f in enumerate(scenario.incident)]
        scripted += [(inj.at_minute, RANK_INJECT, i, inj)
                     for i, inj in enumerate(scenario.injects)]
        pending = deque(sorted(scripted, key=lambda item: item[:3]))
        for phase in scenario.phases:
            arrivals = draw_phase(phase, self.np_rng, scenario.duration_minutes)
            for minute, persona, intent, sentiment in zip(
                    arrivals.minutes, arrivals.personas, arrivals.intents, arrivals.sentiments,
                    strict=True):
                while pending and pending[0][0] <= minute:  # scripted first on a tie
                    yield self._scripted(pending.popleft())
                yield self._organic(minute, persona, intent, sentiment)
        while pending:
            yield self._scripted(pending.popleft())

    def _scripted(self, item: tuple[float, int, int, IncidentFacts | Inject]
                  ) -> FloodPost | FactsUpdate:
        minute, _rank, index, what = item
        if isinstance(what, IncidentFacts):
            return FactsUpdate(minute, dict(self._facts[index]))
        return self._inject(what)

    def _author(self, persona: str) -> Author:
        pool = self._pools.setdefault(persona, [])
        if len(pool) < AUTHOR_POOL_SIZE and (not pool or self.rng.random() < NEW_AUTHOR_SHARE):
            author = self.people.author(persona, self.rng)
            pool.append(author)
            return author
        return self.rng.choice(pool)

    def _organic(self, minute: float, persona: str, intent: str, sentiment: float) -> FloodPost:
        author = self._author(persona)
        rendered = self.writer.mention(intent, persona, author, rng=self.rng,
                                       facts=self.facts_at(minute), minute=minute)
        if intent == "praise":
            sentiment = max(sentiment, 0.6)
        self._count += 1
        return FloodPost(minute, f"t{self._count:06d}", author, persona, intent, sentiment,
                         rendered, "organic")

    def _inject(self, inject: Inject) -> FloodPost:
        if inject.author is not None:
            a = inject.author
            author = Author(a.handle, a.display_name, a.followers, a.verified, a.bio)
        else:
            author = self._author(inject.persona)
        rendered = self.writer.render(inject.text, author, inject.persona, noise=False,
                                      rng=self.rng, facts=self.facts_at(inject.at_minute),
                                      minute=inject.at_minute)
        self._count += 1
        return FloodPost(inject.at_minute, f"t{self._count:06d}", author, inject.persona,
                         inject.intent, inject.sentiment, rendered, "inject")
