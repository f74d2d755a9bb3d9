"""Every shipped drill loads and is playable; a broken scenario file fails with clear lines."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.records import INTENTS, PERSONAS, IncidentUpdated, MentionArrived
from engine.scenario import (
    MAX_PROBLEMS,
    IncidentFacts,
    Phase,
    Scenario,
    ScenarioError,
    builtin_paths,
    builtin_scenario,
    builtin_scenarios,
    known_slots,
    load_scenario,
    parse_scenario,
)
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
            assert facts.down and facts.since and facts.affected and facts.status_page, (
                scenario.id, facts)


# --- the incident panel: what the desk shows per minute, and what briefings promise ------------

#: What the desk's incident panel shows (ui/views/desk.py PANEL_FACTS), in this order.
PANEL_FACTS = ("down", "since", "affected", "cause", "eta", "status_page", "compensation")
#: How a briefing names the panel: the desk labels it "Incident panel" / "장애 상황판".
PANEL_NAMES = {"en": ("incident panel",), "ko": ("상황판",)}
#: Words by which a briefing promises a panel fact: a briefing that uses one must belong to a
#: drill whose panel shows that fact at some minute (lower-cased; English words match at word
#: boundaries, so "date" is not found in "update").
PROMISED_FACTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"eta": ("eta", "fix time", "timing", "date", "dates"),
           "compensation": ("compensation", "goodwill", "bank fees"),
           "cause": ("cause", "breach"),
           "affected": ("who is affected", "affected")},
    "ko": {"eta": ("예상 시간", "예상 도착", "복구 예상", "재개 예상"),
           "compensation": ("보상", "지원 내용", "숙박 지원"),
           "cause": ("원인", "해킹"),
           "affected": ("영향 범위",)},
}
#: Words that give a reason: ``down`` says what is down, the reason lives in ``cause``.
REASON_WORDS = ("cause", "because", "due to", "원인", "때문", "영향으로")


def _panel_named(scenario: Scenario) -> bool:
    briefing = scenario.briefing.lower()
    return any(name in briefing for name in PANEL_NAMES[scenario.language])


def _says(text: str, word: str, language: str) -> bool:
    if language == "ko":  # Korean words take particles: match inside words
        return word in text
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


def _visible(facts: IncidentFacts) -> str:
    """Everything the panel shows for one entry, lower-cased."""
    shown = facts.as_facts()
    return " / ".join(shown[key] for key in PANEL_FACTS).lower()


def _earliest_report(scenario: Scenario) -> float:
    """The first minute an outage report can arrive (the scorer starts the status clock at the
    first of: an incident update, an outage report)."""
    minutes = [p.start_minute for p in scenario.phases if p.intents.get("outage", 0) > 0]
    minutes += [i.at_minute for i in scenario.injects if i.intent == "outage"]
    minutes += [f.from_minute for f in scenario.incident[:1]]
    return min(minutes, default=scenario.duration_minutes)


def test_incident_facts_as_facts_carry_every_panel_fact() -> None:
    facts = IncidentFacts(from_minute=3, down="Card payments", since="09:05",
                          affected="Everyone paying by card", status_page="status.example")
    shown = facts.as_facts()
    assert set(PANEL_FACTS) <= set(shown)
    assert (shown["cause"], shown["eta"], shown["compensation"]) == ("", "", "")
    assert IncidentFacts(from_minute=3, cause="A bad update").as_facts()["cause"] == "A bad update"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_briefing_names_the_panel_only_when_the_drill_has_one(path: Path) -> None:
    """A briefing that sends the trainee to the panel needs incident facts, and a drill with
    incident facts tells the trainee where they are."""
    scenario = load_scenario(path)
    assert _panel_named(scenario) == bool(scenario.incident), scenario.id


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_briefing_promises_only_facts_the_panel_shows(path: Path) -> None:
    scenario = load_scenario(path)
    if not _panel_named(scenario):
        return
    briefing = scenario.briefing.lower()
    for key, words in PROMISED_FACTS[scenario.language].items():
        promised = [w for w in words if _says(briefing, w, scenario.language)]
        shown = [f.from_minute for f in scenario.incident if f.as_facts()[key]]
        assert shown or not promised, (scenario.id, key, promised)


def test_korean_briefings_call_the_panel_sanghwangpan(shipped: list[Scenario]) -> None:
    """The desk labels it 장애 상황판: a briefing must not send trainees to a "패널"."""
    for scenario in (s for s in shipped if s.language == "ko"):
        assert "패널" not in scenario.briefing, scenario.id


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_status_drills_show_facts_before_the_first_status_is_due(path: Path) -> None:
    scenario = load_scenario(path)
    if not scenario.status_updates_expected:
        return
    due = _earliest_report(scenario) + min(scenario.status_cadence_minutes,
                                           scenario.sla_minutes.high)
    assert scenario.incident and scenario.incident[0].from_minute <= due, scenario.id


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_incident_facts_say_what_is_down_and_keep_the_cause_apart(path: Path) -> None:
    """``down`` never gives a reason; the cause appears from the update where it is known and
    is never un-known again; facts of Korean drills are written in Korean."""
    scenario = load_scenario(path)
    known = [facts.cause is not None for facts in scenario.incident]
    assert known == sorted(known), (scenario.id, "a known cause became unknown")
    for facts in scenario.incident:
        lowered = facts.down.lower()
        assert not [w for w in REASON_WORDS if w in lowered], (scenario.id, facts.down)
        written = [facts.down, facts.affected, facts.cause or "", facts.eta or "",
                   facts.compensation or ""]
        for text in filter(None, written):
            assert bool(HANGUL.search(text)) == (scenario.language == "ko"), (scenario.id, text)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_incident_keywords_are_visible_on_the_panel(path: Path) -> None:
    """The words a status update is checked for are words the trainee can read at that minute."""
    scenario = load_scenario(path)
    for facts in scenario.incident:
        visible = _visible(facts)
        assert facts.keywords, (scenario.id, facts.from_minute)
        for keyword in facts.keywords:
            assert keyword.lower() in visible, (scenario.id, facts.from_minute, keyword)


def test_training_session_emits_each_incident_update_at_its_minute(
        shipped: list[Scenario]) -> None:
    for scenario in (s for s in shipped if s.incident):
        session = TrainingSession(scenario, seed=3)
        session.advance_to(scenario.duration_minutes)
        updates = [e for e in session.transcript if isinstance(e, IncidentUpdated)]
        assert [u.minute for u in updates] == [f.from_minute for f in scenario.incident]
        assert [u.facts for u in updates] == [f.as_facts() for f in scenario.incident]
        for minute in (0, *(f.from_minute for f in scenario.incident)):
            expected = scenario.facts_at(minute)
            got = session.projection.facts_at(minute)
            assert got == (expected.as_facts() if expected else {}), (scenario.id, minute)


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
    ("broken_rate.yaml", ["broken_rate.yaml: line 28: phases[2].rate_per_minute: must be >= 0"]),
    ("broken_missing_briefing.yaml", ["broken_missing_briefing.yaml: briefing: is required"]),
    ("broken_persona.yaml", ["broken_persona.yaml: line 17: phases[0].personas: unknown "
                             f"persona influencer (known: {', '.join(PERSONAS)})"]),
    ("broken_inject_intent.yaml", ["broken_inject_intent.yaml: line 34: injects[0].intent: "
                                   f"unknown intent complaint (known: {', '.join(INTENTS)})"]),
    ("broken_yaml.yaml", ["broken_yaml.yaml: line 11, column 10: not valid YAML: "
                          "mapping values are not allowed in this context"]),
    ("broken_unknown_field.yaml", ["broken_unknown_field.yaml: line 31: "
                                   "status_update_cadence: is not a known field"]),
    ("broken_voice.yaml", ["broken_voice.yaml: line 10: brand.voice: must be 'friendly', "
                           "'formal' or 'playful' (got 'cheerful')"]),
    ("broken_handle.yaml", ["broken_handle.yaml: line 9: brand.handle: must be 1-30 letters, "
                            "digits or underscores, without the @ (got '@CoffeeCo')"]),
    ("broken_clock.yaml", ["broken_clock.yaml: line 6: start_clock: must be text "
                           "(got 750; put it in quotes)"]),
    ("broken_inject_text.yaml", ["broken_inject_text.yaml: line 35: injects[0].text: must be "
                                 "at most 280 characters (got 328)"]),
    ("broken_window.yaml", ["broken_window.yaml: line 21: phases[1].end_minute: must be "
                            "greater than start_minute (20)"]),
    ("broken_phase_after_end.yaml", ["broken_phase_after_end.yaml: line 27: "
                                     "phases[2].end_minute: must be <= duration_minutes (60), "
                                     "got 90"]),
    ("broken_incident_order.yaml", ["broken_incident_order.yaml: line 31: incident: entries "
                                    "must be in order of from_minute"]),
    ("broken_two_problems.yaml", ["broken_two_problems.yaml: title: is required",
                                  "broken_two_problems.yaml: line 5: duration_minutes: "
                                  "must be > 0"]),
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
        "broken_only_phase.yaml: line 16: phases[0].rate_per_minute: must be >= 0"]


def test_load_scenario_invalid_only_phase_names_the_field() -> None:
    problems = _problems(FIXTURES / "broken_only_phase.yaml")
    assert problems[0] == "broken_only_phase.yaml: line 16: phases[0].rate_per_minute: must be >= 0"


def test_load_scenario_missing_file_reports_cannot_read(tmp_path: Path) -> None:
    assert _problems(tmp_path / "nowhere.yaml") == [
        "nowhere.yaml: cannot read file: No such file or directory"]


# --- phase ramps -------------------------------------------------------------------------------

def _minimal() -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _phase(**changes: Any) -> dict[str, Any]:
    phase: dict[str, Any] = {"name": "Storm", "start_minute": 10, "end_minute": 70,
                             "rate_per_minute": 2, "personas": {"angry": 1},
                             "intents": {"outage": 1}}
    phase.update(changes)
    return {k: v for k, v in phase.items() if v is not None}


@pytest.mark.parametrize(("changes", "ramp"), [
    ({}, "step"),
    ({"rate_end_per_minute": 8}, "linear"),
    ({"rate_end_per_minute": 8, "ramp": "exponential", "ramp_minutes": 5}, "exponential"),
    ({"ramp": "step"}, "step"),
])
def test_phase_ramp_defaults_to_step_or_linear(changes: dict[str, Any], ramp: str) -> None:
    assert Phase.model_validate(_phase(**changes)).ramp == ramp


@pytest.mark.parametrize(("minute", "expected"), [(10, 2.0), (40, 5.0), (70, 8.0)])
def test_phase_rate_at_linear_is_a_straight_line(minute: float, expected: float) -> None:
    phase = Phase.model_validate(_phase(rate_end_per_minute=8))
    assert phase.rate_at(minute) == pytest.approx(expected)
    assert phase.peak_rate == 8


@pytest.mark.parametrize(("start", "end", "tau"), [(0.5, 40, 4), (40, 1, 25)],
                         ids=["spike", "decay"])
def test_phase_rate_at_exponential_follows_the_time_constant(start: float, end: float,
                                                             tau: float) -> None:
    phase = Phase.model_validate(_phase(rate_per_minute=start, rate_end_per_minute=end,
                                        ramp="exponential", ramp_minutes=tau))
    assert phase.rate_at(10) == pytest.approx(start)
    # one time constant in: 63% of the way from start to end
    assert phase.rate_at(10 + tau) == pytest.approx(end + (start - end) * math.exp(-1))
    assert phase.peak_rate == max(start, end)


def test_phase_rate_at_step_ignores_the_minute() -> None:
    phase = Phase.model_validate(_phase())
    assert {phase.rate_at(m) for m in (10, 33.3, 69.9)} == {2.0}


@given(start=st.floats(0, 2000), end=st.floats(0, 2000), tau=st.floats(0.01, 10_080),
       ramp=st.sampled_from(["linear", "exponential"]), share=st.floats(0, 1))
def test_phase_rate_at_never_above_peak_nor_below_zero(start: float, end: float, tau: float,
                                                        ramp: str, share: float) -> None:
    phase = Phase.model_validate(_phase(
        rate_per_minute=start, rate_end_per_minute=end, ramp=ramp,
        ramp_minutes=tau if ramp == "exponential" else None))
    rate = phase.rate_at(10 + share * 60)
    assert -1e-9 <= rate <= phase.peak_rate * (1 + 1e-12) + 1e-9


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ramp": "step", "rate_end_per_minute": 3}, "rate_end_per_minute", "a step phase keeps"),
    ({"ramp": "linear"}, "rate_end_per_minute", "is required for ramp: linear"),
    ({"ramp": "exponential", "rate_end_per_minute": 3}, "ramp_minutes", "is required"),
    ({"rate_end_per_minute": 3, "ramp_minutes": 5}, "ramp_minutes", "only used with ramp: exp"),
    ({"ramp": "exponential", "rate_end_per_minute": 3, "ramp_minutes": 0}, "ramp_minutes",
     "must be > 0"),
    ({"ramp": "cubic"}, "ramp", "must be 'step', 'linear' or 'exponential'"),
])
def test_parse_scenario_bad_ramp_names_the_field(changes: dict[str, Any], field: str,
                                                 message: str) -> None:
    data = _minimal()
    data["phases"][1] = _phase(start_minute=20, end_minute=40, **changes)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "ramp.yaml")
    (problem,) = caught.value.problems
    assert problem.startswith(f"ramp.yaml: phases[1].{field}: "), problem
    assert message in problem


def test_content_hash_unchanged_for_files_without_ramps_and_changed_by_one() -> None:
    """Drills recorded before ramps existed keep matching their scenario's hash."""
    plain = parse_scenario(_minimal())
    dump = plain.model_dump(mode="json")
    for phase in dump["phases"]:
        del phase["ramp"], phase["ramp_minutes"]
    blob = json.dumps(dump, sort_keys=True, ensure_ascii=False)
    assert plain.content_hash == hashlib.sha256(blob.encode()).hexdigest()[:16]
    data = _minimal()
    data["phases"][0]["ramp"] = "step"  # the default, said out loud
    assert parse_scenario(data).content_hash == plain.content_hash
    data["phases"][0].update(ramp="exponential", rate_end_per_minute=3, ramp_minutes=4)
    assert parse_scenario(data).content_hash != plain.content_hash


