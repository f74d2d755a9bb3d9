"""Privacy over a whole drill: findings point at the reply, the customer's exposed data is known
PII, and moving oversharers and account matters to DM earns credit."""

from __future__ import annotations

from engine.records import PersonalData
from scoring.privacy import DM_CREDIT_SHARE, PrivacyDimension
from tests.scoring.builders import Drill, scenario

PHONE = PersonalData("phone", "(415) 555-0132")


def score(drill: Drill):
    return PrivacyDimension().score(drill.events, drill.scenario)


def test_privacy_dimension_clean_drill_scores_100():
    d = Drill()
    d.mention("t1", 0, intent="delivery")
    d.reply("t1", 2, "So sorry, your parcel is on its way and arrives tomorrow.")
    result = score(d)
    assert result.score == 100.0 and result.findings == ()
    assert result.metrics["replies"] == 1


def test_privacy_dimension_findings_name_the_reply_and_thread():
    d = Drill()
    d.mention("t1", 0, intent="delivery")
    reply = d.reply("t1", 2, "Could you reply with your order number?")
    (finding,) = score(d).findings
    assert finding.kind == "asks_pii_public"
    assert finding.event_id == reply.event_id and finding.thread_id == "t1"
    assert reply.text[finding.start:finding.end] == finding.text


def test_privacy_dimension_customer_exposed_data_is_known_pii_in_the_same_thread_only():
    d = Drill()
    d.mention("t1", 0, persona="privacy_oversharer", intent="delivery",
              text="@NimbusCares where is my parcel, call me (415) 555-0132", exposed=(PHONE,))
    d.mention("t2", 0, intent="delivery")
    d.reply("t1", 2, "We'll call 415 555 0132 today.")
    d.reply("t2", 3, "We'll call 415 555 0132 today.")  # detector still sees a phone number
    result = score(d)
    rules = sorted((f.thread_id, f.rule) for f in result.findings if f.kind != "dm_not_offered")
    assert rules == [("t1", "exposes_pii_public/known_pii"),
                     ("t2", "exposes_pii_public/PhoneDetector")]


def test_privacy_dimension_follow_up_exposure_counts_as_known():
    d = Drill()
    d.mention("t1", 0, intent="billing")
    d.follow_up("t1", 5, text="my booking is XK7P2Q, hello??",
                exposed=(PersonalData("booking_reference", "XK7P2Q"),))
    d.reply("t1", 6, "Booking XK7P2Q is refunded.")
    assert [f.rule for f in score(d).findings] == ["exposes_pii_public/known_pii",
                                                   "dm_not_offered/overshare"]


def test_privacy_dimension_moving_oversharer_to_dm_earns_credit():
    moved, stayed = Drill(), Drill()
    for d in (moved, stayed):
        d.mention("t1", 0, persona="privacy_oversharer", exposed=(PHONE,),
                  text="@NimbusCares call me (415) 555-0132")
    moved.reply("t1", 2, "For your security, please delete that tweet and DM us.",
                moves_to_dm=True)
    stayed.reply("t1", 2, "We're looking into it now!")
    good, bad = score(moved), score(stayed)
    assert good.score == 100.0
    assert good.metrics["dm_share"] == 1.0
    assert bad.score == round(100 * (1 - DM_CREDIT_SHARE), 1)
    (finding,) = bad.findings
    assert finding.kind == "dm_not_offered" and finding.thread_id == "t1"
    assert "phone number" in finding.explanation


def test_privacy_dimension_dm_reply_counts_as_moved_and_may_ask_details():
    d = Drill()
    d.mention("t1", 0, intent="account_access")
    d.reply("t1", 1, "Sorry! Please DM us.", moves_to_dm=True)
    d.reply("t1", 3, "Thanks for messaging. What's the email on the account?", channel="dm")
    result = score(d)
    assert result.findings == ()
    assert result.metrics["asks_details_dm"] == 1 and result.metrics["dm_share"] == 1.0


def test_privacy_dimension_password_request_costs_more_than_public_ask():
    ask, password = Drill(), Drill()
    for d in (ask, password):
        d.mention("t1", 0, intent="delivery")
    ask.reply("t1", 1, "Could you reply with your email?")
    password.reply("t1", 1, "Could you reply with your password?")
    assert score(password).score < score(ask).score < 100


def test_privacy_dimension_no_replies_is_not_graded():
    d = Drill()
    d.mention("t1", 0)
    result = score(d)
    assert result.score is None and result.error is None


def test_privacy_dimension_korean_drill_uses_korean_rules():
    d = Drill(scenario(language="ko"))
    d.mention("t1", 0, text="@NimbusCares 배송이 안 와요", intent="delivery")
    d.reply("t1", 1, "불편을 드려 죄송합니다. 주문번호를 댓글로 남겨주세요.")
    (finding,) = score(d).findings
    assert finding.kind == "asks_pii_public" and "주문번호" in finding.explanation
