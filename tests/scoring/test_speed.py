"""Speed on hand-built transcripts: coverage, SLA per priority, misses, triage order, silence,
backlog and status updates in incident drills (reply claims: tests/scoring/test_claims.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.speed import (
    LATE_ZERO_AT,
    LowRiskTimes,
    SpeedDimension,
    late_credit,
    percentile,
    triage_counts,
)
from scoring.speed_triage import TRIAGE_GRACE_MINUTES
from tests.scoring.builders import Drill, scenario


def score(drill: Drill):
    return SpeedDimension().score(drill.events, drill.scenario)


def kinds(result) -> list[str]:
    return sorted(f.kind for f in result.findings)


def test_speed_every_reply_within_sla_scores_100():
    d = Drill()
    d.mention("t1", 0)
    d.mention("t2", 1, priority="urgent", persona="journalist", followers=50_000)
    d.reply("t2", 3)
    d.reply("t1", 10)
    d.sample(60)
    result = score(d)
    assert result.score == 100.0
    assert result.findings == ()
    assert result.metrics["coverage"] == 1.0
    assert result.metrics["within_sla_share"] == 1.0


def test_speed_late_reply_gets_partial_credit_and_a_finding_on_the_reply():
    d = Drill()
    d.mention("t1", 0)
    reply = d.reply("t1", 60)  # SLA 30 -> half credit (zero at 3x)
    result = score(d)
    assert result.metrics["components"]["sla"] == pytest.approx(0.5)
    (finding,) = result.findings
    assert finding.kind == "sla_missed" and finding.event_id == reply.event_id
    assert finding.impact == pytest.approx(100 * 0.5 * 0.30 / 0.65, abs=0.01)  # no triage pairs
    assert "60 min" in finding.explanation and "30 min" in finding.explanation


def test_late_credit_falls_to_zero_at_three_times_the_sla():
    assert late_credit(30, 30) == 1.0
    assert late_credit(30 * LATE_ZERO_AT, 30) == 0.0
    assert late_credit(500, 30) == 0.0


def test_speed_unanswered_thread_past_sla_counts_as_breach_with_its_wait():
    d = Drill()
    opened = d.mention("t1", 5, priority="urgent")
    d.sample(60)
    result = score(d)
    (finding,) = [f for f in result.findings if f.kind == "unanswered"]
    assert finding.severity == "critical"
    assert finding.event_id == opened.event_id and "55 min" in finding.explanation
    assert result.metrics["missed"] == 1 and result.metrics["coverage"] == 0.0
    assert [f.kind for f in result.findings] == ["unanswered", "coverage"]


def test_speed_complete_drill_customer_within_sla_at_end_is_a_coverage_miss_not_an_sla_miss():
    # Changed by issue 8: at the scenario's end everyone unanswered is a miss for coverage (it
    # used to be "neither answered nor missed"); their SLA clock had not run out, so no SLA cost.
    d = Drill()
    d.mention("t1", 0)
    d.reply("t1", 5)
    d.mention("t2", 50)  # normal SLA 30, drill ends at 60 = the scenario's length
    d.sample(60)
    result = score(d)
    assert result.metrics["complete"] is True
    assert result.metrics["pending_within_sla"] == 1 and result.metrics["missed"] == 0
    assert result.metrics["components"]["sla"] == 1.0
    assert result.metrics["customers"] == 2 and result.metrics["coverage"] == 0.5
    assert "unanswered_at_end" in kinds(result) and result.score < 100.0


def test_speed_partial_drill_customer_within_sla_at_the_stop_is_a_coverage_miss_too():
    d = Drill()
    d.mention("t1", 0)
    d.reply("t1", 5)
    d.mention("t2", 20)
    d.sample(30)  # stopped at minute 30 of 60: t2 has waited 10 of its 30 minutes
    result = score(d)
    assert result.metrics["complete"] is False
    assert result.metrics["customers"] == 2 and result.metrics["coverage"] == 0.5
    assert result.metrics["components"]["sla"] == 1.0  # t2's SLA clock had not run out
    assert "unanswered_at_end" in kinds(result)


@pytest.mark.parametrize(("arrived", "counted"), [(59.5, False), (59.0, True), (30.0, True)])
def test_speed_complete_drill_last_minute_mention_is_not_counted_unless_answered(arrived,
                                                                                counted):
    d = Drill()
    d.mention("t1", 0)
    d.reply("t1", 1)
    d.mention("t2", arrived)
    d.sample(60)
    metrics = score(d).metrics
    assert metrics["customers"] == (2 if counted else 1)
    assert metrics["answered"] == 1


def test_speed_complete_drill_last_minute_mention_answered_counts():
    d = Drill()
    d.mention("t1", 59.5)
    d.reply("t1", 59.8)
    d.sample(60)
    assert score(d).metrics["customers"] == 1 and score(d).metrics["coverage"] == 1.0


@pytest.mark.parametrize(("answered", "customers", "coverage"), [
    (0, 4, 0.0), (1, 4, 0.25), (3, 4, 0.75), (4, 4, 1.0),
])
def test_speed_coverage_is_answered_over_customers_with_its_weight(answered, customers,
                                                                    coverage):
    d = Drill()
    for i in range(customers):
        d.mention(f"t{i}", 0)
    for i in range(answered):
        d.reply(f"t{i}", 1)
    d.sample(60)
    result = score(d)
    assert result.metrics["components"]["coverage"] == coverage
    assert result.metrics["customers"] == customers and result.metrics["answered"] == answered
    assert result.metrics["component_weights"]["coverage"] == pytest.approx(0.25 / 0.65, abs=1e-3)


def test_speed_hidden_complaint_stays_a_customer_with_a_finding():
    d = Drill()
    d.mention("t1", 0, persona="angry")
    d.mention("t2", 0, persona="troll", intent="abuse")
    d.hide("t1", 1)
    d.hide("t2", 1)
    d.sample(60)
    result = score(d)
    assert result.metrics["customers"] == 1 and result.metrics["answered"] == 0
    assert result.metrics["handled_without_reply"] == 1
    assert "hidden_customer" in kinds(result)


@pytest.mark.parametrize(("persona", "intent", "action", "missed"), [
    ("troll", "abuse", "hide", 0),
    ("praise", "praise", "like", 0),
    ("praise", "praise", None, 1),
    ("angry", "billing", "like", 1),
    ("angry", "billing", "hide", 1),
])
def test_speed_hidden_trolls_and_liked_praise_are_not_misses(persona, intent, action, missed):
    d = Drill()
    d.mention("t1", 0, persona=persona, intent=intent)
    if action == "hide":
        d.hide("t1", 1)
    elif action == "like":
        d.like("t1", 1)
    d.sample(120)
    assert score(d).metrics["missed"] == missed


def test_speed_percentiles_of_first_response_times():
    d = Drill()
    for i in range(5):
        d.mention(f"t{i}", 0)
    for i, minutes in enumerate((2, 4, 6, 8, 10)):
        d.reply(f"t{i}", minutes)
    result = score(d)
    assert result.metrics["first_response_p50"] == 6.0
    assert result.metrics["first_response_p90"] == pytest.approx(9.2)
    assert percentile([], 50) is None


def test_speed_triage_low_risk_answered_while_journalist_waits_is_an_inversion():
    d = Drill()
    journalist = d.mention("hi", 0, persona="journalist", priority="urgent", followers=80_000)
    d.mention("lo", 0)
    d.reply("lo", 5)
    d.reply("hi", 20)
    result = score(d)
    assert result.metrics["components"]["triage"] == 0.0
    inversion = next(f for f in result.findings if f.kind == "triage_inversion")
    assert inversion.thread_id == "hi" and inversion.event_id == journalist.event_id
    assert "journalist" in inversion.explanation


def test_speed_triage_high_risk_answered_first_scores_full_triage():
    d = Drill()
    d.mention("hi", 0, text="@NimbusCares my lawyer will hear about this", priority="urgent")
    d.mention("lo", 0)
    d.reply("hi", 3)
    d.reply("lo", 6)
    result = score(d)
    assert result.metrics["components"]["triage"] == 1.0
    assert result.metrics["triage_pairs"] == 1


def test_speed_triage_mention_just_arrived_is_not_blamed():
    d = Drill()
    d.mention("lo", 0)
    d.mention("hi", 4.5, persona="vip", priority="urgent", followers=900_000)
    d.reply("lo", 5)  # the VIP arrived 30 s ago: not seen yet
    d.reply("hi", 8)
    assert score(d).metrics["triage_pairs"] == 0


def test_speed_follow_up_during_silence_is_counted_but_not_after_a_reply():
    d = Drill()
    d.mention("t1", 0)
    follow = d.follow_up("t1", 10)
    d.reply("t1", 12)
    d.follow_up("t1", 20, attempt=2)
    result = score(d)
    assert result.metrics["silence_follow_ups"] == 1
    (finding,) = [f for f in result.findings if f.kind == "follow_up_after_silence"]
    assert finding.event_id == follow.event_id


def test_speed_by_priority_metrics_use_each_priority_sla():
    d = Drill()
    d.mention("u", 0, priority="urgent")
    d.mention("n", 0)
    d.reply("u", 10)  # urgent SLA 5: late
    d.reply("n", 10)  # normal SLA 30: fine
    result = score(d)
    by = result.metrics["by_priority"]
    assert by["urgent"]["within_sla_share"] == 0.0 and by["urgent"]["sla_minutes"] == 5
    assert by["normal"]["within_sla_share"] == 1.0


def test_speed_backlog_uses_engine_samples_when_present():
    d = Drill()
    d.mention("t1", 0)
    d.sample(1, waiting=3)
    d.sample(2, waiting=7)
    d.reply("t1", 2.5)
    d.sample(3, waiting=1)
    metrics = score(d).metrics
    assert metrics["backlog_peak"] == 7 and metrics["backlog_peak_minute"] == 2.0


def test_speed_backlog_rebuilt_per_minute_without_samples():
    d = Drill()
    d.mention("t1", 0)
    d.mention("t2", 1)
    d.reply("t1", 3)
    d.reply("t2", 4)
    metrics = score(d).metrics
    assert metrics["backlog"][:5] == [[0.0, 1], [1.0, 2], [2.0, 2], [3.0, 1], [4.0, 0]]


def test_speed_nothing_to_time_scores_none():
    result = score(Drill())
    assert result.score is None and result.error is None


def test_speed_liked_praise_only_scores_none_without_customers():
    d = Drill()
    d.mention("t1", 0, persona="praise", intent="praise")
    d.like("t1", 1)
    d.sample(60)
    result = score(d)
    assert result.score is None and result.metrics["customers"] == 0


# ---------------------------------------------------------------------------- status updates

INCIDENT = dict(status_updates_expected=True, status_cadence_minutes=20,
                incident=[{"from_minute": 0, "down": "the app", "since": "09:00",
                           "keywords": ["app", "login"]},
                          {"from_minute": 30, "down": "the app", "since": "09:00",
                           "eta": "10:15", "keywords": ["app", "login"]}])


def incident_drill(keywords: str = "app, login") -> Drill:
    d = Drill(scenario(**INCIDENT))
    d.incident(0, down="the app", since="09:00", keywords=keywords, eta="", compensation="")
    d.mention("t1", 1, intent="outage")
    d.reply("t1", 2)
    return d


def status_kinds(result) -> list[str]:
    return sorted(f.kind for f in result.findings if f.rule.startswith("status/"))


def test_speed_status_on_time_with_the_facts_has_no_findings():
    d = incident_drill()
    d.status(5, "The app and login are down since 09:00. We're on it; next update in 20 min.")
    d.status(24, "Still working on the app login outage. Next update by 09:45.")
    d.incident(30, down="the app", since="09:00", keywords="app, login", eta="10:15",
               compensation="")
    d.status(40, "App and login fix expected by 10:15. Thanks for your patience.")
    d.sample(55)
    result = score(d)
    assert status_kinds(result) == []
    assert result.metrics["status"]["first_status_minutes"] == 5


def test_speed_status_missing_in_incident_drill_is_critical():
    d = incident_drill()
    d.sample(40)
    result = score(d)
    (finding,) = [f for f in result.findings if f.kind == "no_status_update"]
    assert finding.severity == "critical"
    assert result.metrics["components"]["status"] == 0.0


def test_speed_status_late_and_sparse_raise_late_and_gap_findings():
    d = incident_drill()
    d.status(30, "The app login is down, we're on it.")
    d.sample(80)
    assert status_kinds(score(d)) == ["status_gap", "status_late"]


@pytest.mark.parametrize(("text", "expected"), [
    ("The app login is down. It will be fixed within 2 hours.", ["status_unsupported_eta"]),
    ("The app login is down. Next update in 30 minutes.", []),
    ("The app login is down. Back by 11:30!", ["status_unsupported_eta"]),
    ("The app login is down. Everyone gets a free month as compensation.",
     ["status_unsupported_compensation"]),
    ("We're looking into reports.", ["status_missing_facts"]),
    ("The app login is down. No ETA yet; we'll share compensation details once decided.", []),
    ("앱 로그인 장애가 있습니다. 30분 내 복구됩니다.", ["status_unsupported_eta"]),
    ("앱 로그인 장애가 있습니다. 복구 예정 시각은 아직 미정입니다.", []),
])
def test_speed_status_content_checked_against_facts(text, expected):
    d = incident_drill("앱, 로그인" if text.startswith("앱") else "app, login")
    d.status(5, text)
    d.sample(20)
    assert status_kinds(score(d)) == expected


def test_speed_status_eta_contradicting_the_facts_is_wrong_eta():
    d = incident_drill()
    d.status(5, "The app login is down.")
    d.incident(30, down="the app", since="09:00", keywords="app, login", eta="10:15",
               compensation="")
    d.status(31, "The app login fix is expected by 11:00.")
    d.sample(45)
    assert "status_wrong_eta" in status_kinds(score(d))


def test_speed_status_facts_fall_back_to_the_scenario_without_incident_events():
    d = Drill(scenario(**INCIDENT))
    d.mention("t1", 1, intent="outage")
    d.reply("t1", 2)
    d.status(35, "The app login is down; fix expected by 11:00.")  # scenario ETA is 10:15
    d.sample(50)
    assert "status_wrong_eta" in status_kinds(score(d))


def test_speed_status_component_only_in_incident_drills():
    d = Drill()
    d.mention("t1", 0, intent="outage")
    d.reply("t1", 1)
    assert "status" not in score(d).metrics["components"]


def slots(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def brute_force_triage(h_opened, h_answered, lows):
    """The definition, pair by pair (what triage_counts computes with binary searches)."""
    good = inverted = 0
    for opened, answered in lows:
        first = min(h_answered, answered)
        if first == math.inf:
            continue
        # The same arithmetic as the binary searches (a float boundary such as 0.8 + 2.0 vs
        # 2.8 - 2.0 must fall on the same side in both)
        if h_answered <= answered:
            if opened <= h_answered - TRIAGE_GRACE_MINUTES:
                good += 1
        elif h_opened + TRIAGE_GRACE_MINUTES <= answered:
            inverted += 1
    return good, inverted


minutes = st.floats(min_value=0, max_value=120, allow_nan=False).map(lambda x: round(x, 1))
waits = st.one_of(st.none(), st.floats(min_value=0, max_value=60).map(lambda x: round(x, 1)))


@settings(max_examples=300, deadline=None)
@given(h=st.tuples(minutes, waits), lows=st.lists(st.tuples(minutes, waits), max_size=30))
def test_triage_counts_match_the_pairwise_definition(h, lows):
    def answered(opened, wait):
        return math.inf if wait is None else opened + wait

    times = [(o, None if w is None else o + w) for o, w in lows]
    got = triage_counts(h[0], answered(*h), LowRiskTimes.of(times))
    assert got == brute_force_triage(h[0], answered(*h),
                                     [(o, answered(o, w)) for o, w in lows])


def test_speed_findings_follow_the_drills_language():
    from scoring import speed_text
    from tests.scoring.builders import Drill, scenario

    korean = scenario(language="ko", status_updates_expected=True,
                      incident=[{"from_minute": 0, "down": "결제", "keywords": ["결제"]}])
    d = Drill(korean)
    d.mention("t1", 0, persona="journalist", priority="urgent", followers=50_000,
              intent="outage", text="@NimbusCares 기자입니다. 장애 확인 부탁드립니다")
    d.mention("t2", 1, intent="outage")
    d.reply("t2", 2, "확인 중입니다")
    d.mention("t3", 3, intent="outage")
    d.mention("t4", 12, intent="outage")  # by now the journalist waited past the 5-min SLA
    card = SpeedDimension().score(d.events, korean)
    texts = [f.explanation for f in card.findings]
    assert any("기자" in t and "긴급" in t for t in texts), texts
    assert any("공지" in t for t in texts), texts
    assert all(any("\uac00" <= c <= "\ud7a3" for c in t) for t in texts), texts
    # every message key exists in both languages, with the same slots
    en, ko = speed_text.wording("en"), speed_text.wording("ko")
    for section in ("messages", "reasons", "panel", "grading", "missing", "plural", "claims"):
        assert en[section].keys() == ko[section].keys(), section
    for key, entry in en["messages"].items():  # the same slots in both languages
        for part in ("explanation", "suggestion"):
            assert slots(entry[part]) >= slots(ko["messages"][key][part]), (key, part)
