"""`TrainingSession`: one drill's simulated public, a SimPy world advanced by the caller.

The session owns one ``simpy.Environment`` and two kinds of seeded randomness: the flood's own
streams (``engine.arrivals.Flood``: every organic and injected mention) and streams derived per
thread and turn (``engine.threads.ThreadStreams``: follow-ups, answers to replies, spread,
feedback cards), so the same seed gives every trainee the same flood whatever they do. It
never reads the wall clock: the caller moves it with ``advance_to(minute)`` and applies trainee
actions with ``act(action)`` at the current minute. Every event is appended to ``transcript``
and folded into ``projection`` (the shared thread state), so the same scenario + seed +
actions (at the same minutes) gives the same transcript, byte for byte (with an LLM voice:
given the same voiced texts, which its book keeps). docs/engine.md says which fields are fixed
by scenario + seed alone and which depend on the trainee.

The work is split by concern: ``engine.core`` (the world and its plumbing), ``engine.public``
(what the public does), ``engine.actions`` (what trainees and leads do); this module is the
public API.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable
from typing import Any

from engine.actions import ActionsMixin
from engine.core import ActionError
from engine.projection import ThreadState
from engine.records import (
    DM_LIMIT,
    PUBLIC_LIMIT,
    Action,
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    MentionAmplified,
    MentionArrived,
    ReplyJudge,
    ReplySent,
)
from engine.scenario import Scenario
from engine.voice import CustomerVoice

#: Re-exported for callers that import the limits from here (ui/views/composer.py today).
__all__ = ["DM_LIMIT", "PUBLIC_LIMIT", "ActionError", "TrainingSession"]


class TrainingSession(ActionsMixin):
    """The simulated public of one drill.

    ``judge`` rates replies for the customers (the engine's keyword heuristic by default; the
    app plugs in the scorer's assessment); ``voice`` writes customers' conversational turns
    (the bank by default; ``stormdesk.voice`` offers an LLM voice).
    """

    def __init__(self, scenario: Scenario, seed: int, judge: ReplyJudge | None = None,
                 agent: str = "trainee", voice: CustomerVoice | None = None) -> None:
        super().__init__(scenario, seed, judge, agent, voice)
        self.env.process(self._flood())
        self.env.process(self._clock())

    # ------------------------------------------------------------------ public API
    @property
    def finished(self) -> bool:
        return self.env.now >= self.scenario.duration_minutes

    @property
    def threads(self) -> dict[str, ThreadState]:
        """Every thread so far by id (the projection's dict: read it, do not change it)."""
        return self.projection.threads

    @property
    def pinned_status(self) -> str | None:
        """The text of the last status update the brand posted (None before the first)."""
        pinned = self.projection.pinned_status
        return None if pinned is None else pinned.text

    @property
    def notes(self) -> dict[str, list[str]]:
        """Shared notes per author handle, oldest first (texts of the NoteAdded events)."""
        return {handle: [n.text for n in notes]
                for handle, notes in self.projection.notes.items()}

    def advance_to(self, minute: float) -> list[Event]:
        """Run the world up to and including ``minute`` (clamped to the drill's end).

        Returns the new events. Events due exactly at ``minute`` happen before any action the
        caller applies next, so stepping in small increments equals one jump.
        """
        target = min(float(minute), self.scenario.duration_minutes)
        start = len(self.transcript)
        env = self.env
        # A flood allocates hundreds of thousands of acyclic records; the cyclic collector
        # rescanning them cost 28% of the run (benchmarks/bench_engine.py), so pause it here.
        collecting = gc.isenabled()
        gc.disable()
        try:
            if target > env.now:
                env.run(until=target)
            while env.peek() <= target:
                env.step()
        finally:
            if collecting:
                gc.enable()
        return self.transcript[start:]

    def act(self, action: Action) -> list[Event]:
        """Apply a trainee action at the current minute; return the events it produced."""
        start = len(self.transcript)
        handler = getattr(self, f"_do_{action.kind}", None)
        if handler is None:
            raise ActionError(f"unsupported action {action.kind!r}")
        handler(action)
        return self.transcript[start:]

    def replay(self, actions: Iterable[tuple[float, Action]]) -> None:
        """Re-apply stored (minute, action) pairs in order (recovery and re-scoring)."""
        for minute, action in actions:
            self.advance_to(minute)
            self.act(action)

    # ------------------------------------------------------------------ summary
    def summary(self) -> dict[str, Any]:
        """Counts a team lead reads after a run (mentions by persona/intent, spread, mood)."""
        arrived = [e for e in self.transcript if isinstance(e, MentionArrived)]
        feedback = self.projection.feedback
        replied = [e for e in self.transcript if isinstance(e, CustomerReplied)]
        return {
            "scenario": self.scenario.id,
            "seed": self.seed,
            "minute": self.now,
            "mentions": len(arrived),
            "by_persona": dict(sorted(Counter(e.persona for e in arrived).items())),
            "by_intent": dict(sorted(Counter(e.intent for e in arrived).items())),
            "by_source": dict(sorted(Counter(e.source for e in arrived).items())),
            "follow_ups": sum(isinstance(e, CustomerFollowedUp) for e in self.transcript),
            "customer_replies": len(replied),
            "amplifications": sum(isinstance(e, MentionAmplified) for e in self.transcript),
            "replies_sent": sum(isinstance(e, ReplySent) for e in self.transcript),
            "waiting_threads": self.projection.waiting,
            "reputation": self.reputation,
            "csat_mean": round(sum(f.csat for f in feedback) / len(feedback), 2)
            if feedback else None,
            "nps": _nps(f.nps for f in feedback) if feedback else None,
        }


def _nps(scores: Iterable[int]) -> float:
    values = list(scores)
    promoters = sum(s >= 9 for s in values)
    detractors = sum(s <= 6 for s in values)
    return round(100.0 * (promoters - detractors) / len(values), 1)
