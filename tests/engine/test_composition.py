"""How posts are composed from openers, extras and closers (issue 13, third round)."""

from __future__ import annotations

from engine.bank import load_bank
from engine.templates import all_wordings, compile_template
from tests.engine.bank_checks import writer_for


def test_praise_and_trolls_end_with_their_own_closers_only() -> None:
    """A generic "someone please respond" after a thank-you or a joke reads wrong."""
    bank = load_bank("en")
    writer = writer_for(bank, 1)
    for persona in ("praise", "troll"):
        pieces = writer._pieces_for("closers", persona)
        assert len(pieces) == len(bank.closers[persona])
    generic = writer._pieces_for("closers", "angry")
    assert len(generic) == len(bank.closers["angry"]) + len(bank.closers["any"])


def test_every_closer_is_short_enough_to_end_any_post() -> None:
    bank = load_bank("en")
    long = [w for items in bank.closers.values() for t in items
            for w in all_wordings(compile_template(t), 16)
            if len(w.split()) > 10]
    assert long == []


def test_an_opener_and_a_closer_frame_the_post_after_it_is_cut() -> None:
    from engine.text import _framed, _question_last

    body = _question_last("is it down? no signal since 9")
    assert _framed("hope you're well,", body, "thanks") == (
        "hope you're well, no signal since 9. is it down? thanks")
    assert _framed("well well well", "Been a customer for years", "") == (
        "well well well been a customer for years")
    assert _framed("update:", "Been a customer for years", "") == (
        "update: Been a customer for years")
    assert _framed("so", "I'm done", "") == "so I'm done"