# --- slots, limits and cross-field checks in the schema ----------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("{brand} my {wizard} broke", "character 12: unknown slot {wizard}"),
    ("{brand} {brand.__class__.__mro__}", "attribute and index access are not allowed"),
    ("{brand:>2000000000}", "format specs (after ':') are not allowed"),
    ("{0} down again", "positional slots are not allowed"),
    ("{brand[5000]}", "attribute and index access are not allowed"),
    ("so { annoyed", "character 4: stray '{'"),
])
def test_parse_scenario_inject_template_problem_names_field_and_character(
        text: str, message: str) -> None:
    data = _minimal()
    data["injects"] = [{"at_minute": 2, "persona": "angry", "intent": "outage", "text": text}]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "inject.yaml")
    (problem,) = caught.value.problems
    assert problem.startswith("inject.yaml: injects[0].text: ")
    assert message in problem


def test_inject_known_slots_are_the_writers_slots() -> None:
    from engine.text import SLOTS

    assert known_slots() == frozenset(SLOTS)


def _problem(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "x.yaml")
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def test_parse_scenario_overlapping_phases_is_an_error() -> None:
    data = _minimal()
    data["phases"][1]["start_minute"] = 15
    assert _problem(data) == ("x.yaml: phases[1].start_minute: 'Midday' starts at minute 15, "
                              "inside phases[0] 'Morning' (minutes 0-20); phases must not "
                              "overlap")


