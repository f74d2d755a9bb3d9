"""The English mention bank: it loads, covers every intent/persona/reaction, renders every
template without a missing slot, stays within 280 characters, varies enough, and records the
personal data oversharers expose exactly as it appears in the text."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator

import pytest

from engine.people import PeopleFactory
from engine.records import INTENTS, PERSONAS, PiiKind
from engine.text import REACTIONS, SLOTS, Bank, MentionWriter, load_bank

PII_KINDS = set(PiiKind.__args__)  # type: ignore[attr-defined]
#: Overshare kinds the English bank must cover (card numbers too, but rarely).
OVERSHARE_KINDS = {"email", "phone", "order_number", "address", "booking_reference",
                   "date_of_birth", "card_number"}
#: Minimum pool sizes the brief asks for.
MIN_PER_INTENT = 25
MIN_PER_FOLLOW_UP = 20
MIN_PER_REACTION = 12
MIN_QUOTES = 20
MIN_CITIES = 30


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank("en")


def _writer(bank: Bank, seed: int, products: tuple[str, ...] | None = None) -> MentionWriter:
    rng = random.Random(seed)
    people = PeopleFactory("en", rng, bank.bios)
    writer = MentionWriter(bank, rng, people, "BrightwaveCares", "Brightwave Mobile",
                           products or ("mobile network", "4G and 5G data", "My Brightwave app"),
                           ("#BrightwaveDown",), ("Brightwave", "Brightwaev"))
    writer.facts = {"since": "08:45", "down": "Calls and data in the North"}
    return writer


@pytest.fixture(scope="module")
def writer(bank: Bank) -> MentionWriter:
    return _writer(bank, seed=20240)


def _templates(bank: Bank) -> Iterator[tuple[str, str]]:
    """(where, template) for every template in the bank."""
    for intent, by_persona in bank.mentions.items():
        for persona, templates in by_persona.items():
            for t in templates:
                yield f"mentions.{intent}.{persona}", t
    for key, templates in bank.follow_ups.items():
        for t in templates:
            yield f"follow_ups.{key}", t
    for key, templates in bank.reactions.items():
        for t in templates:
            yield f"reactions.{key}", t
    for t in bank.quotes:
        yield "quotes", t
    for key, templates in bank.overshare.items():
        for t in templates:
            yield f"overshare.{key}", t


# ------------------------------------------------------------------------------- structure
def test_en_bank_loads_and_covers_every_intent_persona_and_reaction(bank: Bank) -> None:
    assert bank.language == "en"
    assert set(bank.mentions) == set(INTENTS)
    for intent, by_persona in bank.mentions.items():
        assert "any" in by_persona, intent
        assert set(by_persona) <= set(PERSONAS) | {"any"}, intent
        total = sum(len(ts) for ts in by_persona.values())
        assert total >= MIN_PER_INTENT, f"{intent}: {total} templates"
    assert set(bank.reactions) == set(REACTIONS)
    assert all(len(ts) >= MIN_PER_REACTION for ts in bank.reactions.values())
    assert set(bank.follow_ups) == {"1", "2", "3"}
    assert all(len(ts) >= MIN_PER_FOLLOW_UP for ts in bank.follow_ups.values())
    assert len(bank.quotes) >= MIN_QUOTES
    assert len(bank.cities) >= MIN_CITIES
    assert set(bank.persona_noise) <= set(PERSONAS)
    assert set(bank.bios) <= set(PERSONAS) | {"default"}


def test_en_bank_overshare_kinds_are_personal_data_kinds_and_card_numbers_rare(bank: Bank) -> None:
    assert set(bank.overshare) == OVERSHARE_KINDS
    assert set(bank.overshare) <= PII_KINDS
    sizes = {kind: len(ts) for kind, ts in bank.overshare.items()}
    assert sizes["card_number"] == min(sizes.values())  # drawn in proportion to phrase count


def test_en_bank_templates_use_only_known_slots(bank: Bank) -> None:
    unknown = [(where, name) for where, t in _templates(bank)
               for _, name, _, _ in string.Formatter().parse(t) if name and name not in SLOTS]
    assert unknown == []


def test_en_bank_bios_format_with_city_and_name_only(bank: Bank) -> None:
    for bios in bank.bios.values():
        for bio in bios:
            bio.format(city="Leeds", name="Sam")


def test_en_bank_journalists_never_typo_or_lowercase(bank: Bank) -> None:
    rates = bank.persona_noise["journalist"]
    assert rates.typo == 0 and rates.lowercase == 0


# ------------------------------------------------------------------------------- rendering
def test_every_template_renders_within_280_chars(bank: Bank, writer: MentionWriter) -> None:
    author = writer.people.author("angry")
    for where, template in _templates(bank):
        for noise in (False, True):
            text = writer.render(template, author, "angry", noise=noise).text
            assert text and len(text) <= 280, (where, template)
            assert "{" not in text and "}" not in text, (where, text)


@pytest.mark.parametrize("intent", INTENTS)
def test_every_persona_intent_combination_renders(bank: Bank, intent: str) -> None:
    writer = _writer(bank, seed=INTENTS.index(intent))
    for persona in PERSONAS:
        for _ in range(15):
            rendered = writer.mention(intent, persona, writer.people.author(persona))
            assert rendered.text and len(rendered.text) <= 280, (intent, persona)
            assert f"@{writer.brand_handle}" in rendered.text


def test_follow_ups_reactions_and_quotes_render(bank: Bank, writer: MentionWriter) -> None:
    author = writer.people.author("angry")
    for attempt in (1, 2, 3, 7):
        assert writer.follow_up(attempt, author, "angry").text
    for reaction in REACTIONS:
        for channel in ("public", "dm"):
            assert writer.reaction(reaction, author, "angry", channel).text
    assert "@quoted_one" in " ".join(writer.quote(author, "quoted_one", "angry").text
                                     for _ in range(40))


# ------------------------------------------------------------------------------- realism
#: An outage-heavy single-brand mix (the hardest case for variety: one brand, one intent).
PERSONA_MIX = {"angry": 0.40, "confused": 0.18, "troll": 0.12, "neutral": 0.12,
               "privacy_oversharer": 0.07, "praise": 0.05, "vip": 0.03, "journalist": 0.03}
INTENT_MIX = {"outage": 0.6, "billing": 0.1, "refund": 0.1, "abuse": 0.08,
              "account_access": 0.06, "praise": 0.06}


def test_thousand_mentions_are_at_least_90_percent_distinct(bank: Bank) -> None:
    writer = _writer(bank, seed=7)
    rng = random.Random(7)
    texts = []
    for _ in range(1000):
        persona = rng.choices(list(PERSONA_MIX), weights=list(PERSONA_MIX.values()))[0]
        intent = rng.choices(list(INTENT_MIX), weights=list(INTENT_MIX.values()))[0]
        texts.append(writer.mention(intent, persona, writer.people.author(persona)).text)
    assert len(set(texts)) / len(texts) >= 0.90


@pytest.mark.parametrize("intent", ["delivery", "billing", "outage", "delay"])
def test_oversharer_exposed_values_appear_verbatim(bank: Bank, intent: str) -> None:
    writer = _writer(bank, seed=99, products=("sofas", "home delivery"))
    kinds: set[str] = set()
    for _ in range(150):
        author = writer.people.author("privacy_oversharer")
        rendered = writer.mention(intent, "privacy_oversharer", author)
        assert rendered.exposed, rendered.text
        for data in rendered.exposed:
            assert data.kind in PII_KINDS
            assert data.value in rendered.text, (data, rendered.text)
        kinds.update(d.kind for d in rendered.exposed)
    assert {"email", "phone", "address"} <= kinds
