"""The English bank: it loads and validates, covers every intent, persona and reaction, keeps
domain words out of the generic lists and out of other domains, renders every template within
280 characters, and a flood written from it is varied, typed at real rates, with coherent
slots (prices, places, durations) and personal data recorded exactly as posted."""

from __future__ import annotations

import random
import re
import statistics

import pytest

from engine.bank import REACTIONS, SLOTS, Bank, BankError, load_bank, template_problems
from engine.domains import shipped_profiles
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

PII_KINDS = set(PiiKind.__args__)  # type: ignore[attr-defined]
OVERSHARE_KINDS = {"email", "phone", "order_number", "address", "booking_reference",
                   "date_of_birth", "card_number"}
PERSONA_MIX = {"angry": 0.40, "confused": 0.18, "troll": 0.12, "neutral": 0.12,
               "privacy_oversharer": 0.07, "praise": 0.05, "vip": 0.03, "journalist": 0.03}
OUTAGE_MIX = {"outage": 0.6, "billing": 0.1, "refund": 0.1, "abuse": 0.08,
              "account_access": 0.06, "praise": 0.06}


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank("en")


@pytest.fixture(scope="module")
def telecom(bank: Bank) -> MentionWriter:
    """The outage drill's writer: telecom, British, an incident that began at minute 0."""
    return writer_for(bank, 20240, "telecom", "GB", "BrightwaveCares", "Brightwave Mobile",
                      ("mobile network", "4G and 5G data", "My Brightwave app"), 0.0,
                      frozenset({"outage"}))


def _flood(writer: MentionWriter, n: int, seed: int, minute: float = 100.0) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        persona = rng.choices(list(PERSONA_MIX), weights=list(PERSONA_MIX.values()))[0]
        intent = rng.choices(list(OUTAGE_MIX), weights=list(OUTAGE_MIX.values()))[0]
        author = writer.people.author(persona)
        texts.append(writer.mention(intent, persona, author, minute=minute).text)
    return texts


# ------------------------------------------------------------------------------- structure
def test_en_bank_covers_every_intent_persona_and_reaction(bank: Bank) -> None:
    assert bank.language == "en"
    assert set(bank.mentions) == set(INTENTS)
    for intent, by_persona in bank.mentions.items():
        assert len(by_persona.get("any", ())) >= 6, intent  # custom drills have no domain
        assert set(by_persona) <= set(PERSONAS) | {"any"}, intent
    assert set(bank.reactions) == set(REACTIONS)
    assert all(len(ts) >= 12 for ts in bank.reactions.values())
    assert set(bank.follow_ups) == {"1", "2", "3"}
    assert all(len(ts) >= 20 for ts in bank.follow_ups.values())
    assert len(bank.quotes) >= 20 and set(bank.hands) <= set(PERSONAS) | {"any"}
    total = sum(1 for _ in bank.templates())
    assert total >= 2000, total


@pytest.mark.parametrize(("template", "problem"), [
    ("{brand} down for {days} days, {days} calls", "appears twice"),
    ("{brand} [a|b", "without a matching"),
    ("{brand} a|b", "outside"),
    ("{brand} {wizard}", "unknown slot"),
    ("{brand} {brand.__class__}", "attribute"),
    ("{brand} {days} days, {days2} calls", ""),
])
def test_template_problems_catch_broken_templates(template: str, problem: str) -> None:
    found = template_problems(template)
    assert (problem in " ".join(found)) if problem else not found, found


def test_bank_with_a_broken_template_refuses_to_load(bank: Bank) -> None:
    from engine.bank import validate

    broken = bank.model_copy(update={"quotes": [*bank.quotes, "{brand} {nope}"]})
    problems = validate(broken)
    assert problems and "quotes" in problems[0] and "{nope}" in problems[0]
    assert issubclass(BankError, ValueError)


def test_every_slot_a_template_uses_is_known(bank: Bank) -> None:
    used = {name for _, t in bank.templates() for w in wordings(t)
            for name in re.findall(r"\{(\w+)\}", w)}
    assert used <= SLOTS


