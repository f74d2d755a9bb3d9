"""The project's labelled set: sources, deterministic split files, and the evaluation that reads
them (scoring.labelled_set, scoring.eval_labelled)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from scoring.eval_labelled import LANGUAGES, Scored, figures, report, table, trap_right
from scoring.labelled_set import (
    EXTRA_SPLITS,
    PII_FORMS,
    SPLITS,
    LabelledCase,
    build,
    load_split,
    read_sources,
    split_of,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scoring"


def test_read_sources_has_enough_labelled_and_brand_replies_in_both_languages():
    cases = read_sources()
    labelled = [c for c in cases if c.source == "labelled"]
    brand = [c for c in cases if c.source == "brand"]
    assert len(labelled) >= 400 and len(brand) >= 300
    assert {c.language for c in labelled} == {"en", "ko"}
    traps = Counter((c.trap, c.language) for c in labelled)
    for trap in ("sarcasm", "dismissal", "troll_arguing", "good", "dm_mention",
                 "device_question", "brand_contact", "digits_words", "email_words",
                 "card_groups", "phone_national", "order_echo"):
        assert traps[(trap, "en")] >= 4 and traps[(trap, "ko")] >= 4, trap
    assert traps[("kr_address", "ko")] >= 8


def test_split_of_is_a_function_of_the_id_alone():
    assert split_of("en-air-delay-00") == split_of("en-air-delay-00")
    shares = Counter(split_of(f"case-{i}") for i in range(5000))
    assert 0.55 < shares["train"] / 5000 < 0.65 and 0.15 < shares["test"] / 5000 < 0.25


def test_split_files_match_the_sources(tmp_path):
    (tmp_path / "source").symlink_to(Path(read_sources.__defaults__[0]))  # type: ignore[index]
    build(tmp_path)
    for source, splits in (("labelled", (*SPLITS, *EXTRA_SPLITS)), ("brand", SPLITS)):
        for split in splits:
            assert load_split(split, source, tmp_path) == load_split(split, source), (source,
                                                                                     split)


def test_split_files_every_case_has_context_and_labels():
    for split in (*SPLITS, *EXTRA_SPLITS):
        for case in load_split(split):
            assert case.split == split and case.reply and case.mention
            assert case.empathy in (0, 1, 2) and isinstance(case.on_brand, bool)
            assert set(case.privacy) <= {"exposes_pii_public", "asks_pii_public",
                                         "asks_password"}
            if case.trap in PII_FORMS:
                assert "exposes_pii_public" in case.privacy


def _scored(trap: str, **kw: object) -> Scored:
    case = LabelledCase(id="x", split="test", language="en", trap=trap, persona="angry",
                        intent="delay", brand_voice="friendly", channel="public", mention="m",
                        customer_name="", reply="r", empathy=0, on_brand=False)
    values: dict[str, object] = {"empathy": 0, "dismissive": False, "on_brand": False,
                                 "tone_kinds": frozenset(), "privacy": frozenset(),
                                 "moves_to_dm": False}
    values.update(kw)
    return Scored(case, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("trap", "values", "right"), [
    ("sarcasm", {"tone_kinds": frozenset({"sarcastic"})}, True),
    ("sarcasm", {"tone_kinds": frozenset({"sarcastic"}), "empathy": 2}, False),
    ("dismissal", {"dismissive": True}, True),
    ("dismissal", {"dismissive": False}, False),
    ("troll_arguing", {"tone_kinds": frozenset({"argues_with_troll"})}, True),
    ("digits_words", {"privacy": frozenset({"exposes_pii_public"})}, True),
    ("brand_contact", {"privacy": frozenset({"exposes_pii_public"})}, False),
    ("dm_mention", {"moves_to_dm": True}, False),
    ("device_question", {"privacy": frozenset({"asks_pii_public"})}, False),
])
def test_trap_right_table(trap, values, right):
    assert trap_right(_scored(trap, **values)) is right


def test_figures_and_table_cover_every_language_and_the_first_run():
    scored = [_scored("sarcasm", tone_kinds=frozenset({"sarcastic"})), _scored("dismissal")]
    now = figures(scored, [])
    assert set(now) == set(LANGUAGES)
    assert now["en"]["trap:sarcasm"] == [1.0, 1] and now["en"]["trap:dismissal"] == [0.0, 1]
    text = table(now, now, "label")
    assert "| trap: sarcasm (share right) | 1.00 (n=1) | 1.00 (n=1) |" in text


def test_first_runs_fixture_records_the_test_split_before_tuning():
    recorded = json.loads((FIXTURES / "first_runs.json").read_text(encoding="utf-8"))
    labelled = recorded["labelled_set"]
    assert labelled["scorer_version"] == "2026.11.2"
    test = labelled["test"]["figures"]
    assert test["all"]["trap:sarcasm"][1] >= 1 and "privacy_f1" in test["en"]


def test_report_prints_first_run_next_to_now():
    text = report(FIXTURES)
    assert "test split (never used for tuning)" in text
    assert "fresh split (written after tuning, scored once, then tuned on)" in text
    assert "blind split (written after the last change, scored once)" in text
    assert "en first run | en now" in text
