"""Lexicon loader and phrase matcher: phrase syntax per language, gated patterns, errors that name
the file, and the shipped lexicons' own consistency."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring import lexicon
from scoring.empathy import CATEGORIES as EMPATHY_CATEGORIES
from scoring.lexicon import PhraseMatcher, fold, load_lexicon, scanner
from scoring.tone_features import PROMISE_CONTEXT, TONE_CATEGORIES


@pytest.mark.parametrize(("phrases", "boundaries", "text", "expected"), [
    ({"a": ["sorry"]}, True, "so sorry!", {"a": [(3, 8)]}),
    ({"a": ["sorry"]}, True, "sorrynot", {}),
    ({"a": ["apolog*"]}, True, "we apologise", {"a": [(3, 12)]}),
    ({"a": ["dm us"]}, True, "dm   us now", {"a": [(0, 7)]}),
    ({"a": ["sorry"], "b": ["sorry you feel"]}, True, "sorry you feel that", {"b": [(0, 14)]}),
    ({"a": ["on it"], "b": ["on it"]}, True, "we're on it", {"a": [(6, 11)], "b": [(6, 11)]}),
    ({"a": ["죄송"]}, False, "정말죄송합니다", {"a": [(2, 4)]}),
    ({"a": ["저희 잘못"]}, False, "저희잘못이 아닙니다", {"a": [(0, 4)]}),
    ({"a": ["<와>"]}, False, "사막에 와 있어요", {"a": [(4, 5)]}),
    ({"a": ["<와>"]}, False, "사과와 배", {}),
])
def test_phrase_matcher_syntax_table(phrases: dict[str, list[str]], boundaries: bool, text: str,
                                     expected: dict[str, list[tuple[int, int]]]) -> None:
    assert PhraseMatcher(phrases, word_boundaries=boundaries).scan(text) == expected


def test_fold_keeps_offsets_and_folds_apostrophes() -> None:
    text = "We’RE SORRY İstanbul"
    low = fold(text)
    assert len(low) == len(text)
    assert low.startswith("we're sorry")


def test_gated_pattern_runs_only_when_needed(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "patterns:\n  clock:\n    - {re: '\\d\\d:\\d\\d', needs: ['<digit>']}\n"
        "  why:\n    - {re: 'why[^?]*\\?', needs: ['?']}\n", encoding="utf-8")
    (folder / "privacy.yaml").write_text("not: [our, format]\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "LEXICON_DIR", tmp_path)
    load_lexicon.cache_clear()
    scanner.cache_clear()
    try:
        found = scanner("xx", ("clock", "why")).scan("why is it 10:30?")
        assert found == {"clock": [(10, 15)], "why": [(0, 16)]}
        assert scanner("xx", ("clock",)).scan("no digits here") == {}
    finally:
        load_lexicon.cache_clear()
        scanner.cache_clear()


def test_load_lexicon_duplicate_category_names_the_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "a.yaml").write_text("phrases:\n  apology: [sorry]\n", encoding="utf-8")
    (folder / "b.yaml").write_text("phrases:\n  apology: [oops]\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "LEXICON_DIR", tmp_path)
    load_lexicon.cache_clear()
    try:
        with pytest.raises(lexicon.LexiconError, match=r"xx/b.yaml: phrases.apology"):
            load_lexicon("xx")
    finally:
        load_lexicon.cache_clear()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_shipped_lexicons_define_the_lists_the_code_scans(language: str) -> None:
    lex = load_lexicon(language)
    names = set(lex.phrases) | set(lex.patterns)
    core = {"dismissive", "wall", "apology", "acknowledgement", "feeling", "ownership",
            "next_step", "thanks", "warmth", "grovel", "timeline", "blame", "argue", "sarcasm",
            "insult", "condescending", "guarantee", "compensation", "stiff", "slang_strong",
            *PROMISE_CONTEXT}
    assert core <= names
    assert names & set(EMPATHY_CATEGORIES) and names & set(TONE_CATEGORIES)
    for key in ("empathy.dismissive", "tone.rude", "suggest.default", "suggest.over_promise"):
        assert key in lex.messages


def test_every_category_the_code_names_exists_in_some_language() -> None:
    known = set()
    for language in ("en", "ko"):
        lex = load_lexicon(language)
        known |= set(lex.phrases) | set(lex.patterns)
    assert set(EMPATHY_CATEGORIES) - known == set()
    assert set(TONE_CATEGORIES) - known == set()