@pytest.mark.parametrize(("path", "value", "message"), [
    (("phases", 0, "rate_per_minute"), 1e6, "must be <= 2,000"),
    (("phases", 0, "rate_per_minute"), math.inf, "must be a finite number"),
    (("phases", 0, "rate_per_minute"), math.nan, "must be a finite number"),
    (("phases", 0, "rate_per_minute"), True, "must be a number (got true)"),
    (("duration_minutes",), 10_081, "must be <= 10,080"),
    (("title",), "x" * 121, "must be at most 120 characters"),
    (("briefing",), "x" * 5_001, "must be at most 5,000 characters"),
    (("brand", "products"), ["p"] * 51, "must have at most 50 items"),
    (("brand", "dm_link"), "javascript:alert(1)", "must be an http:// or https:// link"),
    (("sla_minutes",), {"urgent": math.inf}, "must be a finite number"),
])
def test_parse_scenario_limits_name_the_field(path: tuple[str | int, ...], value: Any,
                                              message: str) -> None:
    data = _minimal()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    problem = _problem(data)
    assert message in problem, problem


def test_parse_scenario_mentions_ceiling_counts_peak_rate_times_length() -> None:
    data = _minimal()
    data["duration_minutes"] = 10_080
    data["phases"] = [{"name": "Week", "start_minute": 0, "end_minute": 10_080,
                       "rate_per_minute": 10, "personas": {"angry": 1},
                       "intents": {"outage": 1}}]
    assert _problem(data) == ("x.yaml: phases: the phases could bring up to 100,800 mentions "
                              "(peak rate x length); the limit is 100,000 per drill")
    data["phases"][0]["rate_per_minute"] = 9.9
    assert parse_scenario(data).duration_minutes == 10_080


