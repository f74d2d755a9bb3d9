"""The Korean bank (engine/banks/ko.yaml): loads and validates, renders every template to a
Korean tweet, keeps each drill's domain words (항공편, 케이크, 송금) inside that drill, writes
coherent Korean addresses, types like Korean tweets (ㅠㅠ, ㅋㅋ, dropped spaces) and stays
varied."""

from __future__ import annotations

import random
import re

import pytest

from engine.bank import REACTIONS, SLOTS, Bank, load_bank
from engine.records import INTENTS, PERSONAS, PiiKind
from engine.text import MentionWriter
from tests.engine.bank_checks import (
    domain_templates,
    generic_templates,
    marker_pattern,
    usable_by,
    wordings,
    writer_for,
)

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
SLOT_OF_KIND = {"email": "email", "phone": "phone", "order_number": "order",
                "address": "address", "booking_reference": "booking",
                "date_of_birth": "dob", "card_number": "card", "account_number": "account",
                "rrn": "rrn"}
PERSONA_MIX = {"angry": 30, "confused": 15, "neutral": 25, "troll": 6, "praise": 6, "vip": 4,
               "journalist": 3, "privacy_oversharer": 11}
BAKERY_INTENTS = {"delivery": 55, "refund": 10, "billing": 5, "product_question": 8,
                  "praise": 5, "abuse": 4, "account_access": 3}
AIRLINE_INTENTS = {"delay": 60, "refund": 12, "outage": 6, "product_question": 6, "praise": 4,
                   "abuse": 6, "security": 3, "billing": 3}
PAYMENT_INTENTS = {"outage": 60, "billing": 12, "refund": 8, "security": 10, "abuse": 6,
                   "account_access": 4}
DRILLS = {"bakery": ("dalbit_bakery", "달빛제과", ("크리스마스 케이크", "슈톨렌", "매장 픽업"),
                     BAKERY_INTENTS),
          "airline": ("HangyeolAir", "한결항공", ("국내선 항공권", "제주 노선", "모바일 앱"),
                      AIRLINE_INTENTS),
          "payments": ("moapay_official", "모아페이", ("간편결제", "송금", "모아포인트"),
                       PAYMENT_INTENTS)}


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank("ko")


def _writer(bank: Bank, domain: str, seed: int) -> MentionWriter:
    handle, name, products, _ = DRILLS[domain]
    return writer_for(bank, seed, domain, "KR", handle, name, products)


