"""The mention writer: persona-specific follow-ups and Korean-aware noise."""

from __future__ import annotations

import random

import pytest

from engine.people import PeopleFactory
from engine.text import MentionWriter, load_bank


def writer(language: str, seed: int = 1) -> MentionWriter:
    bank = load_bank(language)
    rng = random.Random(seed)
    people = PeopleFactory(language, rng, bank.bios, bank.cities)
    return MentionWriter(bank, rng, people, "NimbusCares", "Nimbus", ("the app",))


@pytest.mark.parametrize(("language", "marker"), [("en", "comment"), ("ko", "입장")])
def test_journalist_follow_ups_stay_professional(language, marker):
    w = writer(language)
    author = w.people.author("journalist")
    for attempt in (1, 2, 3):
        texts = [w.follow_up(attempt, author, "journalist").text for _ in range(20)]
        assert any(marker in t for t in texts)
        assert not any("!!!" in t or "ㅡㅡ" in t for t in texts)


def test_other_personas_keep_the_shared_follow_ups():
    w = writer("en")
    shared = {t for ts in w.bank.follow_ups.values() for t in ts}
    journalist = {t for ts in w.bank.follow_ups_by_persona["journalist"].values() for t in ts}
    assert shared and journalist and not shared & journalist
    author = w.people.author("angry")
    texts = {w.follow_up(1, author, "angry").text for _ in range(30)}
    assert not any("request for comment" in t for t in texts)


def test_korean_follower_counts_written_the_korean_way():
    from engine.text import _reach

    assert (_reach(240_000, "ko"), _reach(1_400_000, "ko"), _reach(2500, "ko")) == (
        "24만", "140만", "2.5천")
    assert (_reach(240_000), _reach(1_400_000)) == ("240k", "1.4M")


def test_email_domain_is_stable_per_author():
    w = writer("en")
    author = w.people.author("privacy_oversharer")
    assert len({w.people.email(author) for _ in range(10)}) == 1
