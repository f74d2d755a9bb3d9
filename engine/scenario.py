"""The scenario schema: a drill described declaratively in YAML and validated by pydantic.

`load_scenario(path)` returns a frozen `Scenario` or raises `ScenarioError` whose lines each
name the file, the line and the field
(``outage.yaml: line 31: phases[2].rate_per_minute: must be >= 0``). Files are read by the
safe loader (`engine.loading`: size, depth, aliases, duplicate keys); the parts and the limits
every number, text and list is held to live in `engine.scenario_parts` (re-exported here).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from engine.loading import Document, LoadError, load_yaml_file, message, where
from engine.scenario_parts import (
    BIO_CHARS,
    BRIEFING_CHARS,
    DISPLAY_NAME_CHARS,
    FACT_CHARS,
    MAX_FOLLOWERS,
    MAX_INCIDENT_ENTRIES,
    MAX_INJECTS,
    MAX_MACROS,
    MAX_MENTIONS,
    MAX_MINUTES,
    MAX_PHASES,
    MAX_PRODUCTS,
    MAX_RATE_PER_MINUTE,
    MAX_WEIGHT,
    MAX_WORD_LIST,
    NAME_CHARS,
    TITLE_CHARS,
    WORD_CHARS,
    Brand,
    Duration,
    FieldProblem,
    IncidentFacts,
    Inject,
    InjectAuthor,
    Macro,
    Phase,
    Ramp,
    ScoringWeights,
    SlaMinutes,
    _Frozen,
    known_slots,
)

__all__ = [
    "BIO_CHARS", "BRIEFING_CHARS", "BUILTIN_DIR", "DISPLAY_NAME_CHARS", "FACT_CHARS",
    "MAX_FOLLOWERS", "MAX_INCIDENT_ENTRIES", "MAX_INJECTS", "MAX_MACROS", "MAX_MENTIONS",
    "MAX_MINUTES", "MAX_PHASES", "MAX_PRODUCTS", "MAX_RATE_PER_MINUTE", "MAX_WEIGHT",
    "MAX_WORD_LIST", "NAME_CHARS", "TITLE_CHARS", "WORD_CHARS", "Brand", "FieldProblem",
    "IncidentFacts", "Inject", "InjectAuthor", "Macro", "Phase", "Ramp", "Scenario",
    "ScenarioError", "ScoringWeights", "SlaMinutes", "builtin_paths", "builtin_scenario",
    "builtin_scenarios", "known_slots", "load_scenario", "parse_scenario", "resolve_scenario",
]

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "scenarios"


class Scenario(_Frozen):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1, max_length=TITLE_CHARS)
    briefing: str = Field(min_length=1, max_length=BRIEFING_CHARS)
    language: Literal["en", "ko"]
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    start_clock: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    brand: Brand
    duration_minutes: Duration
    sla_minutes: SlaMinutes = SlaMinutes()
    phases: tuple[Phase, ...] = Field(min_length=1, max_length=MAX_PHASES)
    injects: tuple[Inject, ...] = Field(default=(), max_length=MAX_INJECTS)
    incident: tuple[IncidentFacts, ...] = Field(default=(), max_length=MAX_INCIDENT_ENTRIES)
    scoring_weights: ScoringWeights = ScoringWeights()
    #: Whether this drill is an incident play (status updates expected and scored for cadence).
    status_updates_expected: bool = False
    status_cadence_minutes: Duration = 30

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        duration = self.duration_minutes
        for i, phase in enumerate(self.phases):
            if phase.end_minute > duration:
                raise FieldProblem(("phases", i, "end_minute"),
                                   f"must be <= duration_minutes ({duration:g}), "
                                   f"got {phase.end_minute:g}")
        order = sorted(range(len(self.phases)), key=lambda i: self.phases[i].start_minute)
        for before, after in itertools.pairwise(order):
            a, b = self.phases[before], self.phases[after]
            if b.start_minute < a.end_minute:
                raise FieldProblem(("phases", after, "start_minute"),
                                   f"{b.name!r} starts at minute {b.start_minute:g}, inside "
                                   f"phases[{before}] {a.name!r} (minutes {a.start_minute:g}-"
                                   f"{a.end_minute:g}); phases must not overlap")
        most = sum(p.peak_rate * (p.end_minute - p.start_minute) for p in self.phases)
        if most > MAX_MENTIONS:
            raise FieldProblem(("phases",), f"the phases could bring up to {most:,.0f} mentions "
                                            f"(peak rate x length); the limit is "
                                            f"{MAX_MENTIONS:,} per drill")
        for i, inject in enumerate(self.injects):
            if inject.at_minute > duration:
                raise FieldProblem(("injects", i, "at_minute"),
                                   f"must be <= duration_minutes ({duration:g}), "
                                   f"got {inject.at_minute:g}")
        for i, facts in enumerate(self.incident):
            if facts.from_minute > duration:
                raise FieldProblem(("incident", i, "from_minute"),
                                   f"must be <= duration_minutes ({duration:g}), "
                                   f"got {facts.from_minute:g}")
        starts = [f.from_minute for f in self.incident]
        if starts != sorted(starts):
            raise FieldProblem(("incident",), "entries must be in order of from_minute")
        return self

    @property
    def content_hash(self) -> str:
        """A short hash of the validated content: drills pin the exact scenario they played.

        A phase's ``ramp`` is left out when it is the default its rates imply (and
        ``ramp_minutes`` when unset), so files written before ramps existed keep their hash.
        """
        data = self.model_dump(mode="json")
        for phase in data["phases"]:
            if phase.get("ramp_minutes") is None:
                phase.pop("ramp_minutes", None)
            implied = "step" if phase.get("rate_end_per_minute") is None else "linear"
            if phase.get("ramp") == implied:
                phase.pop("ramp", None)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def facts_at(self, minute: float) -> IncidentFacts | None:
        """The incident facts in force at ``minute`` (None before the first entry)."""
        current = None
        for facts in self.incident:
            if facts.from_minute <= minute:
                current = facts
        return current

    def phase_at(self, minute: float) -> Phase | None:
        for phase in self.phases:
            if phase.start_minute <= minute < phase.end_minute:
                return phase
        return None

    def clock_label(self, minute: float) -> str:
        """The wall-clock label of a simulated minute (``start_clock`` + minute), e.g. 09:42."""
        hours, mins = (int(x) for x in self.start_clock.split(":"))
        total = hours * 60 + mins + int(minute)
        return f"{(total // 60) % 24:02d}:{total % 60:02d}"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


#: Human wording for the schema's regex patterns (pydantic would print the regex itself).
_PATTERN_WORDING = {
    r"^[A-Za-z0-9_]{1,30}$": "must be 1-30 letters, digits or underscores, without the @",
    r"^[a-z0-9][a-z0-9_-]*$": "must be lowercase letters, digits, '-' or '_', "
                              "starting with a letter or digit",
    r"^([01]\d|2[0-3]):[0-5]\d$": "must be a 24-hour clock time such as \"09:00\"",
    r"^https?://\S+$": "must be an http:// or https:// link without spaces",
}
#: Problems listed per file; a file that is wrong everywhere gets a count for the rest.
MAX_PROBLEMS = 50


def parse_scenario(data: Any, name: str = "<scenario>",
                   document: Document | None = None) -> Scenario:
    """Validate already-parsed data; errors name ``name``, the line (when ``document`` has
    it) and the field."""
    if not isinstance(data, dict):
        what = "is empty" if data is None else "must be a mapping of fields"
        raise ScenarioError([f"{name}: {what}"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = [(tuple(p for p in e["loc"] if p != "function-after"), e) for e in exc.errors()]
        problems = []
        for loc, error in errors:
            # An invalid only item also fails the list's min_length: that line repeats the
            # real problem, which another error already names one level deeper.
            if error["type"] == "too_short" and any(
                    other[: len(loc)] == loc and len(other) > len(loc) for other, _ in errors):
                continue
            problem = (error.get("ctx") or {}).get("error")
            if isinstance(problem, FieldProblem):  # a cross-field check names its own field
                loc = (*loc, *problem.path)
            line = document.line_of(loc) if document is not None else None
            prefix = f"{name}: line {line}" if line else name
            field = where(loc)
            text = message(error, _PATTERN_WORDING)
            problems.append(f"{prefix}: {field}: {text}" if field else f"{prefix}: {text}")
        if len(problems) > MAX_PROBLEMS:
            rest = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], f"{name}: ... and {rest:,} more problems"]
        raise ScenarioError(problems) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate one scenario file (YAML), within the loader's limits."""
    name = Path(path).name
    try:
        document = load_yaml_file(path)
    except LoadError as exc:
        raise ScenarioError(exc.problems) from None
    return parse_scenario(document.data, name, document)


