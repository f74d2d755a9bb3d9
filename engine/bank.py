"""The text bank of one language (``engine/banks/<language>.yaml``): its schema and its loader.

A bank is data: templates per intent and persona (generic ones, and ones that belong to one
domain such as telecom or airline and are used only in drills of that domain), the pieces a
post is composed of (openers, extra clauses, closers), follow-ups, reactions, answers to the
brand's replies, quotes, oversharers' phrases, bios, places per region, typing habits per
persona and noise rates. Loading validates every template: its ``[a|b]`` choices parse and
every wording's ``{slot}``s are known slots, checked by the safe formatter
(``engine.formatter``), so a broken bank fails when it loads, never in the middle of a drill.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine import formatter, paraphrase
from engine.templates import Compiled, VariantError, all_wordings, compile_template
from engine.typography import HandRates

BANK_DIR = Path(__file__).resolve().parent / "banks"

#: Slots a template may use (the formatter's known names). Numbered twins (``days2``) draw a
#: fresh value of the same kind: a template that means two different numbers says so.
SLOTS: frozenset[str] = frozenset({
    "brand", "brand_name", "product", "product2", "city", "city2", "order", "minutes",
    "minutes2", "hours", "hours2", "days", "days2", "count", "count2", "years", "amount",
    "amount2", "since", "down", "hashtag", "emoji_angry", "emoji_happy", "emoji_sad",
    "emoji_confused", "name", "flight", "date", "quoted", "email", "phone", "address",
    "booking", "card", "dob", "link", "staff", "followers", "account", "rrn", "device",
    "question", "promised", "clock", "person", "when", "where", "reason",
})
#: Slots filled from word lists (the bank's ``words``, overridden per domain).
WORD_SLOTS: frozenset[str] = frozenset({"device", "person", "when", "where", "reason"})
#: Slots holding a number a template must not repeat under one name (two different durations
#: read as one value: "{days} days late, {days} days of calls" is what issue 13 found).
NUMBERS: frozenset[str] = frozenset({"minutes", "hours", "days", "count", "years"})
REACTIONS = ("thanked", "calmed", "escalated", "escalated_pii", "provided_details",
             "complied_in_public", "trolled_back", "faded")


class BankError(ValueError):
    """A bank that cannot be used; ``problems`` names each template (where and what)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems[:20]))
        self.problems = problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoiseRates(_Model):
    """Probabilities (0-1) of each kind of noise added to a rendered text."""

    lowercase: float = Field(0.0, ge=0, le=1)  # kept for old banks: hands type now
    typo: float = Field(0.15, ge=0, le=1)
    hashtag: float = Field(0.08, ge=0, le=1)
    emoji: float = Field(0.06, ge=0, le=1)
    link: float = Field(0.12, ge=0, le=1)
    brand_in_middle: float = Field(0.1, ge=0, le=1)


class ComposeRates(_Model):
    """Chances that a post gets an opener, an extra clause, a closer (per persona)."""

    opener: float = Field(0.25, ge=0, le=1)
    extra: float = Field(0.3, ge=0, le=1)
    closer: float = Field(0.2, ge=0, le=1)
    #: share of draws from the generic "any" list for a persona that has its own list
    any_share: float = Field(0.5, ge=0, le=1)


class Area(_Model):
    """A place customers name (``city``) and where their address lies."""

    city: str
    #: the place as an address writes it (Korean: 서울특별시 마포구); default ``city``
    full: str = ""
    #: a postcode prefix (GB outward area "LS", US "WA 981"); digits follow
    postcode: str = ""
    #: roads of this area (Korean addresses keep a road within its own city)
    roads: list[str] = []


class Region(_Model):
    """Places, addresses, phones and money of one region (GB, US, KR)."""

    currency: str
    #: "prefix" ($40, £40) or "suffix" (40,000원)
    currency_position: str = "prefix"
    areas: list[Area] = Field(min_length=1)
    streets: list[str] = []
    street_kinds: list[str] = [""]
    #: address forms: {n} number, {street}, {kind}, {city}, {full}, {postcode}, {unit}
    address_forms: list[str] = Field(min_length=1)
    #: phone forms: '#' is a digit
    phones: list[str] = Field(min_length=1)


class DomainBank(_Model):
    """What belongs to one domain: words that mark it, prices, templates used only there."""

    #: other domains whose drills use this section too (parcel talk fits any shop that ships)
    members: list[str] = []
    #: words in a scenario's products or brand that say it is this domain (detection)
    detect: list[str] = []
    #: words only this domain's customers use (a text of another drill must not carry them)
    markers: list[str] = []
    #: amounts customers quote: [low, high, step] ranges, drawn uniformly from one range
    amounts: list[tuple[float, float, float]] = []
    #: share of amounts written with cents
    cents: float = Field(0.03, ge=0, le=1)
    #: how customers say when the story began, when the incident facts give no clock time
    since: list[str] = []
    #: word lists for slots that depend on the domain (device)
    words: dict[str, list[str]] = {}
    mentions: dict[str, dict[str, list[str]]] = {}
    extras: dict[str, list[str]] = {}
    quotes: list[str] = []
    hashtags: list[str] = []


