"""How a drill's grade is settled (docs/grading.md): failures and empty dimensions never pay, thin
evidence is pulled toward the neutral prior and never raised, and on synthetic floods leaving
early never beats working the flood with decent replies."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.records import Coverage, DimensionResult
from scoring.scorecard import (
    EVIDENCE_PSEUDO_COUNT,
    NEUTRAL_PRIOR,
    combine,
    score_session,
    settle,
    trust,
)
from tests.scoring.builders import Drill, scenario

PERFECT = ("So sorry you were charged twice - that's really frustrating. I've flagged it to "
           "billing and we'll refund the duplicate today; I'll confirm here once it's done.")
DECENT = "Sorry about that, we're on it!"


class Fixed:
    def __init__(self, name: str, value: float | None) -> None:
        self.name, self.value = name, value

    def score(self, transcript, scenario):
        return DimensionResult(name=self.name, score=self.value)


class Boom:
    def __init__(self, name: str) -> None:
        self.name = name

    def score(self, transcript, scenario):
        raise ValueError("the judge answered a non-JSON page")


# ------------------------------------------------------------------------------ the rules

@pytest.mark.parametrize(("answered", "customers", "expected"), [
    (0, 0, 1.0),          # nobody needed an answer: nothing to doubt
    (5, 5, 1.0),          # everyone answered, however few
    (1, 300, 1 - (299 / 300) * 10 / 11),
    (30, 300, 1 - 0.9 * 10 / 40),
    (400, 1000, 1 - 0.6 * 10 / 410),
    (0, 10, 0.0),
])
def test_trust_is_one_minus_unanswered_share_times_thin_evidence(answered, customers, expected):
    assert trust(Coverage(customers, answered)) == pytest.approx(expected)


def test_trust_of_unknown_coverage_is_zero():
    assert trust(None) == 0.0


@pytest.mark.parametrize(("raw", "answered", "customers", "expected"), [
    (100.0, 1, 300, 54.7),   # docs/grading.md, example 1
    (96.0, 30, 300, 85.7),   # example 2: 50 + 0.775 x 46
    (70.0, 400, 1000, 69.7),
    (90.0, 12, 12, 90.0),    # everyone answered: kept
    (40.0, 1, 300, 40.0),    # at or below the prior: kept
])
def test_settle_thin_evidence_worked_examples(raw, answered, customers, expected):
    result = settle(DimensionResult("empathy", raw), Coverage(customers, answered),
                    reply_quality=True)
    assert result.score == expected
    if expected < raw:
        assert result.metrics["grading"]["raw_score"] == raw
        assert result.findings[0].kind == "thin_evidence"
        assert result.findings[0].impact == pytest.approx(raw - expected, abs=0.05)
        assert f"{customers} customers" in result.findings[0].explanation


def test_settle_leaves_speed_alone():
    result = DimensionResult("speed", 90.0)
    assert settle(result, Coverage(300, 1), reply_quality=False) is result


def test_settle_thin_evidence_finding_in_korean():
    result = settle(DimensionResult("tone", 95.0), Coverage(300, 1), reply_quality=True,
                    language="ko")
    assert "고객 300명 중 1명" in result.findings[0].explanation


scores = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(raw=scores, customers=st.integers(0, 2000), data=st.data(),
       reply_quality=st.booleans(), known=st.booleans())
def test_settle_never_raises_a_score(raw, customers, data, reply_quality, known):
    answered = data.draw(st.integers(0, customers))
    coverage = Coverage(customers, answered) if known else None
    result = settle(DimensionResult("privacy", raw), coverage, reply_quality=reply_quality)
    if raw is None:
        assert result.score in (None, 0.0)
    else:
        assert result.score is not None and result.score <= raw


NAMES = ("speed", "empathy", "tone", "privacy", "escalation")
weights_st = st.fixed_dictionaries({n: st.floats(0, 1) for n in NAMES[:4]}).filter(
    lambda w: sum(w.values()) > 0.01)


def card_overall(values: dict[str, float | None], failing: set[str], weights: dict[str, float],
                 customers: bool) -> float | None:
    d = Drill(scenario(scoring_weights=weights))
    if customers:
        d.mention("t1", 0)
        d.mention("t2", 0)
        d.reply("t1", 2, DECENT)
    specs = [Boom(n) if n in failing else Fixed(n, v) for n, v in values.items()]
    return score_session(d.events, d.scenario, dimensions=specs).overall


@settings(max_examples=150, deadline=None)
@given(values=st.fixed_dictionaries({n: scores for n in NAMES}), weights=weights_st,
       failing=st.sets(st.sampled_from(NAMES), min_size=1), customers=st.booleans())
def test_overall_never_goes_up_when_any_dimension_fails(values, weights, failing, customers):
    before = card_overall(values, set(), weights, customers)
    after = card_overall(values, failing, weights, customers)
    assert after is not None  # a failure always counts
    assert after <= (before if before is not None else 0.0) + 0.05  # 0.05: rounding to 0.1


@settings(max_examples=150, deadline=None)
@given(values=st.fixed_dictionaries({n: scores for n in NAMES}), weights=weights_st,
       blank=st.sets(st.sampled_from(NAMES[1:4]), min_size=1))
def test_overall_never_goes_up_when_a_reply_dimension_has_nothing_to_grade(values, weights,
                                                                           blank):
    # customers waited: a reply dimension with nothing to grade counts 0, never drops out
    before = card_overall(values, set(), weights, True)
    after = card_overall({n: None if n in blank else v for n, v in values.items()}, set(),
                         weights, True)
    assert after is not None
    assert after <= (before if before is not None else 0.0) + 0.05


def test_combine_failed_dimension_keeps_its_weight_and_counts_zero():
    results = [DimensionResult("speed", 80.0), DimensionResult("empathy", None, error="boom")]
    weights, overall = combine(results, {"speed": 0.5, "empathy": 0.5})
    assert weights == {"speed": 0.5, "empathy": 0.5} and overall == 40.0


def test_score_session_lists_failed_dimensions_and_why():
    d = Drill()
    d.mention("t1", 0)
    d.reply("t1", 1, DECENT)
    card = score_session(d.events, d.scenario,
                         dimensions=["speed", Boom("empathy"), "tone", "privacy"])
    assert card.failed == ("empathy",)
    failed = card.dimension("empathy")
    assert failed is not None and "non-JSON" in str(failed.error)
    assert failed.findings[0].rule == "grading/failed" and failed.findings[0].impact == 25.0
    healthy = score_session(d.events, d.scenario)
    assert card.overall is not None and healthy.overall is not None
    assert card.overall < healthy.overall


# ----------------------------------------------------------------- early end vs playing on

DURATION = 90


def flood(answer: dict[str, str], *, stop: float = DURATION, every: float = 0.5) -> Drill:
    """A billing flood: a customer every ``every`` minutes, who follows up 10 minutes later if
    still unanswered; ``answer`` maps thread ids to reply texts, sent 3 minutes after arrival.
    The transcript runs to ``stop`` (the scenario's end unless a practice drill stopped)."""
    d = Drill(scenario(duration_minutes=DURATION))
    timed: list[tuple[float, int, str, str]] = []
    for i in range(int(DURATION / every)):
        opened = i * every
        thread = f"t{i:04d}"
        timed.append((opened, 0, "mention", thread))
        if thread in answer:
            timed.append((opened + 3, 1, "reply", thread))
        else:
            timed.append((opened + 10, 1, "follow", thread))
    timed.extend((float(m), 2, "sample", "") for m in range(1, DURATION + 1))
    for at, _, kind, thread in sorted(timed):
        if at > stop:
            break
        if kind == "mention":
            d.mention(thread, at, handle=f"cust{thread}")
        elif kind == "reply":
            d.reply(thread, at, answer[thread])
        elif kind == "follow":
            d.follow_up(thread, at)
        else:
            d.sample(at)
    return d


def threads(share: float, every: float = 0.5) -> list[str]:
    total = int(DURATION / every)
    step = max(1, round(1 / share)) if share < 1 else 1
    return [f"t{i:04d}" for i in range(0, total, step)][: math.ceil(total * share)]


def overall(d: Drill) -> float:
    card = score_session(d.events, d.scenario)
    assert card.overall is not None and not card.failed
    return card.overall


def test_one_perfect_reply_then_nothing_is_pulled_to_the_prior():
    card = score_session(flood({"t0000": PERFECT}).events, scenario(duration_minutes=DURATION))
    # 180 wrote; the one at minute 89.5 wrote in the last minute and is left out
    assert card.complete is True and card.coverage == Coverage(179, 1)
    for name in ("empathy", "tone", "privacy"):
        dim = card.dimension(name)
        assert dim is not None and dim.score is not None
        assert dim.metrics["grading"]["raw_score"] > 90
        assert NEUTRAL_PRIOR <= dim.score < NEUTRAL_PRIOR + 100 / (1 + EVIDENCE_PSEUDO_COUNT)


@pytest.mark.parametrize("share", [0.15, 0.4, 1.0])
def test_one_perfect_reply_never_beats_working_the_flood_with_decent_replies(share):
    early = overall(flood({"t0000": PERFECT}))
    worked = overall(flood(dict.fromkeys(threads(share), DECENT)))
    assert early < worked


@pytest.mark.parametrize(("left_after", "worked_to"), [(1, 20), (5, 60), (20, 180), (60, 120)])
def test_leaving_early_never_pays_for_the_same_quality_of_work(left_after, worked_to):
    everyone = threads(1.0)
    left = overall(flood(dict.fromkeys(everyone[:left_after], PERFECT)))
    stayed = overall(flood(dict.fromkeys(everyone[:worked_to], PERFECT)))
    assert left <= stayed


def test_practice_drill_stopped_early_is_partial_and_counts_everyone_who_wrote():
    card = score_session(flood({"t0000": PERFECT}, stop=7).events,
                         scenario(duration_minutes=DURATION), mode="practice")
    assert card.complete is False and card.minutes_played == 7
    # 15 wrote by minute 7; the ones at 6.5 and 7.0 wrote in the last minute and are left out
    assert card.coverage.answered == 1 and card.coverage.customers == 13
    empathy = card.dimension("empathy")
    assert empathy is not None and empathy.score is not None and empathy.score < 70


# ------------------------------------------------------------ docs/grading.md, as printed

def test_docs_speed_worked_example():
    d = Drill()
    d.mention("A", 0, priority="urgent")
    d.mention("B", 0)
    d.reply("A", 3, DECENT)
    d.mention("C", 10)
    d.mention("E", 12, persona="troll", intent="abuse")
    d.hide("E", 13)
    d.follow_up("C", 20)
    d.reply("B", 45, DECENT)
    d.mention("D", 50)
    d.mention("F", 59.6)
    d.sample(60)
    card = score_session(d.events, d.scenario, dimensions=["speed"])
    speed = card.dimension("speed")
    assert speed is not None
    assert speed.metrics["components"] == {"sla": 0.792, "coverage": 0.5, "triage": 1.0,
                                           "silence": 0.8}
    assert speed.score == 72.3
    assert card.coverage == Coverage(4, 2) and card.complete is True


def test_docs_failure_worked_example():
    weights = {"speed": 0.4, "empathy": 0.2, "tone": 0.15, "privacy": 0.25}
    results = [DimensionResult("speed", 70.0), DimensionResult("empathy", 80.0),
               DimensionResult("tone", 75.0), DimensionResult("privacy", None, error="boom")]
    assert combine(results, weights)[1] == 55.2
    assert combine(results[:3], weights)[1] == 73.7  # what renormalising used to give


def test_score_session_coverage_is_the_same_with_or_without_speeds_count():
    d = flood(dict.fromkeys(threads(0.4), DECENT), stop=45)
    with_speed = score_session(d.events, d.scenario, dimensions=["speed"]).coverage
    counted_here = score_session(d.events, d.scenario, dimensions=[Fixed("speed", 50.0)])
    assert with_speed == counted_here.coverage and with_speed.customers > 0
