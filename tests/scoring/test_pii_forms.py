"""The unusual-form PII detectors (scoring.pii_forms) and the privacy rules around them: spelled
digits, "at"/"dot" e-mails, national phone formats, brand hotlines, echoed references, DM mentions
that are not moves, and device questions that are not requests."""

from __future__ import annotations

import pytest

from engine.records import PersonalData, ReplyContext
from scoring.pii import detect_pii
from scoring.privacy import assess_privacy, find_known


def kinds(text: str) -> list[tuple[str, str, bool]]:
    return [(m.kind, m.text, m.personal) for m in detect_pii(text)]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("we'll call you on oh seven nine one one, one two three four five six", "phone",
     "oh seven nine one one, one two three four five six"),
    ("Order four four seven one, two two nine zero, one eight ships today", "order_number",
     "four four seven one, two two nine zero, one eight"),
    ("call double seven zero zero nine zero zero four six one", "phone",
     "double seven zero zero nine zero zero four six one"),
    ("공일공 구팔칠육 오사삼이 번으로 연락드리겠습니다", "phone", "공일공 구팔칠육 오사삼이"),
    ("주문번호 이공이육 일이공오 일일팔 케이크", "order_number", "이공이육 일이공오 일일팔"),
])
def test_spoken_digits_detector_table_finds_spelled_numbers(text, kind, value):
    assert (kind, value, True) in kinds(text)


@pytest.mark.parametrize("text", [
    "one or two of our team will be there at nine",
    "일이 좀 많아서 이사 준비 중입니다",
    "오늘 오후 세 시에 연락드리겠습니다",
])
def test_spoken_digits_detector_ordinary_words_find_nothing(text):
    assert kinds(text) == []


@pytest.mark.parametrize(("text", "value", "personal"), [
    ("sent to priya dot nair at gmail dot com today", "priya dot nair at gmail dot com", True),
    ("resent to aisha.bello (at) outlook (dot) com.", "aisha.bello (at) outlook (dot) com", True),
    ("log in with KEN.W88 AT GMAIL DOT COM instead", "KEN.W88 AT GMAIL DOT COM", True),
    ("sehoon.oh 골뱅이 naver 닷 com 으로 보냈습니다", "sehoon.oh 골뱅이 naver 닷 com", True),
    ("receipt sent to rhys.evans at mail.example.", "rhys.evans at mail.example", True),
    ("write to support at skyways dot example", "support at skyways dot example", False),
])
def test_obfuscated_email_detector_table(text, value, personal):
    assert ("email", value, personal) in kinds(text)


@pytest.mark.parametrize("text", [
    "Live updates are at nimbus.example/status",
    "we'll be at the gate at 14.30",
    "look at our help page",
])
def test_obfuscated_email_detector_places_and_links_are_not_emails(text):
    assert not [k for k in kinds(text) if k[0] == "email"]


@pytest.mark.parametrize(("text", "value", "personal"), [
    ("I'll ring you on 07911 123456 shortly", "07911 123456", True),
    ("they'll call 020 7946 0958 before 10am", "020 7946 0958", True),
    ("we'll text 07700.900.461 when the van leaves", "07700.900.461", True),
    ("call you on 0161 496 0123 today", "0161 496 0123", True),
    ("기사님이 02 3141 0000 번호로 연락드릴 거예요", "02 3141 0000", True),
    ("free on 0800 555 0199, 8am to 8pm", "0800 555 0199", False),
    ("ring us on 0345 300 0000.", "0345 300 0000", False),
    ("상담센터 080-123-4567(무료)", "080-123-4567", False),
])
def test_national_phone_detector_table_person_vs_published_hotline(text, value, personal):
    assert ("phone", value, personal) in kinds(text)


def test_find_known_digits_of_a_prefixed_reference_count_as_an_echo():
    item = PersonalData("order_number", "DB-20261205-118")
    assert find_known("20261205-118 주문 건 확인했고", item) == (0, 12)


def ctx(reply: str, language: str = "en", mention: str = "") -> ReplyContext:
    return ReplyContext(language=language, brand_voice="friendly", persona="neutral",
                        intent="", mention_text=mention, channel="public", reply_text=reply)


def test_assess_privacy_reference_in_the_customers_post_repeated_is_exposed():
    result = assess_privacy(ctx("Parcel 4471-2290-18 is lost, refund today.",
                                mention="@Parcelo order 4471-2290-18 never came"))
    assert [f.kind for f in result.findings] == ["exposes_pii_public"]


@pytest.mark.parametrize(("reply", "language"), [
    ("We will never ask for your booking details by DM from an unverified account.", "en"),
    ("We do not take meter readings by DM; submit them in the app.", "en"),
    ("Our DMs are paused while we fix this; updates will be posted here.", "en"),
    ("We never ask for payment details by email or DM.", "en"),
    ("Please remember we will never ask for your PIN, by DM or any other way.", "en"),
    ("저희는 DM으로 개인정보를 절대 요청하지 않습니다.", "ko"),
    ("DM으로는 답변드리기 어려우며, 오후 2시 공식 발표를 통해 안내드리겠습니다.", "ko"),
    ("장애를 틈탄 사칭 계정이 DM을 보내고 있습니다.", "ko"),
    ("저희는 DM에서만 확인합니다.", "ko"),
])
def test_assess_privacy_dm_mentions_are_not_moves(reply, language):
    assert not assess_privacy(ctx(reply, language)).moves_to_dm


@pytest.mark.parametrize(("reply", "language"), [
    ("Don't worry, DM us your order number and we'll check.", "en"),
    ("We can't fix it here so please DM us.", "en"),
    ("사기 메시지이니 답하지 마시고, 이 계정으로 DM 주시면 확인해 드리겠습니다.", "ko"),
    ("보안을 위해 이후 상담은 DM으로 진행하겠습니다.", "ko"),
])
def test_assess_privacy_invitations_after_a_negation_still_move(reply, language):
    assert assess_privacy(ctx(reply, language)).moves_to_dm


@pytest.mark.parametrize(("reply", "language"), [
    ("Is your phone connected to Wi-Fi calling, or is the setting turned off?", "en"),
    ("Which phone model are you using?", "en"),
    ("사용하시는 휴대폰 기종과 앱 버전을 알려주시겠어요?", "ko"),
    ("휴대폰 OS가 안드로이드인가요?", "ko"),
])
def test_assess_privacy_device_questions_are_not_data_requests(reply, language):
    assert assess_privacy(ctx(reply, language)).ok


@pytest.mark.parametrize(("reply", "kind"), [
    ("What's your phone? We'll call you.", "asks_pii_public"),
    ("Sorry Ken, what password are you trying? Tell us.", "asks_password"),
])
def test_assess_privacy_real_requests_still_fire(reply, kind):
    assert kind in {f.kind for f in assess_privacy(ctx(reply)).findings}
