"""The parts of a scenario (brand, phases, injects, incident facts, targets) and the limits
every number, text and list of a scenario file is held to (docs/scenarios.md says why).

``engine.scenario`` assembles them into ``Scenario`` and re-exports every name here.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from engine.formatter import check as check_template
from engine.records import INTENTS, PERSONAS, PUBLIC_LIMIT

# --- limits (why each number: docs/scenarios.md) ----------------------------------------------
#: Seven days of simulated time: the store bounds a drill's clock and action minutes to this.
MAX_MINUTES = 7 * 24 * 60
#: Mentions per minute per phase (the busiest shipped phase has 10; a viral storm on a big
#: brand is a few hundred a minute).
MAX_RATE_PER_MINUTE = 2_000
#: Mentions a drill's phases can bring at most (sum of peak rate x length): the engine plays
#: 100k mentions in ~5 s and ~170 MB (docs/engine.md), the most a desk should ever hold.
MAX_MENTIONS = 100_000
MAX_PHASES, MAX_INJECTS, MAX_INCIDENT_ENTRIES = 50, 500, 100
MAX_MACROS, MAX_PRODUCTS, MAX_WORD_LIST = 30, 50, 100
TITLE_CHARS, NAME_CHARS, BRIEFING_CHARS, FACT_CHARS, WORD_CHARS = 120, 80, 5_000, 500, 200
#: X's own limits for a display name and a bio.
DISPLAY_NAME_CHARS, BIO_CHARS = 50, 160
MAX_FOLLOWERS = 1_000_000_000
#: Weights and mix shares are relative; this only keeps them readable.
MAX_WEIGHT = 1_000


def _no_bool(value: Any) -> Any:
    # pydantic reads true as 1.0; in a scenario that is a typo, never a number
    if isinstance(value, bool):
        raise ValueError(f"must be a number (got {str(value).lower()})")
    return value


Number = Annotated[float, BeforeValidator(_no_bool)]
Minute = Annotated[Number, Field(ge=0, le=MAX_MINUTES)]
Duration = Annotated[Number, Field(gt=0, le=MAX_MINUTES)]
Rate = Annotated[Number, Field(ge=0, le=MAX_RATE_PER_MINUTE)]
Share = Annotated[Number, Field(ge=0, le=MAX_WEIGHT)]
Word = Annotated[str, Field(min_length=1, max_length=WORD_CHARS)]
Fact = Annotated[str, Field(max_length=FACT_CHARS)]
Ramp = Literal["step", "linear", "exponential"]


class FieldProblem(ValueError):
    """A cross-field check's failure, naming the field it is about (``path`` under the model)."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


@cache
def known_slots() -> frozenset[str]:
    """The slot names an inject's text may use: the engine's writer fills exactly these."""
    from engine.text import SLOTS  # the writer's table; imported late (it pulls in Faker)

    return frozenset(SLOTS)


class Macro(_Frozen):
    """A canned reply the brand provides (the desk offers them in the composer, verbatim)."""

    title: str = Field(min_length=1, max_length=NAME_CHARS)
    text: str = Field(min_length=1, max_length=PUBLIC_LIMIT)


class Brand(_Frozen):
    name: str = Field(min_length=1, max_length=NAME_CHARS)
    handle: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]{1,30}$")
    voice: Literal["friendly", "formal", "playful"]
    sign_with_initials: bool = False
    banned_phrases: tuple[Word, ...] = Field(default=(), max_length=MAX_WORD_LIST)
    emoji: Literal["encouraged", "sparing", "none"] = "sparing"
    misspellings: tuple[Word, ...] = Field(default=(), max_length=MAX_WORD_LIST)
    hashtags: tuple[Word, ...] = Field(default=(), max_length=MAX_WORD_LIST)
    products: tuple[Word, ...] = Field(min_length=1, max_length=MAX_PRODUCTS)
    macros: tuple[Macro, ...] = Field(default=(), max_length=MAX_MACROS)
    dm_link: str = Field(default="https://x.example/messages/compose", max_length=FACT_CHARS,
                         pattern=r"^https?://\S+$")

    @model_validator(mode="after")
    def _unique_macro_titles(self) -> Brand:
        seen: dict[str, int] = {}
        for i, macro in enumerate(self.macros):
            if macro.title in seen:
                first = seen[macro.title]
                raise FieldProblem(("macros", i, "title"),
                                   f"{macro.title!r} is also the title of macros[{first}]; "
                                   "the composer picks macros by title")
            seen[macro.title] = i
        return self


