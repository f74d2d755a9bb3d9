"""The scenario schema: a drill described declaratively in YAML and validated by pydantic.

`load_scenario(path)` returns a frozen `Scenario` or raises `ScenarioError` whose lines each
name the file and the field (``outage.yaml: phases[2].rate_per_minute: must be >= 0``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.records import INTENTS, PERSONAS, PUBLIC_LIMIT

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "scenarios"

NonNegative = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0)]


class FieldProblem(ValueError):
    """A cross-field check's failure, naming the field it is about (``path`` under the model)."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Macro(_Frozen):
    """A canned reply the brand provides (the desk offers them in the composer)."""

    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Brand(_Frozen):
    name: str = Field(min_length=1)
    handle: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]{1,30}$")
    voice: Literal["friendly", "formal", "playful"]
    sign_with_initials: bool = False
    banned_phrases: tuple[str, ...] = ()
    emoji: Literal["encouraged", "sparing", "none"] = "sparing"
    misspellings: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    products: tuple[str, ...] = Field(min_length=1)
    macros: tuple[Macro, ...] = ()
    dm_link: str = "https://x.example/messages/compose"


class Phase(_Frozen):
    """A time window of the drill: arrival rate (ramping linearly if an end rate is given)."""

    name: str = Field(min_length=1)
    start_minute: NonNegative
    end_minute: NonNegative
    rate_per_minute: NonNegative
    rate_end_per_minute: NonNegative | None = None
    personas: dict[str, Share] = Field(min_length=1)
    intents: dict[str, Share] = Field(min_length=1)

    @field_validator("personas")
    @classmethod
    def _known_personas(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_mix(value, PERSONAS, "persona")

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_mix(value, INTENTS, "intent")

    @model_validator(mode="after")
    def _window(self) -> Phase:
        if self.end_minute <= self.start_minute:
            raise FieldProblem(("end_minute",), f"must be greater than start_minute "
                                                f"({self.start_minute:g})")
        return self

    def rate_at(self, minute: float) -> float:
        """Mentions per minute at ``minute`` inside this phase (linear ramp)."""
        if self.rate_end_per_minute is None:
            return self.rate_per_minute
        share = (minute - self.start_minute) / (self.end_minute - self.start_minute)
        return self.rate_per_minute + share * (self.rate_end_per_minute - self.rate_per_minute)

    @property
    def peak_rate(self) -> float:
        return max(self.rate_per_minute, self.rate_end_per_minute or 0.0)


def _check_mix(value: dict[str, float], known: tuple[str, ...], what: str) -> dict[str, float]:
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(unknown)} (known: {', '.join(known)})")
    if sum(value.values()) <= 0:
        raise ValueError(f"{what} shares must not all be zero")
    return value


class InjectAuthor(_Frozen):
    handle: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]{1,30}$")
    display_name: str = Field(min_length=1)
    followers: int = Field(ge=0)
    verified: bool = False
    bio: str = ""


class Inject(_Frozen):
    """A scripted mention at a given minute (the first outage report, a journalist, ...)."""

    at_minute: NonNegative
    persona: str
    intent: str
    text: str = Field(min_length=1, max_length=PUBLIC_LIMIT)
    author: InjectAuthor | None = None
    sentiment: float = Field(default=-0.5, ge=-1, le=1)

    @field_validator("persona")
    @classmethod
    def _persona(cls, value: str) -> str:
        if value not in PERSONAS:
            raise ValueError(f"unknown persona {value} (known: {', '.join(PERSONAS)})")
        return value

    @field_validator("intent")
    @classmethod
    def _intent(cls, value: str) -> str:
        if value not in INTENTS:
            raise ValueError(f"unknown intent {value} (known: {', '.join(INTENTS)})")
        return value


class IncidentFacts(_Frozen):
    """What the team knows from ``from_minute`` on: the desk's incident panel shows exactly
    these facts (in the drill's language), and status updates and replies are checked
    against them.

    ``down`` says what is down (not why), ``affected`` who is affected, ``cause`` the cause
    once it is known (None while it is not: the panel says "not known yet"), ``eta`` the fix
    time once announced, ``compensation`` what was approved. ``keywords`` are words a status
    update should carry (the scorer looks for one of them); each should be visible on the
    panel at that minute.
    """

    from_minute: NonNegative
    down: str = ""
    since: str = ""
    affected: str = ""
    cause: str | None = None
    status_page: str = ""
    eta: str | None = None
    compensation: str | None = None
    keywords: tuple[str, ...] = ()

    def as_facts(self) -> dict[str, str]:
        """The facts as ``IncidentUpdated.facts`` carries them ("" for what is not known)."""
        return {"down": self.down, "since": self.since, "affected": self.affected,
                "cause": self.cause or "", "status_page": self.status_page,
                "eta": self.eta or "", "compensation": self.compensation or "",
                "keywords": ", ".join(self.keywords)}


class SlaMinutes(_Frozen):
    """First-response targets in simulated minutes, per priority."""

    urgent: float = Field(default=5, gt=0)
    high: float = Field(default=15, gt=0)
    normal: float = Field(default=30, gt=0)
    low: float = Field(default=60, gt=0)

    def for_priority(self, priority: str) -> float:
        return float(getattr(self, priority))