def builtin_paths() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def builtin_scenarios() -> dict[str, Scenario]:
    """Every shipped scenario by id (a broken shipped file raises ScenarioError)."""
    return {s.id: s for s in (load_scenario(p) for p in builtin_paths())}


_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def builtin_scenario(scenario_id: str) -> Scenario:
    """The built-in scenario ``scenario_id``; never opens a path the id could spell (an id read
    from a transcript is data, not a file name)."""
    known = ", ".join(p.stem for p in builtin_paths())
    if not isinstance(scenario_id, str) or not _ID.fullmatch(scenario_id):
        raise ScenarioError([f"{str(scenario_id)[:80]!r}: not a built-in scenario id "
                             f"(built-in: {known})"])
    for candidate in builtin_paths():
        if candidate.stem == scenario_id:
            scenario = load_scenario(candidate)
            if scenario.id == scenario_id:
                return scenario
    for candidate in builtin_paths():  # an id that differs from its file's stem
        scenario = load_scenario(candidate)
        if scenario.id == scenario_id:
            return scenario
    raise ScenarioError([f"{scenario_id}: no such scenario (built-in: {known})"])


def resolve_scenario(id_or_path: str) -> Scenario:
    """A built-in scenario by id, or a scenario file by path (a path a person typed: the loader
    still refuses devices, directories and oversized files by name)."""
    path = Path(id_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in id_or_path:
        return load_scenario(path)
    return builtin_scenario(id_or_path)