def test_generic_templates_carry_no_domain_words(bank: Bank) -> None:
    """A generic template reaches every drill, so it must not name a flight, a router, a
    sofa or a pizza (issue 13: an airline flight number in the bakery drill)."""
    patterns = {n: marker_pattern(bank, n) for n in bank.domains}
    offenders = [(where, name, w) for where, t in generic_templates(bank) for w in wordings(t)
                 for name, p in patterns.items() if p is not None and p.search(w)]
    assert offenders == [], offenders[:5]


@pytest.mark.parametrize("domain", sorted(load_bank("en").domains))
def test_domain_templates_carry_only_their_own_domain_words(bank: Bank, domain: str) -> None:
    allowed = usable_by(bank, domain)
    patterns = {n: marker_pattern(bank, n) for n in bank.domains if n not in allowed}
    offenders = [(where, other, w) for where, t in domain_templates(bank, domain)
                 for w in wordings(t, 16) for other, p in patterns.items()
                 if p is not None and p.search(w)]
    assert offenders == [], offenders[:5]


def test_shipped_drills_name_known_domains_and_regions(bank: Bank) -> None:
    ko = load_bank("ko")
    for drill, entry in shipped_profiles().items():
        source = ko if drill.startswith("ko-") else bank
        assert entry.domain in source.domains, drill
        assert entry.region in source.regions, drill
        places = {a.city for a in source.regions[entry.region].areas}
        assert set(entry.places) <= places, drill


# ------------------------------------------------------------------------------- rendering
def test_every_template_renders_within_280_chars(bank: Bank, telecom: MentionWriter) -> None:
    author = telecom.people.author("angry")
    for where, template in bank.templates():
        for noise in (False, True):
            text = telecom.render(template, author, "angry", noise=noise).text
            assert text and len(text) <= 280, (where, template)
            assert "{" not in text and "}" not in text, (where, text)


@pytest.mark.parametrize("intent", INTENTS)
def test_every_persona_intent_combination_renders(bank: Bank, intent: str) -> None:
    writer = writer_for(bank, INTENTS.index(intent))
    for persona in PERSONAS:
        for _ in range(10):
            rendered = writer.mention(intent, persona, writer.people.author(persona))
            assert rendered.text and len(rendered.text) <= 280, (intent, persona)
            assert "@BrandCares" in rendered.text


def test_thousand_mentions_are_at_least_95_percent_distinct(telecom: MentionWriter) -> None:
    texts = _flood(telecom, 1000, 7)
    assert len(set(texts)) / len(texts) >= 0.95


# ------------------------------------------------------------------------------- typing
def test_flood_is_typed_at_real_tweet_rates(telecom: MentionWriter) -> None:
    """Measured on real inbound tweets (benchmarks/realism.py): 24% start lower-case, 49% end
    in . ! or ?, 20% carry a '!', 18% a curly apostrophe. The flood stays near those."""
    texts = [re.sub(r"@\w+|https?://\S+|pic\.\S+", "", t).strip() for t in _flood(telecom,
                                                                                 1500, 3)]
    texts = [t for t in texts if t]

    def share(test: object) -> float:
        return sum(1 for t in texts if test(t)) / len(texts)  # type: ignore[operator]

    first = [next((c for c in t if c.isalpha()), "") for t in texts]
    lower = sum(1 for c in first if c.islower()) / len(texts)
    assert 0.12 <= lower <= 0.40, lower
    assert 0.30 <= share(lambda t: t.rstrip()[-1:] in ".!?") <= 0.70
    assert 0.08 <= share(lambda t: "!" in t) <= 0.35
    assert 0.05 <= share(lambda t: "\u2019" in t) <= 0.35


def test_an_author_types_the_same_way_in_every_post(telecom: MentionWriter) -> None:
    author = telecom.people.author("angry")
    hands = {telecom.hand(author, "angry") for _ in range(5)}
    assert len(hands) == 1


