"""The Korean template bank (engine/banks/ko.yaml): loads, renders every template, stays varied."""

from __future__ import annotations

import random
import re
import string

import pytest

from engine.people import PeopleFactory
from engine.records import INTENTS, PERSONAS, PiiKind
from engine.text import REACTIONS, SLOTS, Bank, MentionWriter, load_bank

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
#: Personal-data kind -> the slot that exposes it (see MentionWriter._build_fillers).
SLOT_OF_KIND = {"email": "email", "phone": "phone", "order_number": "order",
                "address": "address", "booking_reference": "booking",
                "date_of_birth": "dob", "card_number": "card", "account_number": "account",
                "rrn": "rrn"}
#: Two drill-like mixes: the bakery delivery-delay wave and the airline delay crisis.
PERSONA_MIX = {"angry": 30, "confused": 15, "neutral": 25, "troll": 6, "praise": 6, "vip": 4,
               "journalist": 3, "privacy_oversharer": 11}
BAKERY_INTENTS = {"delivery": 55, "delay": 5, "refund": 10, "billing": 5, "product_question": 8,
                  "praise": 5, "abuse": 4, "outage": 5, "account_access": 3}
AIRLINE_INTENTS = {"delay": 60, "refund": 12, "outage": 6, "product_question": 6, "praise": 4,
                   "abuse": 6, "security": 3, "billing": 3}


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank("ko")


def _writer(bank: Bank, seed: int) -> tuple[MentionWriter, PeopleFactory]:
    rng = random.Random(seed)
    people = PeopleFactory("ko", rng, bank.bios)
    writer = MentionWriter(bank, rng, people, "dalbit_bakery", "달빛베이커리",
                           ("생크림 케이크", "소금빵 세트", "명절 선물세트"),
                           hashtags=("#달빛베이커리",), misspellings=("달빛 베이커리",))
    return writer, people


def _slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _all_templates(bank: Bank) -> list[tuple[str, str]]:
    """(persona to render as, template) for every template in the bank."""
    found = [(persona if persona != "any" else "neutral", t)
             for by_persona in bank.mentions.values()
             for persona, templates in by_persona.items() for t in templates]
    found += [("angry", t) for ts in bank.follow_ups.values() for t in ts]
    found += [("neutral", t) for ts in bank.reactions.values() for t in ts]
    found += [("neutral", t) for t in bank.quotes]
    found += [("privacy_oversharer", t) for ts in bank.overshare.values() for t in ts]
    return found


def test_ko_bank_loads_with_every_section_filled(bank: Bank) -> None:
    assert bank.language == "ko"
    assert set(bank.mentions) == set(INTENTS)
    for intent, by_persona in bank.mentions.items():
        assert "any" in by_persona, intent
        assert set(by_persona) <= {*PERSONAS, "any"}, intent
        assert sum(len(ts) for ts in by_persona.values()) >= 25, intent
    assert set(bank.follow_ups) == {"1", "2", "3"}
    assert all(len(ts) >= 20 for ts in bank.follow_ups.values())
    assert set(bank.reactions) == set(REACTIONS)
    assert all(len(ts) >= 12 for ts in bank.reactions.values())
    assert len(bank.quotes) >= 20 and all("{quoted}" in t for t in bank.quotes)
    assert len(bank.cities) >= 30
    assert {"angry", "happy", "sad", "confused"} <= set(bank.emoji)


def test_ko_templates_use_only_known_slots(bank: Bank) -> None:
    for _, template in _all_templates(bank):
        assert _slots(template) <= set(SLOTS), template
    for bios in bank.bios.values():
        for bio in bios:
            assert _slots(bio) <= {"city", "name"}, bio


def test_ko_overshare_phrases_expose_their_own_kind(bank: Bank) -> None:
    known_kinds = set(PiiKind.__args__)  # type: ignore[attr-defined]
    for kind, phrases in bank.overshare.items():
        assert kind in known_kinds
        for phrase in phrases:
            assert "{" + SLOT_OF_KIND[kind] + "}" in phrase, phrase


def test_ko_noise_keeps_values_intact_and_journalists_clean(bank: Bank) -> None:
    # lower() would mangle booking references and flight numbers and does nothing to Hangul
    assert bank.noise.lowercase == 0
    assert all(rates.lowercase == 0 for rates in bank.persona_noise.values())
    assert bank.persona_noise["journalist"].typo == 0
    # text.py swaps whole space-separated words, so a key with a space could never match
    assert all(" " not in word for word in bank.typos)


@pytest.mark.parametrize("seed", [1, 2])
def test_ko_every_template_renders_to_a_korean_tweet(bank: Bank, seed: int) -> None:
    writer, people = _writer(bank, seed)
    for persona, template in _all_templates(bank):
        author = people.author(persona)
        for noise in (False, True):
            text = writer.render(template, author, persona, noise=noise).text
            assert HANGUL.search(text), (template, text)
            assert "{" not in text and "}" not in text, text
        raw = writer.render(template, author, persona, noise=False).text
        assert len(raw) <= 220, raw  # room left for the handle, a hashtag, emoji and a link


def test_ko_every_persona_intent_pair_renders(bank: Bank) -> None:
    writer, people = _writer(bank, 3)
    for persona in PERSONAS:
        for intent in INTENTS:
            for _ in range(5):
                text = writer.mention(intent, persona, people.author(persona)).text
                assert 0 < len(text) <= 280 and HANGUL.search(text), (persona, intent, text)
                assert "@dalbit_bakery" in text


@pytest.mark.parametrize("intents", [BAKERY_INTENTS, AIRLINE_INTENTS], ids=["bakery", "airline"])
def test_ko_flood_of_1000_is_at_least_90_percent_distinct(bank: Bank,
                                                          intents: dict[str, int]) -> None:
    writer, people = _writer(bank, 11)
    rng = random.Random(5)
    texts = []
    for _ in range(1000):
        persona = rng.choices(list(PERSONA_MIX), list(PERSONA_MIX.values()))[0]
        intent = rng.choices(list(intents), list(intents.values()))[0]
        texts.append(writer.mention(intent, persona, people.author(persona)).text)
    assert len(set(texts)) / len(texts) >= 0.9


def test_ko_oversharer_exposes_values_that_appear_in_the_text(bank: Bank) -> None:
    writer, people = _writer(bank, 4)
    kinds_seen = set()
    for i in range(300):
        intent = INTENTS[i % len(INTENTS)]
        rendered = writer.mention(intent, "privacy_oversharer", people.author("privacy_oversharer"))
        assert rendered.exposed, rendered.text
        for data in rendered.exposed:
            assert data.value in rendered.text, (data, rendered.text)
            kinds_seen.add(data.kind)
    assert set(bank.overshare) <= kinds_seen


def test_ko_public_data_reactions_record_exposure(bank: Bank) -> None:
    writer, people = _writer(bank, 6)
    for reaction in ("provided_details", "complied_in_public"):
        for template in bank.reactions[reaction]:
            rendered = writer.render(template, people.author("neutral"), "neutral")
            assert rendered.exposed, template
            assert all(d.value in rendered.text for d in rendered.exposed), rendered.text
