"""Grading a drill: replay scenario + seed + actions to the end minute, then score the transcript.

One code path for ending a drill, re-scoring it later and the store's own check of what it is
asked to keep: the store never takes a score from its caller, it asks this grader to recompute
it from the actions it holds (``store`` calls ``StoreGrader.grade``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.records import Action, Event, action_from_dict
from engine.scenario import Scenario
from engine.session import TrainingSession
from scoring.records import Scorecard
from stormdesk.world import World, world_of

JudgeFactory = Callable[[], Any]


def scorer_judge(context: Any) -> Any:
    """The scorer's per-reply assessment, as the simulated customer perceives it."""
    from scoring.assess import engine_judge  # imported lazily: keeps app start-up light

    return engine_judge(context)


def new_session(scenario: Scenario, seed: int, agent: str = "trainee") -> TrainingSession:
    """A drill session whose customers react through the scorer's assessment, and whose
    conversational turns an LLM writes when ``STORMDESK_LLM_VOICE`` is on (stormdesk/voice.py;
    its book replays the same texts when the drill is rebuilt or graded)."""
    from stormdesk.voice import voice_for  # imported lazily: keeps app start-up light

    return TrainingSession(scenario, seed=seed, judge=scorer_judge, agent=agent,
                           voice=voice_for(scenario, seed))


def env_judge() -> Any:
    """The LLM judge the environment configures, else None (offline scoring)."""
    from scoring.judge import judge_from_env

    return judge_from_env()


def no_judge() -> Any:
    return None


def stamp(card: Scorecard, world: World, mode: str) -> Scorecard:
    """The scorecard with the world it was played on and the drill's mode (when the scorecard
    type carries them)."""
    names = {f.name for f in dataclasses.fields(card)}
    changes: dict[str, Any] = {}
    if "world" in names:
        changes["world"] = world.version
    if "mode" in names:
        changes["mode"] = mode
    return dataclasses.replace(card, **changes) if changes else card


@dataclass(frozen=True)
class Graded:
    """A replayed drill's transcript and its scorecard."""

    transcript: list[Event]
    scorecard: Scorecard


class Grader:
    """Replays and scores drills. ``judge_factory`` makes one judge per drill (an LLM judge
    keeps a per-drill budget), or returns None for offline scoring."""

    def __init__(self, judge_factory: JudgeFactory = env_judge) -> None:
        self.judge_factory = judge_factory

    def replay(self, scenario: Scenario, seed: int,
               actions: Iterable[tuple[float, Action]], end_minute: float,
               agent: str = "trainee") -> TrainingSession:
        """The session after ``actions`` (at their minutes), advanced to ``end_minute``."""
        session = new_session(scenario, seed, agent=agent)
        session.replay(actions)
        session.advance_to(end_minute)
        return session

    def score(self, transcript: Sequence[Event], scenario: Scenario, mode: str) -> Scorecard:
        from scoring.scorecard import score_session

        card = score_session(transcript, scenario, judge=self.judge_factory())
        return stamp(card, world_of(scenario), mode)

    def grade(self, scenario: Scenario, seed: int, actions: Iterable[tuple[float, Action]],
              end_minute: float, mode: str, agent: str = "trainee") -> Graded:
        session = self.replay(scenario, seed, actions, end_minute, agent)
        return Graded(list(session.transcript), self.score(session.transcript, scenario, mode))


class StoreGrader:
    """The store's grader: recomputes a stored drill's transcript and scorecard from its own
    stored actions (``store.repository.Store(grader=...)``)."""

    def __init__(self, scenarios: Callable[[str], Scenario | None], grader: Grader,
                 versions: Callable[[str, str], Scenario | None] | None = None) -> None:
        self._scenarios = scenarios
        self._grader = grader
        #: drills written in the editor: the exact published version, by id and content hash
        self._versions = versions

    def grade(self, drill: Any, actions: Sequence[Any], end_minute: float
              ) -> tuple[list[Event], Scorecard]:
        scenario = self._scenarios(drill.scenario_id)
        if scenario is None and self._versions is not None:
            scenario = self._versions(drill.scenario_id, drill.scenario_hash)
        if scenario is None:
            raise LookupError(f"scenario {drill.scenario_id!r} is no longer installed")
        pairs = [(a.minute, action_from_dict(a.action)) for a in actions]
        graded = self._grader.grade(scenario, drill.seed, pairs, end_minute, drill.mode,
                                    agent=drill.initials or drill.agent_name or "trainee")
        return graded.transcript, graded.scorecard
