"""The session's core: its world (SimPy environment, the flood, the streams, the writer), the
event plumbing (emit, fold into the projection, timers) and the reputation index.

``engine.public`` (what the public does) and ``engine.actions`` (what trainees and leads do)
build on it; ``engine.session.TrainingSession`` puts them together behind the public API.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from engine.arrivals import Flood
from engine.domains import profile_of
from engine.judge import heuristic_judge
from engine.people import PeopleFactory
from engine.projection import Projection, ThreadState
from engine.records import ActionError, Event, ReplyContext, ReplyJudge, SessionStarted
from engine.scenario import Scenario
from engine.text import MentionWriter, load_bank
from engine.threads import ThreadLife, ThreadStreams
from engine.voice import BankVoice, CustomerVoice

#: Reputation memory: how fast the public forgets a post (minutes, exponential decay).
REPUTATION_TAU_MINUTES = 30.0
#: Weight of a neutral "background" audience, so a single post cannot swing the index to 0.
REPUTATION_PRIOR_WEIGHT = 20.0


class SessionCore:
    """A drill's world and its plumbing (see the module docstring)."""

    def __init__(self, scenario: Scenario, seed: int, judge: ReplyJudge | None = None,
                 agent: str = "trainee", voice: CustomerVoice | None = None) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.judge: Callable[[ReplyContext], Any] = judge or heuristic_judge
        self.agent = agent
        #: who writes customers' conversational turns (the bank, or an LLM voice)
        self.voice: CustomerVoice = voice or BankVoice()
        self._voiced = not isinstance(self.voice, BankVoice)
        self.env = simpy.Environment()
        flood_np, flood_random = np.random.SeedSequence(self.seed).spawn(2)
        flood_rng = random.Random(int(flood_random.generate_state(1)[0]))
        bank = load_bank(scenario.language)
        profile = profile_of(scenario, bank)
        self.people = PeopleFactory(scenario.language, flood_rng, bank.bios, bank.cities,
                                    bank.regions.get(profile.region), profile.places)
        brand = scenario.brand
        self.writer = MentionWriter(bank, flood_rng, self.people, brand.handle, brand.name,
                                    brand.products, brand.hashtags, brand.misspellings,
                                    profile=profile, start_clock=scenario.start_clock)
        self.flood = Flood(scenario, flood_rng, np.random.default_rng(flood_np), self.people,
                           self.writer)
        self.streams = ThreadStreams(self.seed)
        self.transcript: list[Event] = []
        #: the shared thread state, folded from every event as it is emitted
        self.projection = Projection()
        self._life: dict[str, ThreadLife] = {}
        self._counter = 0
        self._replies = 0
        self._statuses = 0
        self._live = 0  # mentions a lead threw in live
        self._rep_sum = 0.0  # decayed sum of weight * sentiment
        self._rep_weight = 0.0  # decayed sum of weights
        self._rep_minute = 0.0
        hours, minutes = (int(x) for x in scenario.start_clock.split(":"))
        #: the wall-clock time of minute 0, in minutes after midnight (promised times)
        self._start_clock = hours * 60 + minutes
        self._emit(SessionStarted, scenario_id=scenario.id, scenario_hash=scenario.content_hash,
                   seed=self.seed, language=scenario.language,
                   duration_minutes=scenario.duration_minutes)

    @property
    def now(self) -> float:
        return float(self.env.now)

    # ------------------------------------------------------------------- plumbing
    def _emit(self, cls: type[Event], **fields: Any) -> Any:
        self._counter += 1
        event = cls(event_id=f"e{self._counter:06d}", minute=round(self.env.now, 3), **fields)
        self._record(event)
        return event

    def _record(self, event: Event) -> ThreadState | None:
        """Append an event and fold it into the projection (returns the thread it touched)."""
        transcript = self.transcript
        transcript.append(event)
        projection = self.projection
        state = projection.apply(event)
        projection.cursor = len(transcript)
        return state

    def _event_id(self) -> str:
        self._counter += 1
        return f"e{self._counter:06d}"

    def _at(self, minute: float, callback: Callable[[Any], None]) -> None:
        delay = max(0.0, minute - self.env.now)
        self.env.timeout(delay).callbacks.append(callback)

    def _facts(self) -> dict[str, str]:
        """The incident facts in force now (customers' texts quote them: ``{since}``)."""
        return self.flood.facts_at(self.env.now)

    def _clock_now(self) -> int:
        """The wall-clock time now, in minutes after midnight."""
        return int(self._start_clock + self.env.now) % (24 * 60)

    @staticmethod
    def _post_id(state: ThreadState) -> str:
        """The id of the customer's next post in a thread: the opening mention id + post number
        (``m000042p2``), so posts a trainee provokes never shift the flood's ids."""
        return f"m{state.thread_id[1:]}p{state.posts + 1}"  # the opening's id is m + number

    # ------------------------------------------------------------------- reputation
    def _decay_reputation(self) -> None:
        elapsed = self.env.now - self._rep_minute
        if elapsed > 0:
            factor = math.exp(-elapsed / REPUTATION_TAU_MINUTES)
            self._rep_sum *= factor
            self._rep_weight *= factor
            self._rep_minute = self.env.now

    def _public_signal(self, life: ThreadLife, sentiment: float, scale: float = 1.0) -> None:
        """A post the public sees moves the reputation by its reach-weighted sentiment.

        Decay is applied lazily, at the next read (the clock reads every simulated minute), so
        a post is decayed from the previous read rather than from its own minute: at most one
        minute early, a 3% difference at tau = 30 min, and it saves an exp() per post.
        """
        weight = life.weight * scale
        self._rep_sum += weight * sentiment
        self._rep_weight += weight

    @property
    def reputation(self) -> float:
        """Reach-weighted, decaying sentiment of the public conversation, 0-100 (50 neutral)."""
        self._decay_reputation()
        weight = self._rep_weight + REPUTATION_PRIOR_WEIGHT
        return round(50.0 + 50.0 * self._rep_sum / weight, 2)

    def thread(self, thread_id: str) -> ThreadState:
        try:
            return self.projection.threads[thread_id]
        except KeyError:
            raise ActionError(f"no thread {thread_id!r} in this drill") from None
