"""Interchangeable wordings (engine.paraphrase) and the writer's use of them (issue 13)."""

from __future__ import annotations

import random
import re

import pytest
from rapidfuzz import fuzz

from engine.bank import Bank, load_bank, validate
from engine.paraphrase import Paraphraser, problems
from engine.text import _drop_sentence
from tests.engine.bank_checks import marker_pattern, writer_for

GROUPS = [["any update", "any news", "an update"], ["can someone", "can anyone"],
          ["please", "pls"], ["is there", "is there any"]]


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank("en")


def test_every_found_wording_is_swapped_for_another_of_its_group() -> None:
    vary = Paraphraser.of(GROUPS, rate=1.0)
    out = vary.vary("any update? can someone please look", random.Random(3))
    assert "any update" not in out and "can someone" not in out and "please" not in out
    assert re.fullmatch(r"(any news|an update)\? can anyone pls look", out), out


def test_whole_words_only_and_never_inside_a_slot() -> None:
    vary = Paraphraser.of([["brand", "label"], ["please", "pls"], ["update", "news"]], 1.0)
    text = "{brand} {brand_name} pleased? any updates {please}"
    assert vary.vary(text, random.Random(1)) == text


def test_capitals_and_emphasis_are_kept() -> None:
    vary = Paraphraser.of([["any update", "any news"]], rate=1.0)
    assert vary.vary("Any update", random.Random(0)) == "Any news"
    assert vary.vary("ANY UPDATE", random.Random(0)) == "ANY NEWS"


def test_rate_zero_changes_nothing_and_the_same_stream_gives_the_same_post() -> None:
    text = "any update? can someone please look, is there any fix"
    assert Paraphraser.of(GROUPS, rate=0.0).vary(text, random.Random(5)) == text
    vary = Paraphraser.of(GROUPS, rate=0.5)
    assert {vary.vary(text, random.Random(9)) for _ in range(5)} == {
        vary.vary(text, random.Random(9))}
    assert len({vary.vary(text, random.Random(seed)) for seed in range(40)}) > 4


@pytest.mark.parametrize(("groups", "says"), [
    ([["alone"]], "at least two"),
    ([["a b", "A B"]], "appears twice"),
    ([["any {update}", "news"]], "template syntax"),
    ([["x|y", "z"]], "template syntax"),
    ([["", "z"]], "empty"),
    ([["please", "pls"], ["plz", "Please"]], "also in group 0"),
    ([[" please", "pls"]], "stray spaces"),
])
def test_broken_groups_are_named(groups: list[list[str]], says: str) -> None:
    found = problems(groups)
    assert found and says in " ".join(found), found
    assert all(line.startswith("paraphrases[") for line in found)


def test_a_bank_with_a_broken_group_refuses_to_load(bank: Bank) -> None:
    broken = bank.model_copy(update={"paraphrases": [*bank.paraphrases, ["pls", "plz"],
                                                     ["plz", "please"]]})
    found = validate(broken)  # what load_bank raises as BankError(problems)
    assert any(p.startswith("en.yaml: paraphrases[") and "also in group" in p
               for p in found), found[:3]
    assert validate(bank) == []


def test_shipped_groups_are_usable_and_carry_no_domain_words(bank: Bank) -> None:
    assert len(bank.paraphrases) >= 100
    assert problems(bank.paraphrases) == []
    patterns = [p for n in bank.domains if (p := marker_pattern(bank, n)) is not None]
    offenders = [m for group in bank.paraphrases for m in group
                 if any(p.search(m) for p in patterns)]
    assert offenders == []


def test_scripted_texts_are_never_varied(bank: Bank) -> None:
    writer = writer_for(bank, 4)
    author = writer.people.author("angry")
    text = "{brand} any update? can someone please look at this, is there any news"
    posts = {writer.render(text, author, "angry", noise=False, rng=random.Random(s)).text
             for s in range(20)}
    assert posts == {"@BrandCares any update? can someone please look at this, is there any "
                     "news"}


def test_the_same_template_drawn_twice_reads_less_alike(bank: Bank) -> None:
    """One wording, one author, twenty posts: without the groups most pairs are > 90 alike
    (only typing differs); with them, most are not."""
    template = ("{brand} is there any update on this? I've been waiting all morning and "
                "nobody has got back to me. can someone please just tell me what's going on")
    plain = bank.model_copy(update={"paraphrases": []})

    def alike(b: Bank) -> float:
        writer = writer_for(b, 2)
        author = writer.people.author("confused")
        posts = [writer.render(template, author, "confused", rng=random.Random(s)).text
                 for s in range(20)]
        pairs = [(a, c) for i, a in enumerate(posts) for c in posts[i + 1:]]
        return sum(fuzz.ratio(a.lower(), c.lower()) > 90 for a, c in pairs) / len(pairs)

    assert alike(bank) < alike(plain)


def test_personal_data_survives_every_variation(bank: Bank) -> None:
    writer = writer_for(bank, 11)
    for seed in range(300):
        author = writer.people.author("privacy_oversharer")
        post = writer.mention("billing", "privacy_oversharer", author, rng=random.Random(seed))
        assert post.exposed, post.text
        assert all(d.value in post.text for d in post.exposed), post.text


def test_a_dropped_sentence_is_never_the_first_the_last_or_one_holding_data() -> None:
    text = "No signal since 9. Tried a restart. My number is 07700 900123. Is it down?"
    seen = {_drop_sentence(text, random.Random(s), ["07700 900123"]) for s in range(50)}
    assert seen == {text, "No signal since 9. My number is 07700 900123. Is it down?"}
    assert _drop_sentence("One. Two?", random.Random(0), []) == "One. Two?"


def test_a_member_split_by_a_choice_is_never_swapped(bank: Bank) -> None:
    """"ok[ay]" is one word across two pieces: swapping "ok" would write "okayay"."""
    swapping = bank.model_copy(update={"paraphrases": [["ok", "okay"], ["fail", "flop"]],
                                       "paraphrase_rate": 1.0})
    writer = writer_for(swapping, 3)
    author = writer.people.author("confused")
    for seed in range(30):
        text = writer.render("{brand} ok[ay|] then, [#|]fail", author, "confused",
                             rng=random.Random(seed), typed=True, noise=False).text.lower()
        assert "okayay" not in text, text
        assert "#flop" not in text, text
