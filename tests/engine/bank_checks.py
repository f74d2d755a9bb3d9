"""Writers and template walks the two bank test modules share (tests/test_text_bank*.py)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from engine.bank import Bank
from engine.domains import DrillProfile
from engine.people import PeopleFactory
from engine.templates import all_wordings, compile_template
from engine.text import MentionWriter

DrillSpec = tuple[str, str, str, tuple[str, ...]]


def writer_for(bank: Bank, seed: int, domain: str = "general", region: str = "",
               handle: str = "BrandCares", name: str = "Brand",
               products: tuple[str, ...] = ("the app",), story_start: float | None = None,
               story_intents: frozenset[str] = frozenset()) -> MentionWriter:
    """A writer for a drill of ``domain`` in ``region`` (default: the bank's default)."""
    region = region or bank.default_region
    rng = random.Random(seed)
    people = PeopleFactory(bank.language, rng, bank.bios, bank.cities, bank.regions.get(region))
    profile = DrillProfile(domain, region, story_start, story_intents, ())
    return MentionWriter(bank, rng, people, handle, name, products, (), (), profile=profile,
                         start_clock="09:00")


def generic_templates(bank: Bank) -> Iterator[tuple[str, str]]:
    """(where, template) of every template used in drills of any domain."""
    for where, template in bank.templates():
        if not where.startswith("domains."):
            yield where, template


def domain_templates(bank: Bank, name: str) -> Iterator[tuple[str, str]]:
    prefix = f"domains.{name}."
    for where, template in bank.templates():
        if where.startswith(prefix):
            yield where, template


def marker_pattern(bank: Bank, name: str) -> re.Pattern[str] | None:
    markers = bank.domains[name].markers
    if not markers:
        return None
    if bank.language == "ko":
        return re.compile("|".join(re.escape(m) for m in markers), re.IGNORECASE)
    return re.compile("|".join(rf"\b{re.escape(m)}\b" for m in markers), re.IGNORECASE)


def wordings(template: str, limit: int = 64) -> list[str]:
    return list(all_wordings(compile_template(template), limit))


def usable_by(bank: Bank, domain: str) -> set[str]:
    return {domain} | {n for n, d in bank.domains.items() if domain in d.members}
