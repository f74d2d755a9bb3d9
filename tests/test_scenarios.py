"""Every shipped drill loads and is playable; a broken scenario file fails with clear lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.records import INTENTS, PERSONAS, MentionArrived
from engine.scenario import Scenario, ScenarioError, builtin_paths, builtin_scenarios, load_scenario
from engine.session import TrainingSession

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
SHIPPED = builtin_paths()
HANGUL = re.compile(r"[\uac00-\ud7a3]")
EMOJI = re.compile(r"[\u2600-\u27bf\U0001f300-\U0001faff]")

#: X's limit for one post, in weighted characters.
TWEET_LIMIT = 280
#: Room a public reply needs around a macro: "@" + a 15-character handle + a space, and " ^AB".
REPLY_OVERHEAD = 1 + 15 + 1 + 4
#: Template slots that fill in personal data, and the kind the engine records as exposed.
PII_SLOTS = {"email": "email", "phone": "phone", "address": "address", "order": "order_number",
             "booking": "booking_reference", "card": "card_number", "dob": "date_of_birth"}
SLOT = re.compile(r"\{(\w+)\}")


def _tweet_weight(text: str) -> int:
    """Length as X counts it: Latin and punctuation count 1, Hangul, CJK and emoji count 2.

    The ranges that weigh 1 are twitter-text's v3 configuration (``weightedRanges``).
    """
    light = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in light) else 2 for ch in text)


@pytest.fixture(scope="module")
def shipped() -> list[Scenario]:
    return [load_scenario(path) for path in SHIPPED]


# --- shipped scenarios -------------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_load_scenario_shipped_file_loads_with_id_of_its_stem(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.id == path.stem


def test_builtin_scenarios_ids_unique_and_equal_file_stems() -> None:
    by_id = builtin_scenarios()
    assert sorted(by_id) == sorted(p.stem for p in SHIPPED)


def test_builtin_scenarios_at_least_eight_with_two_in_korean(shipped: list[Scenario]) -> None:
    assert len(shipped) >= 8
    assert sum(s.language == "ko" for s in shipped) >= 2


def test_korean_scenario_texts_written_in_hangul(shipped: list[Scenario]) -> None:
    for scenario in (s for s in shipped if s.language == "ko"):
        assert HANGUL.search(scenario.briefing), scenario.id
        assert HANGUL.search(scenario.title), scenario.id
        for macro in scenario.brand.macros:
            assert HANGUL.search(macro.text), (scenario.id, macro.title)
        for inject in scenario.injects:
            assert HANGUL.search(inject.text), (scenario.id, inject.text)


def test_english_scenario_briefings_free_of_hangul(shipped: list[Scenario]) -> None:
    for scenario in (s for s in shipped if s.language == "en"):
        assert not HANGUL.search(scenario.briefing), scenario.id


def test_incident_drills_expect_status_updates_and_only_they(shipped: list[Scenario]) -> None:
    for scenario in shipped:
        assert bool(scenario.incident) == scenario.status_updates_expected, scenario.id


def test_incident_facts_start_inside_the_drill(shipped: list[Scenario]) -> None:
    for scenario in shipped:
        for facts in scenario.incident:
            assert facts.from_minute < scenario.duration_minutes, scenario.id
            assert facts.down and facts.since and facts.status_page, (scenario.id, facts)


def test_phase_mixes_use_known_personas_and_intents(shipped: list[Scenario]) -> None:
    for scenario in shipped:
        for phase in scenario.phases:
            assert set(phase.personas) <= set(PERSONAS), (scenario.id, phase.name)
            assert set(phase.intents) <= set(INTENTS), (scenario.id, phase.name)


def test_phases_cover_the_whole_drill_without_gaps(shipped: list[Scenario]) -> None:
    for scenario in shipped:
        edges = [0.0]
        for phase in scenario.phases:
            assert phase.start_minute == edges[-1], (scenario.id, phase.name)
            edges.append(phase.end_minute)
        assert edges[-1] == scenario.duration_minutes, scenario.id


def test_injects_in_time_order_fit_a_tweet_and_are_not_from_the_brand(
        shipped: list[Scenario]) -> None:
    for scenario in shipped:
        minutes = [inject.at_minute for inject in scenario.injects]
        assert minutes == sorted(minutes), scenario.id
        for inject in scenario.injects:
            assert _tweet_weight(inject.text) <= TWEET_LIMIT, (scenario.id, inject.text)
            if inject.author is not None:
                assert inject.author.handle.lower() != scenario.brand.handle.lower()


def test_brand_macros_fit_a_signed_reply_and_avoid_banned_phrases(
        shipped: list[Scenario]) -> None:
    for scenario in shipped:
        brand = scenario.brand
        assert 4 <= len(brand.macros) <= 8, scenario.id
        for macro in brand.macros:
            assert _tweet_weight(macro.text) + REPLY_OVERHEAD <= TWEET_LIMIT, macro.title
            lowered = macro.text.lower()
            assert not [p for p in brand.banned_phrases if p.lower() in lowered], macro.title
            if brand.emoji == "none":
                assert not EMOJI.search(macro.text), macro.title


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_training_session_shipped_scenario_delivers_every_inject_intact(path: Path) -> None:
    """Injects are templates: slots fill in, personal data is marked exposed, nothing is cut."""
    scenario = load_scenario(path)
    session = TrainingSession(scenario, seed=7)
    session.advance_to(scenario.duration_minutes)
    arrived = sorted((e for e in session.transcript
                      if isinstance(e, MentionArrived) and e.source == "inject"),
                     key=lambda e: e.minute)
    injects = sorted(scenario.injects, key=lambda i: i.at_minute)
    assert len(arrived) == len(injects)
    for inject, event in zip(injects, arrived, strict=True):
        assert event.minute == inject.at_minute
        assert event.text.endswith(SLOT.split(inject.text)[-1]), inject.text
        assert _tweet_weight(event.text) <= TWEET_LIMIT, event.text
        slots = {PII_SLOTS[name] for name in SLOT.findall(inject.text) if name in PII_SLOTS}
        assert slots <= {data.kind for data in event.exposed}, inject.text


def test_tweet_weight_counts_hangul_and_emoji_twice() -> None:
    assert _tweet_weight("abc") == 3
    assert _tweet_weight("배송") == 4
    assert _tweet_weight("ok 🍕") == 5


# --- broken scenario files ---------------------------------------------------------------------

def test_load_scenario_minimal_fixture_loads() -> None:
    """The broken_* fixtures are this file with one defect each, so it must itself be valid."""
    assert load_scenario(FIXTURES / "minimal.yaml").id == "minimal"


BROKEN: list[tuple[str, list[str]]] = [
    ("broken_rate.yaml", ["broken_rate.yaml: phases[2].rate_per_minute: must be >= 0"]),
    ("broken_missing_briefing.yaml", ["broken_missing_briefing.yaml: briefing: is required"]),
    ("broken_persona.yaml", ["broken_persona.yaml: phases[0].personas: unknown persona "
                             f"influencer (known: {', '.join(PERSONAS)})"]),
    ("broken_inject_intent.yaml", ["broken_inject_intent.yaml: injects[0].intent: unknown "
                                   f"intent complaint (known: {', '.join(INTENTS)})"]),
    ("broken_yaml.yaml", ["broken_yaml.yaml: line 11, column 10: not valid YAML: "
                          "mapping values are not allowed here"]),
    ("broken_unknown_field.yaml", ["broken_unknown_field.yaml: status_update_cadence: "
                                   "is not a known field"]),
    ("broken_voice.yaml", ["broken_voice.yaml: brand.voice: must be 'friendly', 'formal' or "
                           "'playful' (got 'cheerful')"]),
    ("broken_handle.yaml", ["broken_handle.yaml: brand.handle: must be 1-30 letters, digits or "
                            "underscores, without the @ (got '@CoffeeCo')"]),
    ("broken_clock.yaml", ["broken_clock.yaml: start_clock: must be text "
                           "(got 750; put it in quotes)"]),
    ("broken_inject_text.yaml", ["broken_inject_text.yaml: injects[0].text: must be at most "
                                 "280 characters (got 328)"]),
    ("broken_window.yaml", ["broken_window.yaml: phases[1].end_minute: must be greater than "
                            "start_minute (20)"]),
    ("broken_phase_after_end.yaml", ["broken_phase_after_end.yaml: phases[2].end_minute: must "
                                     "be <= duration_minutes (60), got 90"]),
    ("broken_incident_order.yaml", ["broken_incident_order.yaml: incident: entries must be in "
                                    "order of from_minute"]),
    ("broken_two_problems.yaml", ["broken_two_problems.yaml: title: is required",
                                  "broken_two_problems.yaml: duration_minutes: must be > 0"]),
    ("broken_not_mapping.yaml", ["broken_not_mapping.yaml: must be a mapping of fields"]),
    ("broken_empty.yaml", ["broken_empty.yaml: is empty"]),
]


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problems = caught.value.problems
    assert str(caught.value) == "\n".join(problems)
    for line in problems:
        assert line.startswith(f"{path.name}: ")
        assert "\n" not in line
        assert "Traceback" not in line and "pydantic" not in line.lower()
    return problems


@pytest.mark.parametrize(("name", "expected"), BROKEN, ids=[name for name, _ in BROKEN])
def test_load_scenario_broken_file_reports_one_line_per_problem(
        name: str, expected: list[str]) -> None:
    assert _problems(FIXTURES / name) == expected


def test_load_scenario_every_broken_fixture_is_in_the_table() -> None:
    on_disk = {p.name for p in FIXTURES.glob("broken_*.yaml")}
    assert on_disk - {"broken_only_phase.yaml"} == {name for name, _ in BROKEN}


def test_load_scenario_invalid_only_phase_reports_one_line() -> None:
    assert _problems(FIXTURES / "broken_only_phase.yaml") == [
        "broken_only_phase.yaml: phases[0].rate_per_minute: must be >= 0"]


def test_load_scenario_invalid_only_phase_names_the_field() -> None:
    problems = _problems(FIXTURES / "broken_only_phase.yaml")
    assert problems[0] == "broken_only_phase.yaml: phases[0].rate_per_minute: must be >= 0"


def test_load_scenario_missing_file_reports_cannot_read(tmp_path: Path) -> None:
    assert _problems(tmp_path / "nowhere.yaml") == [
        "nowhere.yaml: cannot read file: No such file or directory"]
