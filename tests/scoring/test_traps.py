"""scoring.traps: sarcasm, polite dismissal and troll-arguing, in English and Korean, and how
the empathy and tone assessors report them (replies here are not in the labelled set)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.records import ReplyContext
from scoring import korean
from scoring.assess import assess_reply
from scoring.pii import detect_pii
from scoring.traps import find_traps

DELAY_EN = "@AirCo flight AC12 delayed four hours, no food vouchers, nobody at the desk"
DELAY_KO = "@AirCo AC12 네 시간째 지연인데 식사 쿠폰도 없고 데스크에 아무도 없어요"


def traps(reply: str, language: str = "en", persona: str = "angry", intent: str = "delay",
          mention: str = DELAY_EN):
    return find_traps(reply, language, persona, intent, mention)


@pytest.mark.parametrize("reply", [
    "Four hours? Lucky you, that's a whole film festival's worth of waiting 🙃",
    "Think of it as a free lesson in patience 😉",
    "Wow, no food vouchers, what a surprise. We'll survive and so will you.",
    "We're sure you're just loving the extra time at the desk 😄",
])
def test_find_traps_english_sarcasm_table(reply):
    assert traps(reply).sarcasm is not None


@pytest.mark.parametrize(("reply", "mention"), [
    ("네 시간이나 기다리시다니 정말 대단하십니다^^", DELAY_KO),
    ("공항 구경 실컷 하시겠네요 ㅎㅎ", DELAY_KO),
    ("기다리시는 걸 참 잘하시나 봐요 ㅎㅎ", DELAY_KO),
    ("쿠폰 없어도 괜찮지 않을까요? ㅎㅎ", DELAY_KO),
])
def test_find_traps_korean_sarcasm_table(reply, mention):
    assert traps(reply, "ko", mention=mention).sarcasm is not None


@pytest.mark.parametrize(("reply", "language"), [
    ("In line with our conditions of carriage, meal vouchers are not offered for delays 🙂", "en"),
    ("Please refer to our website for our delay policy. Thanks!", "en"),
    ("As we said before, boarding times are shown at the gate.", "en"),
    ("We appreciate your feedback. Have a nice evening!", "en"),
    ("약관에 따라 지연 시 식사 쿠폰은 제공되지 않습니다.", "ko"),
    ("앞서 안내드린 바와 같이 탑승 시간은 게이트에서 확인하실 수 있습니다.", "ko"),
    ("현재 저희 쪽 시스템은 정상 운영 중입니다. 감사합니다.", "ko"),
])
def test_find_traps_polite_dismissal_table(reply, language):
    mention = DELAY_KO if language == "ko" else DELAY_EN
    assert traps(reply, language, mention=mention).dismissal is not None


@pytest.mark.parametrize(("reply", "language"), [
    ("So sorry about the four-hour wait and the empty desk. I've asked the gate team to hand out "
     "vouchers now and we'll post the new time here by 18:00.", "en"),
    ("Sorry for the wait! Under our policy you're due a meal voucher; DM us and I'll send one.",
     "en"),
    ("네 시간이나 기다리시게 해서 정말 죄송합니다. "
     "지금 바로 식사 쿠폰을 드리도록 게이트에 요청했습니다.", "ko"),
    ("불편을 드려 죄송합니다. 규정상 지연 보상 대상이시라 "
     "DM 주시면 바로 처리해 드리겠습니다.", "ko"),
])
def test_find_traps_acknowledging_replies_fall_into_none(reply, language):
    mention = DELAY_KO if language == "ko" else DELAY_EN
    assert traps(reply, language, mention=mention) == find_traps("", language, "angry", "", "")


TROLL_EN = "@AirCo worst airline on earth, you people can't fly a kite"
TROLL_KO = "@AirCo 세상에서 제일 형편없는 항공사 ㅋㅋ"


@pytest.mark.parametrize(("reply", "language", "mention"), [
    ("Thanks for the feedback, though our punctuality was 92% last month.", "en", TROLL_EN),
    ("That simply isn't accurate: we were voted best regional airline.", "en", TROLL_EN),
    ("We hear you, but our passengers rate us 4.5 stars.", "en", TROLL_EN),
    ("의견 감사합니다. 하지만 저희 정시 운항률은 92%입니다.", "ko", TROLL_KO),
    ("사실과 다릅니다. 저희는 올해 고객 만족도 1위 항공사입니다.", "ko", TROLL_KO),
    ("그래도 고객님도 저희 비행기 타시잖아요 ㅎㅎ", "ko", TROLL_KO),
])
def test_find_traps_arguing_with_troll_table(reply, language, mention):
    assert traps(reply, language, "troll", "abuse", mention).arguing is not None


@pytest.mark.parametrize(("reply", "language"), [
    ("We're sorry you feel let down. If something went wrong on a flight, DM us and we'll look.",
     "en"),
    ("Noted. We're here if you need us.", "en"),
    ("불편하셨다면 죄송합니다. 도움이 필요하시면 언제든 DM 주세요.", "ko"),
])
def test_find_traps_calm_replies_to_trolls_do_not_argue(reply, language):
    mention = TROLL_KO if language == "ko" else TROLL_EN
    assert traps(reply, language, "troll", "abuse", mention).arguing is None


def test_find_traps_praise_warmth_is_not_sarcasm():
    reply = "We're delighted you enjoyed the flight, Sam! Thanks for flying with us."
    assert traps(reply, persona="praise", intent="praise",
                 mention="@AirCo loved my flight to Rome today!").sarcasm is None


def ctx(reply: str, persona: str = "angry", language: str = "en",
        mention: str = DELAY_EN) -> ReplyContext:
    return ReplyContext(language=language, brand_voice="friendly", persona=persona,
                        intent="delay", mention_text=mention, channel="public", reply_text=reply)


def test_assess_reply_sarcasm_is_level_zero_off_brand_and_rude_to_the_customer():
    result = assess_reply(ctx("Four hours? Lucky you, more time for duty-free 🙃"))
    assert result.empathy.level == 0 and result.empathy.dismissive
    assert "sarcastic" in {f.kind for f in result.tone.findings} and not result.tone.on_brand
    assert result.to_quality().rude


def test_assess_reply_polite_dismissal_is_dismissive_but_on_brand():
    result = assess_reply(ctx("Per our conditions of carriage, vouchers are not offered 🙂"))
    assert result.empathy.level == 0 and result.empathy.dismissive
    assert result.empathy.findings[0].kind == "dismissive"
    assert result.tone.on_brand
    assert result.to_quality().dismissive


def test_assess_reply_arguing_with_troll_reaches_the_customer_as_argues():
    result = assess_reply(ctx("With respect, our punctuality was 92% last month.", "troll",
                              mention=TROLL_EN))
    assert result.empathy.level == 0
    assert "argues_with_troll" in {f.kind for f in result.tone.findings}
    assert result.to_quality().argues


@pytest.mark.skipif(not korean.available(), reason="kiwipiepy is not installed")
@pytest.mark.parametrize(("text", "construction"), [
    ("좋아하시나 봐요", "inference"),
    ("익숙해지셨겠네요", "presumptive"),
    ("쓰고 계시잖아요", "reproach"),
    ("괜찮지 않을까요?", "rhetorical"),
    ("기다리시는군요", "discovery"),
    ("알겠지만 저희는 빠릅니다", "contrast"),
])
def test_korean_analyse_finds_sentence_constructions(text, construction):
    (sentence,) = korean.analyse(text) or ()
    assert getattr(sentence, construction)


def test_korean_gate_skips_plain_polite_replies():
    assert not korean.may_hold_construction("불편을 드려 죄송합니다. 바로 확인해 드리겠습니다.")


@pytest.mark.parametrize(("reply", "language"), [
    ("Seat allocations are finalised at check-in for all fares.", "en"),
    ("Meal vouchers are issued at the discretion of station staff.", "en"),
    ("식사 쿠폰 제공 여부는 현장 직원 판단에 따라 결정됩니다.", "ko"),
    ("좌석 배정은 탑승 수속 시 확정됩니다.", "ko"),
])
def test_find_traps_impersonal_statements_to_a_complaint_are_dismissal(reply, language):
    mention = DELAY_KO if language == "ko" else DELAY_EN
    assert traps(reply, language, mention=mention).dismissal is not None


@pytest.mark.parametrize(("reply", "language"), [
    ("Refunds are processed in 5-7 working days.", "en"),  # a figure informs
    ("Is your booking showing as confirmed?", "en"),  # a question engages
    ("환불은 영업일 기준 3일 안에 처리됩니다.", "ko"),
])
def test_find_traps_informative_or_engaging_statements_are_not_dismissal(reply, language):
    mention = DELAY_KO if language == "ko" else DELAY_EN
    assert traps(reply, language, mention=mention).dismissal is None


@pytest.mark.parametrize(("reply", "language"), [
    ("That isn't entirely accurate, our app works fine.", "en"),
    ("We'd point out that our on-time rate has improved every month.", "en"),
    ("Those reviews are old; we were ranked top three this year.", "en"),
    ("그건 사실과 달라요. 저희 앱은 잘 돌아가요.", "ko"),
    ("저희 정시율은 작년보다 두 배 늘었어요.", "ko"),
    ("그런 말씀 하셔도 다들 잘 쓰세요 ㅋㅋ", "ko"),
])
def test_find_traps_arguing_by_structure_table(reply, language):
    mention = TROLL_KO if language == "ko" else TROLL_EN
    assert traps(reply, language, "troll", "abuse", mention).arguing is not None


def test_find_traps_banter_that_offers_help_is_not_mockery():
    reply = "Touché 😄 If anything's actually broken, DM us and we'll fix it."
    assert traps(reply, "en", "troll", "abuse", TROLL_EN).arguing is None


def test_assess_reply_number_after_call_you_on_is_the_customers():
    result = assess_reply(ctx("Our fraud team will call you on 0113 496 0721 within the hour."))
    assert "exposes_pii_public" in {f.kind for f in result.privacy.findings}
    hotline = assess_reply(ctx("Please call our fraud line on 0345 600 1234 straight away."))
    assert hotline.privacy.ok


def test_find_traps_warm_chat_without_a_complaint_is_not_sarcasm():
    # SmileStyle-like chat: no post, no upset persona, no complaint intent
    assert find_traps("정말 맛있어 보이네요 ㅎㅎ", "ko", "neutral", "", "").sarcasm is None
    assert find_traps("기다리시는 거 좋아하시나 봐요 ㅎㅎ", "ko", "neutral", "", "").sarcasm \
        is not None  # a set ironic phrase needs no context


_TEXT = st.text(alphabet=st.sampled_from(list(
    "abcdefghijklmnop qrstuvwxyz0123456789.,?!@()-~^ㅎㅋ😉🙂 죄송합니다요네봐겠잖사실되")),
    max_size=80)


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.sampled_from(["en", "ko"]), st.sampled_from(["angry", "troll", "praise",
                                                               "neutral", "journalist"]))
def test_find_traps_any_text_gives_spans_inside_the_reply(text, language, persona):
    found = find_traps(text, language, persona, "delay", "@brand late again", "")
    for span in (found.sarcasm, found.dismissal, found.arguing):
        if span is not None:
            assert 0 <= span[0] < span[1] <= len(text)
    assert sum(x is not None for x in (found.sarcasm, found.dismissal, found.arguing)) <= 1


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_detect_pii_any_text_gives_matches_that_quote_the_text(text):
    for m in detect_pii(text):
        assert text[m.start:m.end] == m.text