class Phase(_Frozen):
    """A time window of the drill and its arrival rate: constant (``step``), or ramping from
    ``rate_per_minute`` to ``rate_end_per_minute`` in a straight line (``linear``) or as an
    exponential rise or decay with time constant ``ramp_minutes`` (``exponential``)."""

    name: str = Field(min_length=1, max_length=NAME_CHARS)
    start_minute: Minute
    end_minute: Minute
    rate_per_minute: Rate
    rate_end_per_minute: Rate | None = None
    ramp: Ramp
    ramp_minutes: Annotated[Number, Field(gt=0, le=MAX_MINUTES)] | None = None
    personas: dict[str, Share] = Field(min_length=1)
    intents: dict[str, Share] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _default_ramp(cls, data: Any) -> Any:
        # Files written before ramps existed: an end rate meant a straight line.
        if isinstance(data, dict) and "ramp" not in data:
            end = data.get("rate_end_per_minute")
            return {**data, "ramp": "step" if end is None else "linear"}
        return data

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
        if self.ramp == "step" and self.rate_end_per_minute is not None:
            raise FieldProblem(("rate_end_per_minute",), "a step phase keeps one rate: remove "
                                                         "it or use ramp: linear / exponential")
        if self.ramp != "step" and self.rate_end_per_minute is None:
            raise FieldProblem(("rate_end_per_minute",), f"is required for ramp: {self.ramp}")
        if self.ramp == "exponential" and self.ramp_minutes is None:
            raise FieldProblem(("ramp_minutes",), "is required for ramp: exponential (the "
                                                  "time constant in simulated minutes)")
        if self.ramp != "exponential" and self.ramp_minutes is not None:
            raise FieldProblem(("ramp_minutes",), "is only used with ramp: exponential")
        return self

    def rate_at(self, minute: float) -> float:
        """Mentions per minute at ``minute`` inside this phase, following its ramp."""
        end = self.rate_end_per_minute
        if end is None or self.ramp == "step":
            return self.rate_per_minute
        start = self.rate_per_minute
        if self.ramp == "exponential":
            tau = self.ramp_minutes or 1.0
            return end + (start - end) * math.exp(-(minute - self.start_minute) / tau)
        share = (minute - self.start_minute) / (self.end_minute - self.start_minute)
        return start + share * (end - start)

    @property
    def peak_rate(self) -> float:
        """The highest rate inside the phase (a bound for thinning: every ramp is monotone
        between its start and end rates)."""
        return max(self.rate_per_minute, self.rate_end_per_minute or 0.0)


def _check_mix(value: dict[str, float], known: tuple[str, ...], what: str) -> dict[str, float]:
    unknown = sorted(set(value) - set(known), key=str)
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(map(str, unknown))} "
                         f"(known: {', '.join(known)})")
    if sum(value.values()) <= 0:
        raise ValueError(f"{what} shares must not all be zero")
    return value


class InjectAuthor(_Frozen):
    handle: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]{1,30}$")
    display_name: str = Field(min_length=1, max_length=DISPLAY_NAME_CHARS)
    followers: int = Field(ge=0, le=MAX_FOLLOWERS)
    verified: bool = False
    bio: str = Field(default="", max_length=BIO_CHARS)


class Inject(_Frozen):
    """A scripted mention at a given minute (the first outage report, a journalist, ...).

    ``text`` is a template: ``{slot}`` names from the engine's writer (``known_slots()``) are
    filled when it is posted; anything else in braces is refused here, never at run time.
    """

    at_minute: Minute
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

    @field_validator("text")
    @classmethod
    def _slots(cls, value: str) -> str:
        problems = check_template(value, known_slots())
        if problems:
            raise ValueError("; ".join(str(p) for p in problems))
        return value


class IncidentFacts(_Frozen):
    """What the team knows from ``from_minute`` on: the desk's incident panel shows exactly
    these facts (in the drill's language, verbatim), and status updates and replies are
    checked against them.

    ``down`` says what is down (not why), ``affected`` who is affected, ``cause`` the cause
    once it is known (None while it is not: the panel says "not known yet"), ``eta`` the fix
    time once announced, ``compensation`` what was approved. ``keywords`` are words a status
    update should carry (the scorer looks for one of them); each should be visible on the
    panel at that minute.
    """

    from_minute: Minute
    down: Fact = ""
    since: Fact = ""
    affected: Fact = ""
    cause: Fact | None = None
    status_page: Fact = ""
    eta: Fact | None = None
    compensation: Fact | None = None
    keywords: tuple[Word, ...] = Field(default=(), max_length=MAX_WORD_LIST)

    def as_facts(self) -> dict[str, str]:
        """The facts as ``IncidentUpdated.facts`` carries them ("" for what is not known)."""
        return {"down": self.down, "since": self.since, "affected": self.affected,
                "cause": self.cause or "", "status_page": self.status_page,
                "eta": self.eta or "", "compensation": self.compensation or "",
                "keywords": ", ".join(self.keywords)}


class SlaMinutes(_Frozen):
    """First-response targets in simulated minutes, per priority."""

    urgent: Duration = 5
    high: Duration = 15
    normal: Duration = 30
    low: Duration = 60

    def for_priority(self, priority: str) -> float:
        return float(getattr(self, priority))


class ScoringWeights(_Frozen):
    speed: Share = 0.25
    empathy: Share = 0.25
    tone: Share = 0.25
    privacy: Share = 0.25

    @model_validator(mode="after")
    def _not_all_zero(self) -> ScoringWeights:
        if self.speed + self.empathy + self.tone + self.privacy <= 0:
            raise ValueError("weights must not all be zero")
        return self
