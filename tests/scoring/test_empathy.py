"""Empathy assessor and dimension: level tables (en, ko), evidence spans, personas, the session
dimension over a small hand-built transcript, and agreement with the in-domain labelled fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.records import (
    Author,
    CustomerFollowedUp,
    Event,
    MentionArrived,
    ReplyContext,
    ReplySent,
)
from engine.scenario import Scenario, parse_scenario
from scoring.empathy import EmpathyDimension, assess_empathy
from scoring.eval_metrics import accuracy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scoring"


def ctx(reply: str, mention: str = "", *, language: str = "en", persona: str = "angry",
        intent: str = "", name: str = "", voice: str = "friendly") -> ReplyContext:
    return ReplyContext(language=language, brand_voice=voice, persona=persona, intent=intent,
                        mention_text=mention, channel="public", reply_text=reply,
                        customer_name=name)


BILL = "@ShopNow why was I charged £49.99 twice this month??"
OUT = "@StreamBox app down since 9am, nothing loads"
KBILL = "@ShopNowKR 이번 달 결제가 두 번 됐어요"
KOUT = "@StreamBoxKR 앱이 한 시간째 안 돼요"

LEVELS = [
    # (id, language, persona, intent, mention, reply, level)
    ("en-dismissive", "en", "angry", "outage", OUT, "Calm down, we're looking into it.", 0),
    ("en-as-i-said", "en", "angry", "refund", BILL, "As I said, refunds take 14 days.", 0),
    ("en-non-apology", "en", "angry", "billing", BILL,
     "I apologise that you feel this way. Please DM us.", 0),
    ("en-blame", "en", "angry", "outage", OUT, "You should have updated the app first.", 0),
    ("en-policy-wall", "en", "angry", "billing", BILL, "Per our policy we can't discuss this.", 0),
    ("en-nothing", "en", "angry", "billing", BILL, "Noted.", 0),
    ("en-generic-apology", "en", "angry", "billing", BILL, "Sorry for the inconvenience.", 1),
    ("en-next-step-only", "en", "angry", "billing", BILL, "Please DM us your details.", 1),
    ("en-macro", "en", "angry", "billing", BILL,
     "Sorry about that! Could you DM us so we can take a look?", 1),
    ("en-not-concrete", "en", "angry", "outage", OUT,
     "I understand how frustrating the outage is. We're on it.", 1),
    ("en-full", "en", "angry", "billing", BILL,
     "Sorry about the double charge of £49.99. I've checked and I'll refund it today.", 2),
    ("en-no-apology-still-2", "en", "journalist", "outage", OUT,
     "The outage affects some users since 09:00. We're restoring service and our next update "
     "is at 11:00.", 2),
    ("en-done-fix", "en", "angry", "billing", "@BankNow card declined in the shop!!",
     "That sounds embarrassing, sorry. A fraud check blocked the card and I've lifted it, so it "
     "works again right away.", 2),
    ("en-troll-calm", "en", "troll", "abuse", "@ShopNow worst company ever lol",
     "Sorry to hear that. If an order went wrong, DM us and we'll take a look.", 2),
    ("en-troll-argue", "en", "troll", "abuse", "@ShopNow worst company ever lol",
     "Actually, we were voted the best retailer, so you're wrong.", 0),
    ("en-troll-grovel", "en", "troll", "abuse", "@ShopNow worst company ever lol",
     "We are terribly sorry and we sincerely apologise! Please forgive us.", 1),
    ("en-praise-full", "en", "praise", "praise", "@StreamBox the new search is brilliant",
     "Thanks so much! The team worked hard on the new search, so this means a lot.", 2),
    ("en-praise-generic", "en", "praise", "praise", "@StreamBox the new search is brilliant",
     "Thanks!", 1),
    ("en-praise-none", "en", "praise", "praise", "@StreamBox the new search is brilliant",
     "Please DM us if you have any issues.", 0),
    ("ko-dismissive", "ko", "angry", "outage", KOUT, "진정하세요. 확인 중입니다.", 0),
    ("ko-wall", "ko", "angry", "billing", KBILL, "규정상 어렵습니다.", 0),
    ("ko-blame", "ko", "angry", "billing", KBILL, "고객님께서 잘못 입력하셔서 그렇습니다.", 0),
    ("ko-should-have", "ko", "angry", "billing", KBILL, "잔액을 먼저 확인하셨어야죠.", 0),
    ("ko-generic", "ko", "angry", "billing", KBILL, "불편을 드려 죄송합니다.", 1),
    ("ko-next-only", "ko", "angry", "billing", KBILL, "DM 주세요.", 1),
    ("ko-full", "ko", "angry", "billing", KBILL,
     "같은 금액이 두 번 결제되어 놀라셨죠, 죄송합니다. 제가 확인해서 중복 결제를 오늘 안에 "
     "취소해 드리겠습니다.", 2),
    ("ko-benefactive-ownership", "ko", "angry", "billing", KBILL,
     "두 번 결제되어 당황하셨죠. DM으로 보내 주시면 바로 환불해 드리겠습니다.", 2),
    ("ko-troll-calm", "ko", "troll", "abuse", "@ShopNowKR 여기 다 쓰레기임 ㅋㅋ",
     "불편하신 점이 있으시면 DM 주세요. 확인해 드리겠습니다.", 2),
    ("ko-troll-argue", "ko", "troll", "abuse", "@ShopNowKR 여기 다 쓰레기임 ㅋㅋ",
     "사실이 아닙니다. 저희는 업계 1위입니다.", 0),
    ("ko-praise", "ko", "praise", "praise", "@SkyJetKR 승무원분들 너무 친절했어요",
     "따뜻한 말씀 감사합니다! 승무원들에게 꼭 전달하겠습니다 😊", 2),
]


@pytest.mark.parametrize(("case_id", "language", "persona", "intent", "mention", "reply",
                          "level"), LEVELS, ids=[row[0] for row in LEVELS])
def test_assess_empathy_table_gives_expected_level(case_id: str, language: str, persona: str,
                                                   intent: str, mention: str, reply: str,
                                                   level: int) -> None:
    result = assess_empathy(ctx(reply, mention, language=language, persona=persona,
                                intent=intent))
    assert result.level == level, [(f.kind, f.text) for f in result.findings]
    band = {0: (0, 30), 1: (35, 70), 2: (75, 100)}[level]
    assert band[0] <= result.score <= band[1]


def test_assess_empathy_dismissive_phrase_is_the_finding_span() -> None:
    reply = "Well, as I said before, the refund takes 14 days."
    result = assess_empathy(ctx(reply, BILL))
    assert result.level == 0 and result.dismissive
    finding = result.findings[0]
    assert finding.kind == "dismissive"
    assert finding.severity == "major"
    assert reply[finding.start:finding.end] == finding.text == "as I said before"
    assert "as I said before" in finding.explanation
    assert finding.suggestion.startswith("Drop “as I said before”")
    assert finding.event_id is None


def test_assess_empathy_level_two_names_the_words_that_earned_it() -> None:
    reply = "Sorry about the double charge, Dana. I'll refund it by 3pm today."
    result = assess_empathy(ctx(reply, BILL, name="Dana Whitfield"))
    kinds = {f.kind: f.text for f in result.findings}
    assert result.level == 2
    assert kinds["names_problem"] == "double"
    assert kinds["ownership"] == "I'll"
    assert kinds["personalised"] == "Dana"
    assert "timeline" in kinds


def test_assess_empathy_level_one_says_what_would_lift_it() -> None:
    result = assess_empathy(ctx("Sorry for the inconvenience.", OUT, intent="outage"))
    missing = [f for f in result.findings if f.kind.startswith("missing_")]
    assert result.level == 1
    assert [f.kind for f in missing] == ["missing_specific"]
    assert "next update" in missing[0].suggestion  # the outage rewrite pattern


def test_assess_empathy_korean_suggestions_are_in_korean() -> None:
    result = assess_empathy(ctx("불편을 드려 죄송합니다.", KOUT, language="ko", intent="outage"))
    missing = [f for f in result.findings if f.kind.startswith("missing_")]
    assert missing and "안내해 드리겠습니다" in missing[0].suggestion
    assert "이 고객" in missing[0].explanation


def test_assess_empathy_apology_to_praise_caps_level_and_is_flagged() -> None:
    result = assess_empathy(ctx("Thanks Priya! Sorry for any inconvenience.", "@Brand you rock",
                                persona="praise", name="Priya Nair"))
    assert result.level == 1
    assert any(f.kind == "robotic_apology" for f in result.findings)


def test_assess_empathy_long_reply_to_troll_without_arguing_is_level_one() -> None:
    reply = ("We're sorry you're unhappy with us today. If there's anything specific about your "
             "order, your delivery or your account that we can look into, our team is here to "
             "help and you can send us a message whenever suits you best, day or night, any day.")
    result = assess_empathy(ctx(reply, "@ShopNow rip-off merchants", persona="troll"))
    assert result.level == 1
    assert any(f.kind == "long_reply_to_troll" for f in result.findings)


def test_assess_empathy_polite_defence_to_troll_is_arguing_level_zero() -> None:
    # Issue 9: "..., but our prices..." argues with a troll however politely (was level 1).
    reply = ("We understand why you might say that, but our prices reflect quality, ethical "
             "sourcing and careful service, and the vast majority of our customers are very "
             "happy with what they receive from us every single day of the year.")
    result = assess_empathy(ctx(reply, "@ShopNow rip-off merchants", persona="troll"))
    assert result.level == 0
    assert [f.kind for f in result.findings] == ["argues_with_troll"]


def test_assess_empathy_question_to_thanks_is_not_treated_as_praise() -> None:
    # "Thanks" at the end of a question must not turn a neutral persona into praise
    result = assess_empathy(ctx("Oh no! One moment as I take a look.",
                                "@Delta any news on DL1262? Thanks", persona="neutral"))
    assert result.level >= 1


def _cases(name: str) -> list[dict[str, Any]]:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _level(case: dict[str, Any]) -> int:
    return assess_empathy(ctx(case["reply"], case["mention"], language=case["language"],
                              persona=case["persona"], intent=case.get("intent", ""),
                              name=case.get("customer_name", ""),
                              voice=case["brand_voice"])).level


@pytest.mark.parametrize("split", ["tune", "holdout", "fresh", "unseen"])
def test_empathy_fixtures_split_agrees_with_labels(split: str) -> None:
    cases = [c for c in _cases("empathy_cases.jsonl") if c["split"] == split]
    assert len(cases) >= 15
    human = [c["expected_level"] for c in cases]
    ours = [_level(c) for c in cases]
    assert accuracy(human, ours) >= 0.8
    far = [c["id"] for c, o in zip(cases, ours, strict=True) if abs(c["expected_level"] - o) == 2]
    assert far == []


def test_empathy_fixture_findings_point_at_reply_text() -> None:
    for case in _cases("empathy_cases.jsonl"):
        result = assess_empathy(ctx(case["reply"], case["mention"], language=case["language"],
                                    persona=case["persona"], intent=case.get("intent", "")))
        for f in result.findings:
            assert f.explanation and f.rule.startswith("empathy.")
            if f.start >= 0:
                assert case["reply"][f.start:f.end] == f.text


# ----------------------------------------------------------------------------- dimension


def scenario(language: str = "en") -> Scenario:
    return parse_scenario({
        "id": "empathy-test", "title": "Empathy test", "briefing": "Hand-built.",
        "language": language, "duration_minutes": 60,
        "brand": {"name": "Nimbus", "handle": "NimbusCares", "voice": "friendly",
                  "products": ["app"]},
        "phases": [{"name": "all", "start_minute": 0, "end_minute": 60, "rate_per_minute": 0.1,
                    "personas": {"angry": 1}, "intents": {"billing": 1}}],
    }, "empathy-test.yaml")


def mention(event_id: str, minute: float, thread: str, text: str, persona: str = "angry",
            intent: str = "billing", name: str = "Dana Whitfield") -> MentionArrived:
    author = Author(f"user_{thread}", name, 100, False, "")
    return MentionArrived(event_id, minute, f"m_{thread}", thread, author, persona, intent, -0.5,
                          "normal", text)


def reply(event_id: str, minute: float, thread: str, text: str) -> ReplySent:
    return ReplySent(event_id, minute, f"r_{event_id}", thread, "public", text, "trainee")


def test_empathy_dimension_uses_thread_persona_name_and_latest_post() -> None:
    events: list[Event] = [
        mention("e1", 1, "t1", "@NimbusCares charged twice for my plan??"),
        CustomerFollowedUp("e2", 20, "m_t1", "t1", 1, -0.7, "@NimbusCares hello?? anyone"),
        reply("e3", 21, "t1", "Sorry for the wait, Dana. I've checked the double charge and "
                              "I'll refund it today."),
        mention("e4", 5, "t2", "@NimbusCares worst app ever lol", persona="troll",
                intent="abuse"),
        reply("e5", 22, "t2", "Calm down."),
    ]
    result = EmpathyDimension().score(events, scenario())
    assert result.name == "empathy"
    assert result.metrics["distribution"] == {"0": 1, "1": 0, "2": 1}
    assert result.level == 1.0
    assert result.score is not None and 40 <= result.score <= 60
    dismissive = [f for f in result.findings if f.kind == "dismissive"]
    assert dismissive and dismissive[0].event_id == "e5" and dismissive[0].thread_id == "t2"
    assert all(f.severity != "info" for f in result.findings)


def test_empathy_dimension_without_replies_has_no_score() -> None:
    events: list[Event] = [mention("e1", 1, "t1", "@NimbusCares charged twice??")]
    result = EmpathyDimension().score(events, scenario())
    assert result.score is None and result.error is None
    assert result.metrics["replies"] == 0
