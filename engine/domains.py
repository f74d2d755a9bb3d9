"""Which world a drill lives in: its domain (telecom, airline, bakery...), its region (GB, US,
KR) and its story clock (when the incident began, which intents it bounds).

The domain decides which domain-tagged templates a drill may use (an airline flight number
never reaches the bakery drill) and which prices customers quote; the region decides places,
addresses, phones and currency; the story clock keeps durations inside the drill's own time
("11 days" never appears in a one-night delay).

Where a profile comes from, first match wins: fields on the scenario (``brand.domain``,
``brand.region``; asked of the scenario schema's owner, read here when present), the profiles
of the shipped drills (``engine/banks/drills.yaml``), detection from the brand's products and
name against each domain's ``detect`` words, else the generic domain and the bank's default
region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml
from pydantic import BaseModel, ConfigDict

from engine.bank import BANK_DIR, Bank, load_bank
from engine.scenario import Scenario

GENERAL = "general"
#: Intents an incident usually is about, when a drill names none (custom drills).
STORY_INTENTS = frozenset({"outage", "delay", "delivery"})
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")


class DrillEntry(BaseModel):
    """A shipped drill's profile (``engine/banks/drills.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    domain: str
    region: str
    #: drill minute the story began (negative: before the drill starts)
    story_start_minute: float | None = None
    #: intents whose durations the story bounds (default: the incident intents)
    story_intents: tuple[str, ...] | None = None
    #: how customers say when it began, when the facts give no clock time
    since: tuple[str, ...] = ()
    #: the region's places this drill's customers live in (empty: all of them)
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DrillProfile:
    domain: str
    region: str
    #: drill minute the story began (None: no incident, durations are the customer's own)
    story_start_minute: float | None
    story_intents: frozenset[str]
    since: tuple[str, ...]
    places: tuple[str, ...] = ()

    def story_age(self, minute: float, intent: str) -> float | None:
        """Minutes the story has lasted at ``minute`` for a post of ``intent`` (None: the
        post's durations are not bounded by the drill's clock)."""
        if self.story_start_minute is None or intent not in self.story_intents:
            return None
        return max(1.0, minute - self.story_start_minute)


@lru_cache(maxsize=1)
def shipped_profiles() -> dict[str, DrillEntry]:
    with (BANK_DIR / "drills.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {key: DrillEntry.model_validate(value) for key, value in data.items()}


def detect_domain(scenario: Scenario, bank: Bank) -> str:
    """The domain whose ``detect`` words the brand's name and products mention most."""
    words = " ".join((scenario.brand.name, *scenario.brand.products)).lower()
    best, hits = GENERAL, 0
    for name, domain in sorted(bank.domains.items()):
        count = sum(1 for w in domain.detect if w.lower() in words)
        if count > hits:
            best, hits = name, count
    return best


def _clock_minutes(text: str) -> int | None:
    match = _CLOCK.search(text or "")
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def _story_start(scenario: Scenario) -> float | None:
    """When the incident began (drill minute): the facts' clock time, else its first entry."""
    if not scenario.incident:
        return None
    since = _clock_minutes(scenario.incident[0].since)
    start = _clock_minutes(scenario.start_clock)
    if since is not None and start is not None:
        delta = since - start
        if delta > 12 * 60:  # a clock time before midnight for a drill after it
            delta -= 24 * 60
        return float(delta)
    return float(scenario.incident[0].from_minute)


def profile_of(scenario: Scenario, bank: Bank | None = None) -> DrillProfile:
    """The drill's domain, region and story clock (see the module docstring for the order)."""
    bank = bank or load_bank(scenario.language)
    entry = shipped_profiles().get(scenario.id)
    domain = getattr(scenario.brand, "domain", None) or (entry.domain if entry else None) \
        or detect_domain(scenario, bank)
    region = getattr(scenario.brand, "region", None) or (entry.region if entry else None) \
        or bank.default_region
    if domain != GENERAL and domain not in bank.domains:
        domain = GENERAL
    start = entry.story_start_minute if entry and entry.story_start_minute is not None \
        else _story_start(scenario)
    intents = frozenset(entry.story_intents) if entry and entry.story_intents is not None else (
        STORY_INTENTS if scenario.incident else frozenset())
    since = entry.since if entry and entry.since else tuple(
        bank.domains[domain].since if domain in bank.domains else ())
    return DrillProfile(domain, region, start, intents, since, entry.places if entry else ())


@lru_cache(maxsize=8)
def _marker_patterns(language: str) -> dict[str, re.Pattern[str]]:
    bank = load_bank(language)
    patterns: dict[str, re.Pattern[str]] = {}
    for name, domain in bank.domains.items():
        if not domain.markers:
            continue
        if language == "ko":  # words carry particles: look inside the text
            alternatives = "|".join(re.escape(m) for m in domain.markers)
        else:
            alternatives = "|".join(rf"\b{re.escape(m)}\b" for m in domain.markers)
        patterns[name] = re.compile(alternatives, re.IGNORECASE)
    return patterns


def sections_for(bank: Bank, domain: str) -> list[str]:
    """The domain sections a drill of ``domain`` uses: its own, then those listing it."""
    own = [domain] if domain in bank.domains else []
    return own + sorted(name for name, section in bank.domains.items()
                        if domain in section.members)


def wrong_domain_words(scenario: Scenario, text: str) -> list[str]:
    """Words of other domains' markers in a text of this drill (empty: the text fits).

    The drill's own brand name, handle, misspellings and products are taken out first: they
    are the drill's by definition (Kettle & Crumb's name holds "kettle")."""
    bank = load_bank(scenario.language)
    usable = set(sections_for(bank, profile_of(scenario, bank).domain))
    brand = scenario.brand
    for own in sorted((brand.name, brand.handle, *brand.misspellings, *brand.products),
                      key=len, reverse=True):
        if own:
            text = re.sub(re.escape(own), " ", text, flags=re.IGNORECASE)
    found: list[str] = []
    for name, pattern in _marker_patterns(scenario.language).items():
        if name not in usable:
            found += pattern.findall(text)
    return found