# ------------------------------------------------------------------------------- slots
def test_amounts_are_the_regions_currency_and_rarely_in_cents(bank: Bank) -> None:
    gb = writer_for(bank, 5, "telecom", "GB")
    us = writer_for(bank, 5, "fitness", "US")
    author = gb.people.author("angry")
    pounds = [gb.render("{amount}", author, noise=False).text for _ in range(300)]
    dollars = [us.render("{amount}", author, noise=False).text for _ in range(300)]
    assert all(p.startswith("£") for p in pounds) and all(d.startswith("$") for d in dollars)
    cents = sum("." in p for p in pounds) / len(pounds)
    assert cents <= 0.06
    values = [float(p[1:].replace(",", "")) for p in pounds]
    assert min(values) >= 6 and max(values) <= 65  # a phone bill, not a sofa


def test_a_numbered_twin_slot_draws_a_fresh_value(bank: Bank) -> None:
    writer = writer_for(bank, 9)
    author = writer.people.author("angry")
    pairs = [writer.render("{count} and {count2}", author, noise=False).text.split(" and ")
             for _ in range(60)]
    assert any(a != b for a, b in pairs)
    same = [writer.render("{count} and {count}", author, noise=False).text.split(" and ")
            for _ in range(20)]
    assert all(a == b for a, b in same)


@pytest.mark.parametrize("minute", [5.0, 40.0, 90.0])
def test_durations_fit_the_story_clock(telecom: MentionWriter, minute: float) -> None:
    """An outage that began ``minute`` minutes ago is never "3 hours" or "11 days" old."""
    author = telecom.people.author("angry")
    for _ in range(300):
        text = telecom.mention("outage", "angry", author, minute=minute).text.lower()
        for match in re.finditer(r"\b(\d+|two|three|four|five|six|seven|eight|nine) (hours?|"
                                 r"hrs|days?)\b", text):
            assert not match.group(2).startswith("day"), text
            assert minute >= 120, text
        for match in re.finditer(r"\b(\d+) (minutes|mins)\b", text):
            assert int(match.group(1)) <= max(5, minute), text


def test_places_addresses_and_bios_are_local_and_agree(bank: Bank, telecom: MentionWriter
                                                       ) -> None:
    gb = {a.city for a in bank.regions["GB"].areas}
    for _ in range(80):
        author = telecom.people.author("journalist")
        home = telecom.people.home_city(author.handle)
        assert home in gb
        address = telecom.people.address(author=author)
        assert home in address
        if "{city}" in "".join(bank.bios["journalist"]) and home in author.bio:
            tweet = telecom.render("{city}", author, "journalist", noise=False).text
            assert tweet in gb


def test_oversharers_put_their_data_in_a_clause_of_its_own_before_any_link(
        telecom: MentionWriter) -> None:
    kinds: set[str] = set()
    for _ in range(200):
        author = telecom.people.author("privacy_oversharer")
        rendered = telecom.mention("outage", "privacy_oversharer", author, minute=100)
        assert rendered.exposed, rendered.text
        text = rendered.text
        for data in rendered.exposed:
            assert data.kind in PII_KINDS and data.value in text, (data, text)
            link = re.search(r"https?://|pic\.x", text)
            assert link is None or text.index(data.value) < link.start(), text
        kinds.update(d.kind for d in rendered.exposed)
    assert {"email", "phone", "address"} <= kinds


def test_overshare_kinds_are_personal_data_kinds_and_card_numbers_rare(bank: Bank) -> None:
    assert set(bank.overshare) == OVERSHARE_KINDS
    sizes = {kind: len(ts) for kind, ts in bank.overshare.items()}
    assert sizes["card_number"] == min(sizes.values())


def test_follow_ups_fit_how_long_the_customer_waited(telecom: MentionWriter) -> None:
    author = telecom.people.author("angry")
    for attempt in (1, 2, 3):
        for _ in range(80):
            text = telecom.follow_up(attempt, author, "angry", waited=25.0).text.lower()
            assert not re.search(r"\b(\d+|two|three|four|five|six|seven|eight|nine) (hours|"
                                 r"hrs|days)\b", text), text


def test_lengths_vary_like_tweets(telecom: MentionWriter) -> None:
    lengths = [len(t) for t in _flood(telecom, 800, 11)]
    assert statistics.median(lengths) < 140 and min(lengths) < 40 and max(lengths) > 200
