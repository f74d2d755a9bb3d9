"""Hypothesis over the readers of untrusted input: whatever comes in, the answer is a value
that keeps every promise of its schema or an error naming where it is, never a crash."""

from __future__ import annotations

import copy
import io
import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.formatter import check
from engine.loading import LoadError, parse_yaml
from engine.records import ACTION_TYPES, EVENT_TYPES
from engine.scenario import (
    MAX_MENTIONS,
    MAX_MINUTES,
    MAX_RATE_PER_MINUTE,
    Scenario,
    ScenarioError,
    builtin_paths,
    known_slots,
    parse_scenario,
)
from scoring.inputs import InputError, event_from_line, record_problems
from stormdesk.player import ActionsFileError, parse_actions

ROOT = Path(__file__).resolve().parents[2]
BASE: dict[str, Any] = yaml.safe_load(
    (ROOT / "tests/fixtures/scenarios/corpus_base.yaml").read_text(encoding="utf-8"))
TRANSCRIPT = (ROOT / "tests/fuzz/corpus/base-transcript.jsonl").read_text(
    encoding="utf-8").splitlines()
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# --- values an attacker or a careless author would write ---------------------------------------

_NUMBERS = st.one_of(st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([0, -1, 1e6, 1e9, 2_001, 10_081, 1e400, -0.0]))
_TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["{wizard}", "{brand.__class__.__mro__}", "{brand[5000]}", "{0}", "{",
                     "}", "{brand:>2000000000}", "{brand!r}", "x" * 6000, "", " ", "\x00",
                     "\ud800", "../../dev/zero", "javascript:alert(1)"]))
_SCALARS = st.one_of(_NUMBERS, _TEXTS, st.booleans(), st.none())
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


#: Values a careful author would write, so some mutations still make a valid drill.
_PLAUSIBLE = st.one_of(st.floats(0, 60), st.integers(0, 60),
                       st.sampled_from(["{brand} is it down?", "Storm", "09:30", "app", "en"]))


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


PATHS = _paths(BASE)


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _assert_keeps_its_promises(scenario: Scenario) -> None:
    numbers = [scenario.duration_minutes, scenario.status_cadence_minutes]
    for phase in scenario.phases:
        numbers += [phase.start_minute, phase.end_minute, phase.rate_per_minute,
                    phase.rate_end_per_minute or 0.0, *phase.personas.values(),
                    *phase.intents.values()]
        assert phase.peak_rate <= MAX_RATE_PER_MINUTE
    assert all(math.isfinite(n) for n in numbers)
    assert scenario.duration_minutes <= MAX_MINUTES
    spans = sorted((p.start_minute, p.end_minute) for p in scenario.phases)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert sum(p.peak_rate * (p.end_minute - p.start_minute)
               for p in scenario.phases) <= MAX_MENTIONS
    for inject in scenario.injects:
        assert check(inject.text, known_slots()) == []


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(_VALUES, _PLAUSIBLE)), min_size=1,
                max_size=3))
def test_parse_scenario_any_mutation_is_valid_or_named(edits: list[tuple[Any, Any]]) -> None:
    data = copy.deepcopy(BASE)
    for path, value in edits:
        try:
            _set(data, path, value)
        except (TypeError, KeyError, IndexError):  # an earlier edit replaced a parent
            continue
    try:
        scenario = parse_scenario(data, "fuzz.yaml")
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.startswith("fuzz.yaml: ") and "\n" not in problem
            assert "Traceback" not in problem
        return
    _assert_keeps_its_promises(scenario)


@FUZZ
@given(st.text(max_size=400))
def test_parse_yaml_any_text_is_data_or_load_error(text: str) -> None:
    try:
        document = parse_yaml(text, "fuzz.yaml")
    except LoadError as exc:
        assert all(p.startswith("fuzz.yaml: ") for p in exc.problems)
        return
    json.dumps(document.data, default=str)  # plain data, nothing else


_PLAIN = st.recursive(
    st.one_of(st.integers(-10**6, 10**6), st.text(max_size=20), st.booleans(), st.none(),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner,
                                            max_size=4)), max_leaves=15)


@FUZZ
@given(st.dictionaries(st.text(min_size=1, max_size=8), _PLAIN, max_size=6))
def test_parse_yaml_reads_what_safe_load_reads(data: dict[str, Any]) -> None:
    """The safe loader is a drop-in for ``yaml.safe_load`` on every file without anchors."""
    text = yaml.safe_dump(data, allow_unicode=True)
    assert parse_yaml(text, "x.yaml").data == yaml.safe_load(text)


@pytest.mark.parametrize("path", builtin_paths(), ids=[p.stem for p in builtin_paths()])
def test_parse_yaml_shipped_scenario_equals_safe_load(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = parse_yaml(text, path.name)
    assert document.data == yaml.safe_load(text)
    assert document.line_of(("phases", 0, "rate_per_minute")) is not None


# --- transcripts, rate inputs, actions ---------------------------------------------------------

_EVENT_LINES = st.sampled_from(range(len(TRANSCRIPT)))


@FUZZ
@given(_EVENT_LINES, st.data())
def test_event_from_line_any_field_change_is_an_event_of_its_types_or_input_error(
        index: int, data: st.DataObject) -> None:
    event = json.loads(TRANSCRIPT[index])
    key = data.draw(st.sampled_from(sorted(event)))
    event[key] = data.draw(_VALUES)
    try:
        parsed = event_from_line(json.dumps(event))
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    as_json = json.loads(parsed.to_json())
    assert record_problems(EVENT_TYPES[as_json["type"]], as_json) == []


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=60), _VALUES.map(json.dumps)), max_size=6))
@example(["\x85", '{"reply": "ok"}', "\u2028"])
def test_rate_lines_any_lines_never_raise_and_keep_every_good_line(lines: list[str]) -> None:
    pytest.importorskip("scoring.empathy")
    from scoring.cli import rate_lines

    body = "\n".join(line.replace("\n", " ") for line in lines).encode("utf-8", "replace")
    out = io.StringIO()
    failed = rate_lines(io.BytesIO(body), out, "fuzz.jsonl")
    written = out.getvalue().splitlines()
    # a line is blank as the reader sees it: str.strip (U+0085, U+2028 and the like count)
    nonblank = [line for line in body.decode("utf-8", "replace").split("\n") if line.strip()]
    assert failed + len(written) == len(nonblank)
    for row in written:
        json.loads(row)  # valid JSON, no NaN, no surrogate


_ACTION = st.fixed_dictionaries(
    {"minute": _NUMBERS, "kind": st.one_of(st.sampled_from(sorted(ACTION_TYPES)), _TEXTS)},
    optional={"thread_id": _VALUES, "text": _VALUES, "channel": _VALUES, "mention_id": _VALUES,
              "keywords": _VALUES, "followers": _VALUES, "agent": _VALUES, "x": _VALUES})


@FUZZ
@given(st.lists(_ACTION, max_size=5))
def test_parse_actions_any_lines_are_typed_actions_or_named_problems(
        actions: list[dict[str, Any]]) -> None:
    lines = [json.dumps(a) for a in actions]
    try:
        parsed = parse_actions(lines, "fuzz.jsonl")
    except ActionsFileError as exc:
        for problem in exc.problems:
            assert problem.startswith("fuzz.jsonl: line ")
        return
    for scripted in parsed:
        data = scripted.action.to_dict()
        assert record_problems(ACTION_TYPES[data.pop("kind")], data) == []
        assert math.isfinite(scripted.minute) and scripted.minute >= 0
