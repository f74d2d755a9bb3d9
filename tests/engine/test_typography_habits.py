"""Typing habits measured on real tweets (issue 13, third round): quotes, "I", mid-text "!"."""

from __future__ import annotations

import random
from dataclasses import replace

from engine.typography import HandRates, english, hand_for

QUOTE = "your app says 'no known issues' but nothing works. is it down"


def _hand(**habits: object) -> object:
    base = hand_for("someone", HandRates())
    return replace(base, **habits)  # type: ignore[arg-type]


def test_a_quoted_phrase_is_mostly_double_quoted_or_left_bare() -> None:
    """Real tweets quote with double quotes (2.9%) and almost never with single ones (0.3%)."""
    posts = [english(QUOTE, _hand(curly=False, full_forms=False), random.Random(s))
             for s in range(200)]
    posts = [p.lower() for p in posts]  # (a word may be shouted)
    assert all("no known issues" in p for p in posts)
    double = sum('"no known issues"' in p for p in posts)
    single = sum("'no known issues'" in p for p in posts)
    assert double > 80 and 200 - double - single > 40 and single < 40, (double, single)
    curly = [english(QUOTE, _hand(curly=True), random.Random(s)) for s in range(30)]
    assert any("\u201cno known issues\u201d" in t.lower() for t in curly)


def test_a_lower_case_typist_whose_phone_autocorrects_writes_I() -> None:
    text = "i tried again and i'm still stuck"
    fixed = english(text, _hand(sentence_case=False, autocorrects_i=True, drops_subject=False,
                                full_forms=False, drops_apostrophes=False), random.Random(1))
    plain = english(text, _hand(sentence_case=False, autocorrects_i=False, drops_subject=False,
                                full_forms=False, drops_apostrophes=False), random.Random(1))
    assert fixed.startswith("I tried") and " I" in fixed[2:], fixed
    assert plain.startswith("i tried") and " i" in plain, plain


def test_exclamations_land_mid_text_for_excitable_authors_only() -> None:
    text = "no signal since 9. tried a restart. still nothing"
    loud = _hand(run_on=False, rates=HandRates(exclaim=0.3, ellipsis=0, filler=0))
    calm = _hand(run_on=False, rates=HandRates(exclaim=0.0, ellipsis=0, filler=0))
    loud_posts = [english(text, loud, random.Random(s)) for s in range(100)]
    assert 10 <= sum("! " in p for p in loud_posts) <= 60
    assert not any("! " in english(text, calm, random.Random(s)) for s in range(100))


def test_contractions_written_out_keep_their_tense() -> None:
    """"I'd been" is "I had been"; "I'd just like" is still "I would just like"."""
    hand = _hand(full_forms=True, drops_subject=False, run_on=False, sentence_case=True,
                 rates=HandRates(exclaim=0, shout=0, ellipsis=0, filler=0))
    typed = english("I'd been waiting and I'd just like a refund. I'd already paid", hand,
                    random.Random(3))
    assert typed == "I had been waiting and I would just like a refund. I had already paid"
