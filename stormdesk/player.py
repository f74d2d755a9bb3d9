"""The headless player: a drill played with scripted trainee actions through the same service the
desk uses (``stormdesk.drills.Drills``), for golden tests, benchmarks and fair comparisons.

An actions file is JSON lines: ``minute`` plus the action's own JSON form as ``engine.records``
defines it, e.g. ``{"minute": 4, "kind": "reply", "thread_id": "t000001", "text": "...",
"channel": "public"}``. Blank lines and lines starting with ``#`` are skipped. Every problem is
reported on its own line naming the line and the field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from engine.loading import LoadError, decode_utf8, read_bytes
from engine.records import ACTION_TYPES, Action, Event, action_from_dict
from engine.scenario import Scenario
from engine.session import ActionError
from scoring.inputs import InputError, loads, unfit_value, value_problem
from scoring.records import Scorecard
from stormdesk.catalogue import Catalogue
from stormdesk.drill import LiveDrill, Mode
from stormdesk.drills import Drills
from stormdesk.grading import Grader, JudgeFactory, no_judge

#: An actions file larger than this is refused before it is read (a drill has hundreds).
MAX_ACTIONS_BYTES = 20 * 1024 * 1024
MAX_LINE_CHARS = 20_000


class ActionsFileError(ValueError):
    """An actions file that cannot be played; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ScriptedAction:
    """One line of an actions file: when, what, and where it came from."""

    line: int
    minute: float
    action: Action