def _flood(writer: MentionWriter, intents: dict[str, int], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        persona = rng.choices(list(PERSONA_MIX), list(PERSONA_MIX.values()))[0]
        intent = rng.choices(list(intents), list(intents.values()))[0]
        texts.append(writer.mention(intent, persona, writer.people.author(persona),
                                    minute=60).text)
    return texts


def test_ko_bank_loads_with_every_section_filled(bank: Bank) -> None:
    assert bank.language == "ko"
    assert set(bank.mentions) == set(INTENTS)
    for intent, by_persona in bank.mentions.items():
        assert len(by_persona.get("any", ())) >= 5, intent
        assert set(by_persona) <= {*PERSONAS, "any"}, intent
    assert set(bank.follow_ups) == {"1", "2", "3"}
    assert set(bank.reactions) == set(REACTIONS)
    assert len(bank.quotes) >= 20 and all("{quoted}" in t for t in bank.quotes)
    assert {"angry", "happy", "sad", "confused"} <= set(bank.emoji)
    assert {"answer_device", "ask_again", "chase_promise", "give_order_dm"} <= set(bank.answers)


def test_ko_templates_use_only_known_slots(bank: Bank) -> None:
    used = {n for _, t in bank.templates() for w in wordings(t)
            for n in re.findall(r"\{(\w+)\}", w)}
    assert used <= SLOTS
    for bios in bank.bios.values():
        for bio in bios:
            assert set(re.findall(r"\{(\w+)\}", bio)) <= {"city", "name"}, bio


def test_ko_generic_templates_carry_no_domain_words(bank: Bank) -> None:
    """2.4-4.2% of Korean mentions came from another drill's domain before issue 13 (a flight
    number in the bakery drill): a generic template must not name any domain's words."""
    patterns = {n: marker_pattern(bank, n) for n in bank.domains}
    offenders = [(where, name, w) for where, t in generic_templates(bank) for w in wordings(t)
                 for name, p in patterns.items() if p is not None and p.search(w)]
    assert offenders == [], offenders[:5]


@pytest.mark.parametrize("domain", sorted(load_bank("ko").domains))
def test_ko_domain_templates_carry_only_their_own_words(bank: Bank, domain: str) -> None:
    allowed = usable_by(bank, domain)
    patterns = {n: marker_pattern(bank, n) for n in bank.domains if n not in allowed}
    offenders = [(where, other, w) for where, t in domain_templates(bank, domain)
                 for w in wordings(t, 16) for other, p in patterns.items()
                 if p is not None and p.search(w)]
    assert offenders == [], offenders[:5]


def test_ko_overshare_phrases_expose_their_own_kind(bank: Bank) -> None:
    known_kinds = set(PiiKind.__args__)  # type: ignore[attr-defined]
    for kind, phrases in bank.overshare.items():
        assert kind in known_kinds
        for phrase in phrases:
            assert "{" + SLOT_OF_KIND[kind] + "}" in phrase, phrase


def test_ko_noise_keeps_values_intact_and_journalists_clean(bank: Bank) -> None:
    assert bank.persona_noise["journalist"].typo == 0
    assert all(" " not in word for word in bank.typos)
    assert bank.hands["journalist"].tail == 0 and bank.hands["journalist"].spacing_slip == 0


@pytest.mark.parametrize("domain", sorted(DRILLS))
def test_ko_every_template_renders_to_a_korean_tweet(bank: Bank, domain: str) -> None:
    writer = _writer(bank, domain, 1)
    author = writer.people.author("angry")
    for where, template in bank.templates():
        if where.startswith(("openers", "closers", "extras")) or ".extras." in where:
            continue  # pieces of a post, not posts (an emoji closer has no Hangul)
        for noise in (False, True):
            text = writer.render(template, author, "angry", noise=noise).text
            assert HANGUL.search(text), (where, template, text)
            assert "{" not in text and "}" not in text and len(text) <= 280, text


@pytest.mark.parametrize("domain", sorted(DRILLS))
def test_ko_every_persona_intent_pair_renders(bank: Bank, domain: str) -> None:
    writer = _writer(bank, domain, 3)
    handle = DRILLS[domain][0]
    for persona in PERSONAS:
        for intent in INTENTS:
            for _ in range(3):
                text = writer.mention(intent, persona, writer.people.author(persona)).text
                assert 0 < len(text) <= 280 and HANGUL.search(text), (persona, intent, text)
                assert f"@{handle}" in text
                assert "hello?" not in text  # every intent has Korean templates


@pytest.mark.parametrize("domain", sorted(DRILLS))
def test_ko_flood_of_1000_is_at_least_90_percent_distinct(bank: Bank, domain: str) -> None:
    texts = _flood(_writer(bank, domain, 11), DRILLS[domain][3], 1000, 5)
    assert len(set(texts)) / len(texts) >= 0.9


@pytest.mark.parametrize("domain", sorted(DRILLS))
def test_ko_flood_stays_in_its_domain(bank: Bank, domain: str) -> None:
    allowed = usable_by(bank, domain)
    patterns = {n: marker_pattern(bank, n) for n in bank.domains if n not in allowed}
    writer = _writer(bank, domain, 21)
    brand = DRILLS[domain][1]
    for text in _flood(writer, DRILLS[domain][3], 600, 9):
        own = text.replace(brand, "")
        hits = [n for n, p in patterns.items() if p is not None and p.search(own)]
        assert hits == [], (domain, hits, text)


def test_ko_addresses_keep_their_city_within_its_province(bank: Bank) -> None:
    """Faker's ko_KR mixes provinces and cities ("전북특별자치도 부천시"): ours keep a road in its
    own city, and the city in its province."""
    writer = _writer(bank, "bakery", 8)
    areas = bank.regions["KR"].areas
    for _ in range(200):
        author = writer.people.author("privacy_oversharer")
        address = writer.people.address(author=author)
        area = next(a for a in areas if address.startswith((a.full + " ", a.city + " ")))
        road = address.removeprefix(area.full).removeprefix(area.city).split()[0]
        assert road in area.roads, address


def test_ko_hands_type_like_korean_tweets(bank: Bank) -> None:
    texts = _flood(_writer(bank, "bakery", 13), BAKERY_INTENTS, 800, 2)
    tails = sum(1 for t in texts if re.search(r"[ㅠㅜㅋ]{1,}", t)) / len(texts)
    assert 0.08 <= tails <= 0.6, tails


def test_ko_oversharer_exposes_values_that_appear_in_the_text(bank: Bank) -> None:
    writer = _writer(bank, "payments", 4)
    kinds_seen = set()
    for i in range(300):
        intent = INTENTS[i % len(INTENTS)]
        rendered = writer.mention(intent, "privacy_oversharer",
                                  writer.people.author("privacy_oversharer"))
        assert rendered.exposed, rendered.text
        for data in rendered.exposed:
            assert data.value in rendered.text, (data, rendered.text)
            kinds_seen.add(data.kind)
    assert set(bank.overshare) <= kinds_seen


def test_ko_public_data_reactions_record_exposure(bank: Bank) -> None:
    writer = _writer(bank, "bakery", 6)
    for reaction in ("provided_details", "complied_in_public"):
        for template in bank.reactions[reaction]:
            rendered = writer.render(template, writer.people.author("neutral"), "neutral")
            assert rendered.exposed, template
            assert all(d.value in rendered.text for d in rendered.exposed), rendered.text
