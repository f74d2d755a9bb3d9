"""Claims about the incident (cause, ETA, compensation) in replies and status updates, checked
against the panel as the desk showed it at that minute: detection tables in both languages,
hedged language that must stay silent, and the findings speed raises (quoting the reply's words
and the panel)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import speed_claims
from scoring.speed import SpeedDimension
from scoring.speed_claims import check_claims, clocks, find_claims, panel_facts
from scoring.speed_status import CLAIM_DEDUCTION
from tests.scoring.builders import Drill, scenario

UNKNOWN = {"down": "Calls and mobile data in the North region", "since": "08:45",
           "status_page": "status.brightwave.example", "eta": "", "compensation": "",
           "keywords": "outage, North, investigating", "affected": "North region customers",
           "cause": ""}
KNOWN = UNKNOWN | {"cause": "a faulty core network software update", "eta": "12:00"}
COMPENSATED = KNOWN | {"compensation": "2 days of unlimited data added automatically"}
#: Facts as engines before the ``cause`` key wrote them: the cause inside ``down``.
OLD_KNOWN = {"down": "Calls down in the North; cause found: a faulty core network software "
                     "update", "since": "08:45", "eta": "12:00", "compensation": "",
             "keywords": "outage, North, software update"}
KO_UNKNOWN = {"down": "모아페이 결제·송금 일부 실패, 앱 접속 지연 (원인 확인 중)", "since": "12:00",
              "eta": "", "compensation": "", "keywords": "결제 실패, 원인 확인 중"}
KO_KNOWN = {"down": "모아페이 결제·송금 일부 실패, 원인은 결제 중계 서버 장애 (외부 공격 아님)",
            "since": "12:00", "eta": "오후 1시 전후 복구 예상", "compensation": "",
            "keywords": "결제 중계 서버 장애, 해킹 아님"}


def problems(text: str, facts: dict[str, str], reply: bool = True) -> list[str]:
    return [u.problem for u in check_claims(text, facts, reply=reply)]


@pytest.mark.parametrize(("text", "facts", "expected"), [
    # causes
    ("This is caused by a software update, we're on it.", UNKNOWN, ["invented_cause"]),
    ("This is caused by a software update, we're on it.", KNOWN, []),
    ("This is caused by a software update, we're on it.", OLD_KNOWN, []),
    ("The outage is due to a power cut at our data centre.", KNOWN, ["wrong_cause"]),
    ("The outage is due to a power cut at our data centre.", UNKNOWN, ["invented_cause"]),
    ("Sorry! We were hacked this morning.", UNKNOWN, ["invented_cause"]),
    ("결제 중계 서버 장애로 인해 결제가 안 되고 있습니다.", KO_UNKNOWN, ["invented_cause"]),
    ("결제 중계 서버 장애로 인해 결제가 안 되고 있습니다.", KO_KNOWN, []),
    ("접속자 폭주로 인해 결제가 지연되고 있습니다.", KO_KNOWN, ["wrong_cause"]),
    ("외부 해킹 때문에 결제가 안 됩니다.", KO_KNOWN, ["wrong_cause"]),  # the panel denies it
    # ETAs
    ("Service will be restored by 11:30.", UNKNOWN, ["unsupported_eta"]),
    ("Service will be restored by 11:30.", KNOWN, ["wrong_eta"]),
    ("Service will be restored by 12:00, sorry!", KNOWN, []),
    ("Service will be back by 12pm.", KNOWN, []),
    ("Your signal should be back within 2 hours.", UNKNOWN, ["unsupported_eta"]),
    ("30분 내 복구됩니다.", KO_UNKNOWN, ["unsupported_eta"]),
    ("오후 3시까지 복구됩니다.", KO_KNOWN, ["wrong_eta"]),
    ("1시까지 복구될 예정입니다.", KO_KNOWN, []),
    # compensation
    ("We'll credit your account with a free month.", KNOWN, ["unsupported_compensation"]),
    ("We'll credit your account with 2 days of unlimited data.", COMPENSATED, []),
    ("포인트 보상해 드리겠습니다.", KO_KNOWN, ["unsupported_compensation"]),
])
def test_check_claims_reply_against_the_panel(text, facts, expected):
    assert problems(text, facts) == expected


@pytest.mark.parametrize("text", [
    "No ETA yet, we'll share a time once we have one.",
    "We don't have a time for the fix yet; we'll update you here.",
    "We'll share a time once we have one.",
    "We're still investigating the cause.",
    "The cause isn't known yet, sorry.",
    "Sorry for the inconvenience caused by the outage.",
    "Due to privacy reasons please DM us your account number.",
    "We weren't hacked: your data is safe.",
    "I'll get back to you within the hour.",
    "We'll DM you in 10 minutes with an update.",
    "Your refund is due to arrive on Friday.",
    "I can't promise a refund, but I've passed your request on.",
    "Could it be a software update? We're checking.",
    "원인 확인 중입니다. 불편을 드려 죄송합니다.",
    "복구 예정 시각은 아직 미정입니다.",
    "장애로 인한 불편을 드려 죄송합니다.",
    "개인정보 보호가 필요하기 때문에 DM으로 부탁드립니다.",
    "30분 내로 다시 연락드리겠습니다.",
    "해킹은 아닙니다.",
    "보상은 결정되는 대로 안내드리겠습니다.",
])
def test_check_claims_hedged_or_unrelated_language_raises_nothing(text):
    assert find_claims(text, reply=True) == [] or problems(text, UNKNOWN) == []
    assert problems(text, UNKNOWN) == [] and problems(text, KO_UNKNOWN) == []


def test_check_claims_span_points_at_the_claim_in_the_text():
    text = "Hi Sam, so sorry. Service will be restored by 11:30 in your area."
    (problem,) = check_claims(text, UNKNOWN, reply=True)
    assert text[problem.claim.start:problem.claim.end] == problem.claim.text
    assert problem.claim.text == "restored by 11:30"


def test_check_claims_billing_refund_on_the_panel_is_no_compensation_claim():
    facts = {"down": "fee taken twice", "eta": "", "compensation": "",
             "keywords": "double charge, every duplicate payment refunded"}
    assert problems("We're refunding the duplicate payment today.", facts) == []


def test_check_claims_before_any_incident_update_everything_is_unsupported():
    assert problems("Fixed by 11:00, caused by a software update.", {}) == [
        "unsupported_eta", "invented_cause"]


def test_check_claims_status_reads_any_time_as_a_promise():
    # a status speaks about the incident: "back by 11:30" needs no fix word there
    assert problems("Back by 11:30!", UNKNOWN, reply=False) == ["unsupported_eta"]
    assert problems("Back by 11:30!", UNKNOWN, reply=True) == ["unsupported_eta"]
    assert problems("We'll reply by 11:30.", UNKNOWN, reply=True) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("12:30", {(0, 30)}), ("3pm", {(3, 0)}), ("15:00", {(3, 0)}), ("오후 3시", {(3, 0)}),
    ("9시 반", {(9, 30)}), ("10시 15분", {(10, 15)}), ("no time here", set()),
])
def test_clocks_compare_across_formats(text, expected):
    assert clocks(text) == expected


def test_panel_facts_reads_the_cause_from_older_facts():
    assert panel_facts(OLD_KNOWN)["cause"] == "a faulty core network software update"
    assert panel_facts(KO_KNOWN)["cause"] == "결제 중계 서버 장애"
    assert panel_facts(KO_UNKNOWN)["cause"] == ""
    assert panel_facts(KNOWN)["cause"] == KNOWN["cause"]  # the new key wins
    assert panel_facts(None) == {"cause": ""}


# ------------------------------------------------------------------------- inside speed

INCIDENT = {"status_updates_expected": True, "status_cadence_minutes": 20,
            "incident": [{"from_minute": 0, "down": "the app", "keywords": ["app"]}]}


def incident_drill(language: str = "en") -> Drill:
    d = Drill(scenario(language=language, **INCIDENT))
    d.incident(0, **{k: v for k, v in UNKNOWN.items() if k != "cause"}, cause="")
    d.status(2, "The app is down in the North region; we're investigating. Next update in 20"
                " min.")
    d.mention("t1", 1, intent="outage")
    return d


def claim_findings(result) -> list:
    return [f for f in result.findings if f.rule.startswith("claims/")]


def test_speed_reply_claim_checked_against_the_panel_at_its_minute_only():
    d = incident_drill()
    early = d.reply("t1", 10, "Sorry Sam! Fixed by 12:00, it's a software update.")
    d.incident(30, **KNOWN)
    d.mention("t2", 31, intent="outage")
    d.reply("t2", 32, "Sorry Sam! Fixed by 12:00, it's due to a software update.")
    d.sample(40)
    result = SpeedDimension().score(d.events, d.scenario)
    found = claim_findings(result)
    assert [f.event_id for f in found] == [early.event_id]
    assert found[0].kind == "reply_unsupported_eta"
    assert found[0].text == early.text
    assert early.text[found[0].start:found[0].end] == "Fixed by 12:00"
    assert "Panel at 09:10" in found[0].explanation
    assert "ETA: none announced" in found[0].explanation
    evidence = result.metrics["status"]["claims"]
    assert evidence[0]["panel"]["eta"] == "" and evidence[0]["claim"] == "Fixed by 12:00"


def test_speed_reply_invented_cause_quotes_the_reply_and_the_panel():
    d = incident_drill()
    reply = d.reply("t1", 5, "So sorry, this was caused by a storm knocking out a mast.",
                    channel="dm")
    d.sample(20)
    result = SpeedDimension().score(d.events, d.scenario)
    (finding,) = claim_findings(result)
    assert finding.kind == "reply_invented_cause" and finding.severity == "major"
    assert finding.thread_id == "t1" and finding.event_id == reply.event_id
    assert "a storm knocking out a mast" in finding.explanation
    assert "cause: not known yet" in finding.explanation
    assert "down: Calls and mobile data in the North region" in finding.explanation
    assert "affected: North region customers" in finding.explanation


def test_speed_reply_claims_lower_the_status_component_per_claim():
    def status_score(texts: list[str]) -> float:
        d = incident_drill()
        for i, text in enumerate(texts):
            d.mention(f"c{i}", 3, intent="outage")
            d.reply(f"c{i}", 4, text)
        d.sample(20)
        return SpeedDimension().score(d.events, d.scenario).metrics["components"]["status"]

    clean = status_score(["Sorry, we're on it; updates on the status page."] * 3)
    one = status_score(["Sorry, back by 11:00."] + ["Sorry, we're on it."] * 2)
    two = status_score(["Sorry, back by 11:00."] * 2 + ["Sorry, we're on it."])
    assert clean - one == pytest.approx(CLAIM_DEDUCTION, abs=1e-3)
    assert clean - two == pytest.approx(2 * CLAIM_DEDUCTION, abs=1e-3)


def test_speed_status_invented_cause_is_a_content_finding():
    d = incident_drill()
    d.status(10, "The app is down in the North region because of a fibre cut near Leeds.")
    d.sample(20)
    result = SpeedDimension().score(d.events, d.scenario)
    kinds = [f.kind for f in result.findings if f.rule.startswith("status/")]
    assert "status_invented_cause" in kinds
    finding = next(f for f in result.findings if f.kind == "status_invented_cause")
    assert finding.text[finding.start:finding.end] == "a fibre cut near Leeds"


def test_speed_claim_findings_follow_the_drills_language():
    d = Drill(scenario(language="ko", **INCIDENT))
    d.incident(0, **KO_UNKNOWN)
    d.mention("t1", 1, intent="outage", text="@NimbusCares 결제가 안 돼요")
    d.reply("t1", 3, "불편을 드려 죄송합니다. 접속자 폭주로 인해 결제가 지연되고 있습니다.")
    d.sample(20)
    (finding,) = claim_findings(SpeedDimension().score(d.events, d.scenario))
    assert finding.kind == "reply_invented_cause"
    assert "현황판" in finding.explanation and "원인: 확인 중" in finding.explanation


def test_speed_no_claim_checks_outside_incident_drills():
    d = Drill()
    d.mention("t1", 0)
    d.reply("t1", 1, "Fixed by 11:00, it was a software update.")
    assert claim_findings(SpeedDimension().score(d.events, d.scenario)) == []


WORDS = ["we'll", "service", "restored", "back", "by", "11:30", "within", "2", "hours", "due",
         "to", "a", "storm", "caused", "refund", "credit", "you'll", "get", "hacked", "원인은",
         "서버", "장애로", "인해", "30분", "내", "복구", "보상해", "드리겠습니다", "soon", ".", "!",
         "sorry", "the", "eta", "is", "noon", "tomorrow", "때문에", "폭설로", "3시까지"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14), st.booleans())
def test_find_claims_first_look_never_hides_a_claim(words, reply):
    text = " ".join(words)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(speed_claims, "_may_claim", lambda _text: True)
        full = find_claims(text, reply=reply)
    assert find_claims(text, reply=reply) == full