def _field_types(cls: type[Action]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def parse_action(data: Any, line: int, name: str) -> tuple[ScriptedAction | None, list[str]]:
    """One decoded line as a scripted action, or the problems with it."""
    where = f"{name}: line {line}"
    if not isinstance(data, dict):
        return None, [f"{where}: must be a JSON object"]
    problems: list[str] = []
    minute = data.get("minute")
    if "minute" not in data:
        problems.append(f"{where}: minute: is required")
    elif isinstance(minute, bool) or not isinstance(minute, int | float) or \
            not math.isfinite(minute) or minute < 0:
        problems.append(f"{where}: minute: must be a number >= 0 (got {minute!r})")
    kind = data.get("kind")
    cls = ACTION_TYPES.get(str(kind)) if isinstance(kind, str) else None
    if "kind" not in data:
        problems.append(f"{where}: kind: is required")
    elif cls is None:
        problems.append(f"{where}: kind: unknown action {kind!r} (known: "
                        f"{', '.join(sorted(ACTION_TYPES))})")
    if cls is None or problems:
        return None, problems
    fields = _field_types(cls)
    required = {f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    payload = {k: v for k, v in data.items() if k not in ("minute", "kind")}
    for key in sorted(set(payload) - set(fields)):
        problems.append(f"{where}: {key}: is not a field of a {kind} action (fields: "
                        f"{', '.join(sorted(fields))})")
    for key in sorted(required - set(payload)):
        problems.append(f"{where}: {key}: is required for a {kind} action")
    for key, value in payload.items():
        if key in fields:
            problem = value_problem(value, fields[key])
            if problem:
                sep = "" if problem.startswith(("[", ".")) else ": "
                problems.append(f"{where}: {key}{sep}{problem}")
    bad = unfit_value(payload)
    if bad and not problems:
        problems.append(f"{where}: {bad}")
    if problems:
        return None, problems
    at = float(minute) if isinstance(minute, int | float) else 0.0  # checked above
    return ScriptedAction(line, at, action_from_dict({"kind": kind, **payload})), []


def parse_actions(lines: Iterable[str], name: str = "<actions>") -> list[ScriptedAction]:
    """Every action of an actions file, in order; raises ActionsFileError listing problems."""
    actions: list[ScriptedAction] = []
    problems: list[str] = []
    last = 0.0
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if len(text) > MAX_LINE_CHARS:
            problems.append(f"{name}: line {number}: longer than {MAX_LINE_CHARS} characters")
            continue
        try:
            data = loads(text)
        except InputError as exc:
            problems.append(f"{name}: line {number}: {exc}")
            continue
        scripted, found = parse_action(data, number, name)
        problems.extend(found)
        if scripted is None:
            continue
        if scripted.minute < last:
            problems.append(f"{name}: line {number}: minute: {scripted.minute:g} is before the "
                            f"previous action's minute ({last:g}); actions must be in time order")
            continue
        last = scripted.minute
        actions.append(scripted)
    if problems:
        raise ActionsFileError(problems)
    return actions


def read_actions(path: str | Path) -> list[ScriptedAction]:
    """Parse an actions file: a regular file of at most ``MAX_ACTIONS_BYTES`` in UTF-8 (a
    device, a pipe or a directory is refused by its kind, never read)."""
    name = Path(path).name
    try:
        text = decode_utf8(read_bytes(path, MAX_ACTIONS_BYTES), name)
    except LoadError as exc:
        raise ActionsFileError(exc.problems) from None
    return parse_actions(text.splitlines(), name)


#: A policy that acts on the live drill each minute (a scripted bot, e.g. ``bots.Decent``).
Policy = Callable[[Drills, LiveDrill], None]


@dataclass
class PlayResult:
    """A played drill: its transcript, its scorecard, and where the trainee stopped."""

    transcript: list[Event]
    scorecard: Scorecard
    ended_at_minute: float
    played_out: bool
    problems: list[str] = field(default_factory=list)


def play(scenario: Scenario, seed: int, actions: Sequence[ScriptedAction] = (), *,
         end_at: float | None = None, mode: Mode = "assessment",
         policy: Policy | None = None, judge_factory: JudgeFactory = no_judge,
         name: str = "<actions>") -> PlayResult:
    """Play a drill headless through ``Drills`` (no store): scripted actions at their minutes
    (and ``policy`` every simulated minute, if given), then end it as the desk's End does.

    An action the drill refuses (unknown thread, too long...) raises ActionsFileError naming
    its line. Without ``end_at`` the drill is played to the scenario's end; in assessment mode
    an earlier ``end_at`` ends early, and the rest is played with nobody answering.
    """
    drills = Drills(None, lambda: Catalogue({scenario.id: scenario}), Grader(judge_factory))
    drill = drills.start(scenario, seed, "headless", "", mode)
    stop = scenario.duration_minutes if end_at is None else min(end_at,
                                                                scenario.duration_minutes)
    problems: list[str] = []
    pending = [a for a in actions if a.minute <= stop]
    ignored = [a for a in actions if a.minute > stop]
    minute = 0.0
    while True:
        next_action = pending[0].minute if pending else math.inf
        step = min(math.floor(minute) + 1.0, next_action, stop) if policy else \
            min(next_action, stop)
        drills.advance_to(drill, step)
        minute = step
        while pending and pending[0].minute <= minute:
            scripted = pending.pop(0)
            try:
                drills.act(drill, scripted.action)
            except ActionError as exc:
                problems.append(f"{name}: line {scripted.line}: {exc}")
        if policy is not None and minute < stop:
            policy(drills, drill)
        if minute >= stop and not pending:
            break
    if problems:
        raise ActionsFileError(problems)
    ended_at = drill.session.now
    card = drills.end(drill, play_out=True)
    result = PlayResult(list(drill.session.transcript), card, ended_at, drill.played_out)
    if ignored:
        result.problems.append(f"{len(ignored)} action(s) after minute {stop:g} were not "
                               "played")
    return result


def scorecard_summary(result: PlayResult, scenario: Scenario) -> dict[str, Any]:
    """The scorecard.json the CLI writes: the headline facts first, the full card after."""
    card = result.scorecard
    data = card.to_dict()
    return {
        "scenario": scenario.id, "seed": card.seed, "mode": data.get("mode", ""),
        "overall": card.overall,
        "dimensions": {d.name: d.score for d in card.dimensions},
        "failed": [d.name for d in card.dimensions if d.error],
        "minutes_played": data.get("minutes_played"),
        "drill_minutes": data.get("drill_minutes", scenario.duration_minutes),
        "complete": data.get("complete"),
        "coverage": data.get("coverage"),
        "ended_at_minute": result.ended_at_minute,
        "played_out": result.played_out,
        "world": data.get("world", ""),
        "scorer_version": card.scorer_version,
        "card": data,
    }