class ScoringWeights(_Frozen):
    speed: float = Field(default=0.25, ge=0)
    empathy: float = Field(default=0.25, ge=0)
    tone: float = Field(default=0.25, ge=0)
    privacy: float = Field(default=0.25, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> ScoringWeights:
        if self.speed + self.empathy + self.tone + self.privacy <= 0:
            raise ValueError("weights must not all be zero")
        return self


class Scenario(_Frozen):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    briefing: str = Field(min_length=1)
    language: Literal["en", "ko"]
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    start_clock: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    brand: Brand
    duration_minutes: float = Field(gt=0)
    sla_minutes: SlaMinutes = SlaMinutes()
    phases: tuple[Phase, ...] = Field(min_length=1)
    injects: tuple[Inject, ...] = ()
    incident: tuple[IncidentFacts, ...] = ()
    scoring_weights: ScoringWeights = ScoringWeights()
    #: Whether this drill is an incident play (status updates expected and scored for cadence).
    status_updates_expected: bool = False
    status_cadence_minutes: float = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        for i, phase in enumerate(self.phases):
            if phase.end_minute > self.duration_minutes:
                raise FieldProblem(("phases", i, "end_minute"),
                                   f"must be <= duration_minutes ({self.duration_minutes:g}), "
                                   f"got {phase.end_minute:g}")
        for i, inject in enumerate(self.injects):
            if inject.at_minute > self.duration_minutes:
                raise FieldProblem(("injects", i, "at_minute"),
                                   f"must be <= duration_minutes ({self.duration_minutes:g}), "
                                   f"got {inject.at_minute:g}")
        starts = [f.from_minute for f in self.incident]
        if starts != sorted(starts):
            raise FieldProblem(("incident",), "entries must be in order of from_minute")
        return self

    @property
    def content_hash(self) -> str:
        """A short hash of the validated content: drills pin the exact scenario they played."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
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


def _loc(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            # pydantic marks a bad mapping key by appending "[key]" after the key itself.
            out += " (as a key)"
        else:
            out += ("." if out else "") + str(part)
    return out


#: Human wording for the schema's regex patterns (pydantic would print the regex itself).
_PATTERN_WORDING = {
    r"^[A-Za-z0-9_]{1,30}$": "must be 1-30 letters, digits or underscores, without the @",
    r"^[a-z0-9][a-z0-9_-]*$": "must be lowercase letters, digits, '-' or '_', "
                              "starting with a letter or digit",
    r"^([01]\d|2[0-3]):[0-5]\d$": "must be a 24-hour clock time such as \"09:00\"",
}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "greater_than_equal":
        return f"must be >= {_number(ctx.get('ge'))}"
    if kind == "greater_than":
        return f"must be > {_number(ctx.get('gt'))}"
    if kind == "less_than_equal":
        return f"must be <= {_number(ctx.get('le'))}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"must be {ctx.get('expected')} (got {given!r})"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return f"{_PATTERN_WORDING.get(pattern, f'must match {pattern}')} (got {given!r})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters (got {len(given)})"
    if kind == "too_short":
        count = ctx.get("min_length")
        return f"must have at least {count} item{'' if count == 1 else 's'}"
    if kind == "string_type":
        # YAML reads an unquoted 12:30 as the number 750 (base 60), so say how to fix it.
        hint = "; put it in quotes" if isinstance(given, int | float) else ""
        return f"must be text (got {given!r}{hint})"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number (got {given!r})"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number (got {given!r})"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false (got {given!r})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a mapping of fields" if kind != "dict_type" else "must be a mapping"
    if kind in ("tuple_type", "list_type"):
        return "must be a list"
    return str(error["msg"][0].lower() + error["msg"][1:])


def parse_scenario(data: Any, name: str = "<scenario>") -> Scenario:
    """Validate already-parsed data; errors name ``name`` and the field."""
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
            where = _loc(loc)
            message = _message(error)
            problems.append(f"{name}: {where}: {message}" if where else f"{name}: {message}")
        raise ScenarioError(problems) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate one scenario file (YAML)."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([f"{name}: cannot read file: {exc.strerror or exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"{name}: {where}not valid YAML: {problem}"]) from None
    return parse_scenario(data, name)


def builtin_paths() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def builtin_scenarios() -> dict[str, Scenario]:
    """Every shipped scenario by id (a broken shipped file raises ScenarioError)."""
    return {s.id: s for s in (load_scenario(p) for p in builtin_paths())}


def resolve_scenario(id_or_path: str) -> Scenario:
    """A built-in scenario by id, or a scenario file by path."""
    path = Path(id_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_scenario(path)
    for candidate in builtin_paths():
        scenario = load_scenario(candidate)
        if scenario.id == id_or_path:
            return scenario
    known = ", ".join(s.stem for s in builtin_paths())
    raise ScenarioError([f"{id_or_path}: no such scenario (built-in: {known})"])
