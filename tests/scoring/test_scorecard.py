"""Session scorecards: a failing dimension is recorded and counts 0 at its full weight, a
dimension with nothing to grade is left out only when nobody waited, the scorecard's facts
(minutes, coverage, failed, mode, world) round-trip, and the registry explains bad names.
Thin evidence and the early-end rules: tests/scoring/test_grading.py."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest

from scoring import SCORER_VERSION
from scoring.records import Coverage, DimensionResult, Scorecard
from scoring.registry import (
    DIMENSIONS,
    UnknownDimensionError,
    get_dimension,
    known_dimensions,
    register_dimension,
)
from scoring.scorecard import combine, score_session
from scoring.speed import SpeedDimension
from tests.scoring.builders import Drill, scenario


class Fixed:
    def __init__(self, name: str, value: float | None) -> None:
        self.name, self.value = name, value

    def score(self, transcript, scenario):
        return DimensionResult(name=self.name, score=self.value)


class Boom:
    name = "empathy"

    def score(self, transcript, scenario):
        raise RuntimeError("lexicon exploded")


class WantsJudge:
    name = "tone"
    supports_judge: ClassVar[bool] = True

    def __init__(self) -> None:
        self.seen = "no call"

    def score(self, transcript, scenario, judge=None):
        self.seen = judge
        return DimensionResult(name=self.name, score=50.0, judge="llm:test")


def drill() -> Drill:
    d = Drill(scenario(scoring_weights={"speed": 0.5, "empathy": 0.25, "tone": 0.0,
                                        "privacy": 0.25}))
    d.mention("t1", 0)
    d.reply("t1", 3, "So sorry about the double charge, we're refunding it today.")
    return d


def test_score_session_failing_dimension_is_recorded_counts_zero_and_the_rest_still_score():
    # Changed by issue 8: a failed dimension used to drop out (its weight renormalised onto the
    # others, which raised the overall); now it counts 0 at its full weight.
    d = drill()
    card = score_session(d.events, d.scenario, dimensions=["speed", Boom(), "privacy"])
    failed = card.dimension("empathy")
    assert failed is not None and failed.score is None
    assert failed.error is not None and failed.error.startswith("RuntimeError: lexicon exploded")
    assert "test_scorecard.py" in failed.error
    assert failed.findings[0].kind == "dimension_failed"
    assert "lexicon exploded" in failed.findings[0].explanation
    assert card.failed == ("empathy",)
    assert card.dimension("speed").score == 100.0  # type: ignore[union-attr]
    privacy = card.dimension("privacy").score  # type: ignore[union-attr]
    assert privacy is not None
    assert card.weights == {"speed": 0.5, "empathy": 0.25, "privacy": 0.25}
    assert card.overall == pytest.approx(0.5 * 100 + 0.25 * privacy, abs=0.05)


def test_score_session_failed_dimension_keeps_its_weight():
    d = drill()
    card = score_session(d.events, d.scenario,
                         dimensions=[Fixed("speed", 80.0), Boom(), Fixed("privacy", 40.0)])
    assert card.weights == {"speed": 0.5, "empathy": 0.25, "privacy": 0.25}
    assert card.overall == pytest.approx(0.5 * 80 + 0.25 * 40, abs=0.05)


def test_combine_dimension_without_weight_counts_zero_and_all_zero_counts_equally():
    weights, overall = combine([DimensionResult("speed", 90.0), DimensionResult("extra", 10.0)],
                               {"speed": 0.25})
    assert weights == {"speed": 1.0, "extra": 0.0} and overall == 90.0
    weights, overall = combine([DimensionResult("a", 90.0), DimensionResult("b", 10.0)], {})
    assert weights == {"a": 0.5, "b": 0.5} and overall == 50.0


def test_score_session_every_dimension_failing_gives_zero():
    # Changed by issue 8: used to give no overall (None); failures count 0, so it is 0.
    d = drill()
    card = score_session(d.events, d.scenario, dimensions=[Boom()])
    assert card.overall == 0.0 and card.weights == {"empathy": 1.0}
    assert card.failed == ("empathy",)


@pytest.mark.parametrize("bad", [150.0, -1.0, float("nan")])
def test_score_session_out_of_range_score_is_recorded_as_error(bad):
    d = drill()
    card = score_session(d.events, d.scenario, dimensions=[Fixed("speed", bad)])
    assert card.dimensions[0].score is None and "outside 0-100" in str(card.dimensions[0].error)


def test_score_session_not_applicable_dimension_is_left_out_of_the_weights():
    d = drill()
    card = score_session(d.events, d.scenario,
                         dimensions=[Fixed("speed", 60.0), Fixed("escalation", None)])
    assert card.weights == {"speed": 1.0, "escalation": 0.0} and card.overall == 60.0


def test_score_session_reply_dimension_with_nothing_to_grade_counts_zero_when_customers_waited():
    d = drill()
    card = score_session(d.events, d.scenario,
                         dimensions=[Fixed("speed", 60.0), Fixed("privacy", None)])
    privacy = card.dimension("privacy")
    assert privacy is not None and privacy.score == 0.0 and privacy.error is None
    assert privacy.findings[0].kind == "nothing_to_grade"
    assert privacy.metrics["grading"]["rule"] == "no_replies"
    assert card.weights == {"speed": pytest.approx(2 / 3, abs=1e-3),
                            "privacy": pytest.approx(1 / 3, abs=1e-3)}
    assert card.overall == 40.0


def test_score_session_reply_dimension_with_nothing_to_grade_is_left_out_when_nobody_waited():
    d = Drill(scenario(scoring_weights={"speed": 0.5, "empathy": 0.25, "tone": 0.0,
                                        "privacy": 0.25}))
    d.mention("t1", 0, persona="praise", intent="praise")
    d.like("t1", 1)
    card = score_session(d.events, d.scenario,
                         dimensions=[Fixed("speed", 60.0), Fixed("privacy", None)])
    assert card.dimension("privacy").score is None  # type: ignore[union-attr]
    assert card.overall == 60.0 and card.coverage.customers == 0


def test_score_session_records_scorer_version_seed_and_scenario_hash():
    d = drill()
    card = score_session(d.events, d.scenario, dimensions=["speed"])
    assert card.scorer_version == SCORER_VERSION
    assert card.seed == 7 and card.scenario_hash == d.scenario.content_hash
    assert card.scenario_id == "test-drill"
    assert '"scorer_version"' in card.to_json()


def test_score_session_records_minutes_coverage_mode_and_world():
    d = drill()
    d.mention("t2", 10)
    d.sample(20)
    card = score_session(d.events, d.scenario, dimensions=["speed"], mode="practice",
                         world="abc123")
    assert card.minutes_played == 20 and card.drill_minutes == 60 and card.complete is False
    assert (card.coverage.customers, card.coverage.answered) == (2, 1)
    assert card.mode == "practice" and card.world == "abc123" and card.failed == ()
    plain = score_session(d.events, d.scenario, dimensions=["speed"])
    assert plain.mode == "" and plain.world == ""


def test_score_session_complete_when_played_to_the_scenarios_end():
    d = drill()
    d.sample(60)
    card = score_session(d.events, d.scenario, dimensions=["speed"])
    assert card.minutes_played == 60 and card.complete is True


def test_scorecard_round_trips_through_its_dict():
    d = drill()
    d.mention("t2", 5)
    d.sample(60)
    card = score_session(d.events, d.scenario, dimensions=["speed", Boom(), "privacy"],
                         mode="assessment", world="w1")
    data = card.to_dict()
    assert data["complete"] is True and data["failed"] == ["empathy"]
    assert data["coverage"] == {"customers": 2, "answered": 1, "share": 0.5}
    again = Scorecard.from_dict(json.loads(card.to_json()))
    assert again == card


def test_scorecard_from_an_old_dict_takes_defaults():
    old = {"scenario_id": "s", "scenario_hash": "h", "seed": 3, "scorer_version": "2026.11.2",
           "dimensions": [{"name": "speed", "score": 70.0},
                          {"name": "tone", "score": None, "error": "boom"}],
           "weights": {"speed": 1.0, "tone": 0.0}, "overall": 70.0}
    card = Scorecard.from_dict(old)
    assert card.minutes_played is None and card.drill_minutes is None
    assert card.complete is None and card.coverage == Coverage()
    assert card.failed == ("tone",) and card.mode == "" and card.world == ""
    assert card.to_dict()["complete"] is None


def test_score_session_default_dimensions_run_in_order_without_crashing():
    d = drill()
    card = score_session(d.events, d.scenario)
    assert [r.name for r in card.dimensions] == list(DIMENSIONS)
    assert card.dimension("speed").score is not None  # type: ignore[union-attr]


def test_score_session_passes_judge_only_to_dimensions_that_support_it():
    d = drill()
    wants = WantsJudge()
    judge = object()
    card = score_session(d.events, d.scenario, dimensions=[wants, SpeedDimension()],
                         judge=judge)
    assert wants.seen is judge
    assert card.dimension("tone").judge == "llm:test"  # type: ignore[union-attr]
    assert card.dimension("speed").judge == "offline"  # type: ignore[union-attr]


def test_get_dimension_unknown_name_lists_known_names():
    with pytest.raises(UnknownDimensionError) as info:
        get_dimension("sped")
    message = str(info.value)
    assert "'sped'" in message and "speed" in message and "privacy" in message


def test_score_session_unknown_dimension_name_raises_helpful_error():
    d = drill()
    with pytest.raises(UnknownDimensionError, match="known:"):
        score_session(d.events, d.scenario, dimensions=["speed", "kindness"])


def test_get_dimension_builtin_returns_a_fresh_instance():
    first, second = get_dimension("speed"), get_dimension("speed")
    assert isinstance(first, SpeedDimension) and first is not second


def test_register_dimension_import_failure_is_recorded(monkeypatch):
    from scoring import registry

    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))

    def broken():
        raise ImportError("No module named 'scoring.kindness'")

    register_dimension("kindness", broken)
    assert "kindness" in known_dimensions()
    d = drill()
    card = score_session(d.events, d.scenario, dimensions=["speed", "kindness"])
    assert card.dimension("kindness").error.startswith("ImportError")  # type: ignore[union-attr]
    assert card.overall == 100.0