class Bank(_Model):
    """The template bank of one language (validated when loaded)."""

    language: str
    #: intent -> persona (or "any") -> templates that fit any domain
    mentions: dict[str, dict[str, list[str]]]
    domains: dict[str, DomainBank] = {}
    #: persona (or "any") -> words a post may open with ("hi", "ok so")
    openers: dict[str, list[str]] = {}
    #: intent (or "any") -> clauses added after the complaint
    extras: dict[str, list[str]] = {}
    #: persona (or "any") -> how a post may end ("any ideas?", "smh")
    closers: dict[str, list[str]] = {}
    compose: dict[str, ComposeRates] = {}
    #: attempt number ("1", "2", "3") -> templates; 3 covers every later attempt too
    follow_ups: dict[str, list[str]]
    #: persona -> attempt -> templates, for people who chase in their own way (journalists)
    follow_ups_by_persona: dict[str, dict[str, list[str]]] = {}
    reactions: dict[str, list[str]]
    #: what a customer says back to what a reply actually said (engine.answers)
    answers: dict[str, list[str]] = {}
    quotes: list[str]
    #: personal-data kind -> phrases that expose it (oversharers add one as its own clause)
    overshare: dict[str, list[str]]
    bios: dict[str, list[str]]
    cities: list[str]
    regions: dict[str, Region] = {}
    default_region: str = ""
    hashtags: list[str]
    emoji: dict[str, list[str]]
    #: word slot -> values ({person}: "my mum", {when}: "this morning"); domains add theirs
    words: dict[str, list[str]] = {}
    #: word -> misspellings (typo noise)
    typos: dict[str, list[str]] = {}
    link_forms: list[str]
    noise: NoiseRates = NoiseRates()
    #: persona -> noise override (e.g. journalists do not typo)
    persona_noise: dict[str, NoiseRates] = {}
    #: persona (or "any") -> typing habits
    hands: dict[str, HandRates] = {}
    #: groups of wordings that stand in for each other in any template (engine.paraphrase)
    paraphrases: list[list[str]] = []
    #: chance that a wording of a group found in a customer's post is swapped
    paraphrase_rate: float = Field(paraphrase.RATE, ge=0, le=1)

    @model_validator(mode="after")
    def _regions(self) -> Bank:
        if self.regions and self.default_region not in self.regions:
            raise ValueError(f"default_region {self.default_region!r} is not one of "
                             f"{', '.join(self.regions)}")
        return self

    def templates(self) -> Iterator[tuple[str, str]]:
        """(where, template) for every template with slots and choices in the bank."""
        for intent, by_persona in self.mentions.items():
            for persona, items in by_persona.items():
                for t in items:
                    yield f"mentions.{intent}.{persona}", t
        for name, domain in self.domains.items():
            for intent, by_persona in domain.mentions.items():
                for persona, items in by_persona.items():
                    for t in items:
                        yield f"domains.{name}.mentions.{intent}.{persona}", t
            for intent, items in domain.extras.items():
                for t in items:
                    yield f"domains.{name}.extras.{intent}", t
            for t in domain.quotes:
                yield f"domains.{name}.quotes", t
        for section in ("openers", "extras", "closers", "follow_ups", "reactions", "answers",
                        "overshare"):
            for key, items in getattr(self, section).items():
                for t in items:
                    yield f"{section}.{key}", t
        for persona, by_attempt in self.follow_ups_by_persona.items():
            for key, items in by_attempt.items():
                for t in items:
                    yield f"follow_ups_by_persona.{persona}.{key}", t
        for t in self.quotes:
            yield "quotes", t


def template_problems(template: str) -> list[str]:
    """What is wrong with one template (empty: it renders in every wording).

    Every piece of text the template can be built from is checked by the safe formatter (a
    ``{slot}`` never spans two pieces, so checking pieces checks every wording); the rule
    against a number slot written twice is checked on the wordings themselves.
    """
    try:
        compiled = compile_template(template)
    except VariantError as exc:
        return [str(exc)]
    for piece in sorted(_pieces(compiled)):
        found = formatter.check(piece, SLOTS)
        if found:
            return [str(p) for p in found]
    for wording in all_wordings(compiled, 32):
        numbered = [n for n in _SLOT.findall(wording) if n.rstrip("2") in NUMBERS]
        repeated = sorted(n for n in set(numbered) if numbered.count(n) > 1)
        if repeated:
            return [f"{{{repeated[0]}}} appears twice: use {{{repeated[0]}2}} for a second "
                    "value"]
    return []


_SLOT = re.compile(r"\{(\w+)\}")


def _pieces(compiled: Compiled) -> set[str]:
    found: set[str] = set()
    for part in compiled:
        if isinstance(part, str):
            found.add(part)
        else:
            for option in part.options:
                found |= _pieces(option)
    return found


def validate(bank: Bank) -> list[str]:
    """Every problem of every template in the bank, each naming where it is."""
    found = [f"{bank.language}.yaml: {where}: {problem!s}: {template!r}"
             for where, template in bank.templates() for problem in template_problems(template)]
    return found + [f"{bank.language}.yaml: {problem}"
                    for problem in paraphrase.problems(bank.paraphrases)]


@lru_cache(maxsize=4)
def load_bank(language: str) -> Bank:
    """The bank of ``language``, validated (``BankError`` lists every broken template)."""
    path = BANK_DIR / f"{language}.yaml"
    with path.open(encoding="utf-8") as fh:
        bank = Bank.model_validate(yaml.safe_load(fh))
    problems = validate(bank)
    if problems:
        raise BankError(problems)
    return bank