def test_parse_scenario_duplicate_macro_titles_are_an_error() -> None:
    data = _minimal()
    data["brand"]["macros"] = [{"title": "Sorry", "text": "a"}, {"title": "Sorry", "text": "b"}]
    assert "x.yaml: brand.macros[1].title: 'Sorry' is also the title of macros[0]" in \
        _problem(data)


def test_parse_scenario_problems_capped_with_a_count() -> None:
    data = _minimal()
    data["brand"]["products"] = [""] * 50 + [7] * 40
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "x.yaml")
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "x.yaml: ... and 40 more problems"


# --- files: read safely, refused by name --------------------------------------------------------

def test_load_scenario_line_numbers_point_at_the_field(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8").replace(
        "rate_per_minute: 2", "rate_per_minute: 1e6")
    path = tmp_path / "fast.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    rate_per_minute: 1e6") + 1
    assert _problems(path) == [f"fast.yaml: line {line}: phases[1].rate_per_minute: must be "
                               "<= 2,000 (got '1e6')"]


def test_load_scenario_symlink_to_a_device_refused_without_reading(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert _problems(link) == ["zero.yaml: is a character device (a link to /dev/zero), not a "
                               "file; it was not read"]


def test_load_scenario_directory_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    assert _problems(tmp_path / "dir.yaml") == [
        "dir.yaml: is a directory, not a file; it was not read"]


def test_load_scenario_named_pipe_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert _problems(fifo) == ["pipe.yaml: is a named pipe, not a file; it was not read"]


def test_builtin_scenario_never_opens_a_path_spelled_by_an_id() -> None:
    for bad in ("/dev/zero", "../scenarios/telecom-outage", "telecom-outage.yaml", ""):
        with pytest.raises(ScenarioError, match="not a built-in scenario id"):
            builtin_scenario(bad)
    assert builtin_scenario("telecom-outage").id == "telecom-outage"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_training_session_every_known_slot_renders_in_an_inject(language: str) -> None:
    """A scenario that validates cannot fail at run time: every slot ``validate`` accepts in an
    inject's text fills in when the inject is posted (in both languages)."""
    data = _minimal()
    data["language"] = language
    slots = sorted(known_slots())
    data["injects"] = [{"at_minute": 1 + i * 0.1, "persona": "angry", "intent": "outage",
                        "text": f"{{brand}} {{{slot}}} {{{{ok}}}}"}
                       for i, slot in enumerate(slots)]
    session = TrainingSession(parse_scenario(data), seed=5)
    session.advance_to(1 + len(slots) * 0.1)
    arrived = [e for e in session.transcript
               if isinstance(e, MentionArrived) and e.source == "inject"]
    assert len(arrived) == len(slots)
    for event in arrived:
        assert "{ok}" in event.text and "{" not in event.text.replace("{ok}", "")


def test_a_field_name_with_a_line_break_is_named_on_one_line() -> None:
    """Found by the fuzz properties: a key holding "\\n" split its error into two lines."""
    from engine.loading import where

    assert where(("scoring_weights", "\n")) == "scoring_weights.'\\n'"
    assert where(("phases", 2, "rate_per_minute")) == "phases[2].rate_per_minute"
