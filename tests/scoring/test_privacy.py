"""Privacy per reply: a table of replies (en and ko) with the finding kinds they must produce,
including the correct replies that only mention the words and must produce none."""

from __future__ import annotations

import re

import pytest
import yaml

from engine.records import PersonalData, ReplyContext
from scoring.privacy import assess_privacy, reply_score
from scoring.privacy_rules import LEXICON_DIR, load_lexicon

ASKS_PUBLIC, EXPOSES, PASSWORD = "asks_pii_public", "exposes_pii_public", "asks_password"


def assess(reply: str, language: str = "en", channel: str = "public",
           known: tuple[PersonalData, ...] = ()):
    ctx = ReplyContext(language=language, brand_voice="friendly", persona="angry",
                       intent="billing", mention_text="@Nimbus charged twice!!", channel=channel,
                       reply_text=reply, customer_name="Dana Reyes")
    return assess_privacy(ctx, known)


def kinds(reply: str, language: str = "en", channel: str = "public") -> list[str]:
    return [f.kind for f in assess(reply, language, channel).findings]


GOOD_REPLIES = [
    ("en", "public", "Please don't post your card number here, DM us and we'll sort it out."),
    ("en", "public", "We will never ask for your password."),
    ("en", "public", "For your security, please delete the tweet with your phone number."),
    ("ko", "public", "비밀번호는 절대 묻지 않습니다."),
    ("ko", "public", "개인정보는 공개 트윗에 남기지 마시고 DM 주세요."),
    ("en", "dm", "Thanks! Could you share your order number so I can check?"),
    ("en", "dm", "What's the email address on the account?"),
    ("en", "public", "Sorry! Please DM us your order number and we'll check right away."),
    ("en", "public", "Send us a DM with your booking reference and we'll rebook you."),
    ("en", "public", "We'll never ask you to share your PIN. DM us if you need help."),
    ("en", "public", "Scammers may ask for your OTP - never share it with anyone."),
    ("en", "public", "No need to send your card details, the refund is already on its way."),
    ("en", "public", "Please verify your email address by clicking the link we sent."),
    ("en", "public", "Please share your details here: https://help.nimbus.example/form"),
    ("en", "public", "Sorry about that! Our DMs are open: https://x.example/messages/compose"),
    ("en", "public", "Email us at help@nimbus.example or call 1-800-555-0199."),
    ("en", "public", "Could you tell us what happened? (no account number please)"),
    ("en", "public", "Please give us a call at the phone number listed on our site."),
    ("en", "public", "Did you get our email? Please check your spam folder too."),
    ("en", "public", "Flight KE123 leaves at 10:30; refunds of $129.99, 24/7 support, 50% off."),
    ("en", "dm", "Please share the last 4 digits of your card so we can find the charge."),
    ("ko", "public", "주문번호를 DM으로 보내주시면 바로 확인하겠습니다."),
    ("ko", "public", "인증번호는 누구에게도 알려주지 마세요. 저희는 비밀번호를 묻지 않습니다."),
    ("ko", "public", "비밀번호를 알려주시면 안 됩니다."),
    ("ko", "public", "전화번호가 담긴 트윗은 삭제해 주시고 DM 주세요."),
    ("ko", "dm", "주문번호와 성함 알려주시겠어요?"),
    ("ko", "public", "불편을 드려 죄송합니다. 연락처는 쪽지로 보내주세요."),
    ("ko", "public", "\"비밀번호를 알려주세요\"라는 메시지는 사기이니 주의하세요."),
    ("ko", "public", "오후 2시 30분까지 복구 예정이며 24시간 내 환불해 드립니다."),
    ("en", "public", "Hi Dana, so sorry! We've sent you a DM so we can sort it out privately."),
    ("en", "public", "To protect your privacy, please don't share account details here. Send us "
                     "a DM."),
    ("en", "public", "Never share your login details with anyone claiming to be us."),
    ("en", "public", "Your order number is in your confirmation email."),
    ("en", "public", "Please have your order number ready when you DM us."),
    ("en", "public", "Could you check your email for our reply?"),
    ("en", "public", "Let us know if the email we sent didn't arrive."),
    ("en", "public", "We'll send your new card to the address on file."),
    ("en", "public", "You can reset your password here: https://nimbus.example/reset"),
    ("en", "public", "Please enter your PIN in the app to confirm."),
    ("en", "public", "Please reply with your order number in a DM."),
    ("en", "public", "We saw a drop in your account balance alerts, sorry!"),
    ("en", "dm", "What's the card number you used? Just the last four digits is fine."),
    ("ko", "public", "주문번호를 확인했습니다."),
    ("ko", "public", "배송지 변경은 앱에서 가능합니다."),
    ("ko", "public", "개인정보 보호를 위해 DM으로 문의해 주세요."),
    ("ko", "public", "확인을 위해 주문번호와 연락처를 DM으로 보내주세요."),
    ("ko", "public", "고객센터 1588-1234로 연락 주시면 도와드리겠습니다."),
    ("ko", "public", "앱에서 비밀번호를 재설정해 주세요."),
]


@pytest.mark.parametrize(("language", "channel", "reply"), GOOD_REPLIES)
def test_assess_privacy_correct_replies_mentioning_pii_words_raise_nothing(language, channel,
                                                                          reply):
    result = assess(reply, language, channel)
    assert result.findings == (), [(f.kind, f.text) for f in result.findings]
    assert result.ok and result.score == 100


BAD_REPLIES = [
    ("en", "public", "Could you reply with your order number and email address?", [ASKS_PUBLIC]),
    ("en", "public", "What's your email?", [ASKS_PUBLIC]),
    ("en", "public", "Sorry to hear that. Send us your phone number and we'll call you.",
     [ASKS_PUBLIC]),
    ("en", "public", "Leave your phone number below and we'll DM you.", [ASKS_PUBLIC]),
    ("en", "public", "Don't worry, just send us your order number and we'll take a look!",
     [ASKS_PUBLIC]),
    ("en", "public", "We'll need your booking reference to look into this.", [ASKS_PUBLIC]),
    ("en", "public", "May I have your ticket number, please?", [ASKS_PUBLIC]),
    ("en", "public", "Can you confirm your date of birth and home address?", [ASKS_PUBLIC]),
    ("en", "public", "Please tweet us... no wait, post your username here.", [ASKS_PUBLIC]),
    ("en", "dm", "Please send us the one-time code we just sent you.", [PASSWORD]),
    ("en", "dm", "To verify, what's your password?", [PASSWORD]),
    ("en", "public", "Please DM us your full card number and CVV.", [PASSWORD]),
    ("en", "dm", "We need your PIN to unlock the account.", [PASSWORD]),
    ("en", "public", "We never ask for passwords. Please send us your verification code though.",
     [PASSWORD]),
    ("en", "public", "Hi Sam, we've refunded order #A12345678 to jane.doe@gmail.com.",
     [EXPOSES, EXPOSES]),
    ("en", "public", "We'll call you back on (415) 555-0132 shortly.", [EXPOSES]),
    ("ko", "public", "불편을 드려 죄송합니다. 주문번호 남겨주시면 확인해 드리겠습니다.",
     [ASKS_PUBLIC]),
    ("ko", "public", "연락처를 댓글로 남겨주세요.", [ASKS_PUBLIC]),
    ("ko", "public", "주문번호가 어떻게 되시나요?", [ASKS_PUBLIC]),
    ("ko", "public", "성함과 생년월일 적어주세요.", [ASKS_PUBLIC]),
    ("ko", "dm", "본인 확인을 위해 인증번호를 알려주세요.", [PASSWORD]),
    ("ko", "dm", "카드번호와 CVC 보내주시겠어요?", [PASSWORD]),
    ("ko", "public", "고객님 010-1234-5678로 연락드리겠습니다.", [EXPOSES]),
    ("ko", "public", "주민번호 960121-1234567 확인되었습니다.", [EXPOSES]),
    ("en", "public", "Please reply with your account email so we can check.", [ASKS_PUBLIC]),
    ("en", "public", "What's the best number to reach you on?", [ASKS_PUBLIC]),
    ("en", "public", "Tell us the name on the account and we'll look.", [ASKS_PUBLIC]),
    ("en", "public", "Mind sending over your email address?", [ASKS_PUBLIC]),
    ("en", "public", "Please reply here with your phone number and account number so we can "
                     "check", [ASKS_PUBLIC]),
    ("en", "public", "Reply to this tweet with your email and we'll look.", [ASKS_PUBLIC]),
    ("en", "public", "Comment below with your order number.", [ASKS_PUBLIC]),
    ("en", "public", "Drop your phone number below!", [ASKS_PUBLIC]),
    ("en", "dm", "Could you confirm your PIN for us?", [PASSWORD]),
    ("ko", "public", "휴대폰 번호 남겨주시면 연락드릴게요.", [ASKS_PUBLIC]),
    ("ko", "public", "성함이 어떻게 되세요?", [ASKS_PUBLIC]),
    ("ko", "public", "주문하신 분 성함과 연락처 부탁드립니다.", [ASKS_PUBLIC]),
    ("ko", "public", "주문번호는 확인했고 연락처를 남겨주세요.", [ASKS_PUBLIC]),
    ("ko", "dm", "카드 뒷면 3자리 알려주세요.", [PASSWORD]),
]


@pytest.mark.parametrize(("language", "channel", "reply", "expected"), BAD_REPLIES)
def test_assess_privacy_bad_replies_raise_expected_kinds(language, channel, reply, expected):
    assert kinds(reply, language, channel) == expected


@pytest.mark.parametrize(("reply", "words"), [
    ("Could you reply with your order number?", "reply with your order number"),
    ("Please DM us your password.", "DM us your password"),
    ("We refunded order #A12345678.", "A12345678"),
])
def test_assess_privacy_findings_mark_the_offending_words(reply, words):
    (finding,) = assess(reply).findings
    assert finding.text == words == reply[finding.start:finding.end]
    assert finding.explanation and finding.suggestion and finding.rule


def test_assess_privacy_korean_finding_explains_in_korean():
    (finding,) = assess("연락처를 댓글로 남겨주세요.", "ko").findings
    assert "전화번호" in finding.explanation and "DM" in finding.suggestion


@pytest.mark.parametrize(("language", "reply", "moves"), [
    ("en", "So sorry! Please DM us and we'll sort this out.", True),
    ("en", "Send us a DM with the details.", True),
    ("en", "Could you message us privately?", True),
    ("en", "We've sent you a DM.", True),
    ("en", "Tap here to chat: https://x.example/messages/compose?recipient_id=1", True),
    ("en", "No need to DM us, the fix is rolling out by 3 pm.", False),
    ("en", "We're back by 3 pm today.", False),
    ("ko", "DM 주세요.", True),
    ("ko", "자세한 내용은 DM으로 보내주세요.", True),
    ("ko", "쪽지 부탁드립니다.", True),
    ("ko", "불편을 드려 죄송합니다. 곧 복구됩니다.", False),
])
def test_assess_privacy_moves_to_dm_cues(language, reply, moves):
    assert assess(reply, language).moves_to_dm is moves


def test_assess_privacy_dm_channel_never_moves_to_dm():
    assert not assess("Please DM us your order number.", channel="dm").moves_to_dm


@pytest.mark.parametrize(("reply", "channel", "asks"), [
    ("Could you share your order number?", "dm", True),
    ("Please DM us your order number.", "public", True),
    ("주문번호 알려주시겠어요?", "dm", True),
    ("Thanks, we've got it from here.", "dm", False),
])
def test_assess_privacy_asks_details_dm_when_asking_privately(reply, channel, asks):
    language = "ko" if "주문" in reply else "en"
    assert assess(reply, language, channel).asks_details_dm is asks


def test_assess_privacy_known_pii_repeated_in_public_is_exposed():
    known = (PersonalData("phone", "(415) 555-0132"),
             PersonalData("address", "1777 Kramer Court, Johnsonfurt, NE 80119"),
             PersonalData("booking_reference", "XK7P2Q"))
    reply = "We'll call 415.555.0132 and ship to 1777 Kramer Court; booking xk7p2q is safe."
    result = assess(reply, known=known)
    assert [f.kind for f in result.findings] == [EXPOSES] * 3
    assert all(f.rule == "exposes_pii_public/known_pii" for f in result.findings)


def test_assess_privacy_known_pii_in_dm_is_fine():
    known = (PersonalData("phone", "010-1234-5678"),)
    assert assess("010-1234-5678로 연락드리겠습니다.", "ko", "dm", known).ok


def test_assess_privacy_scores_password_and_exposure_as_severe():
    asks = assess("Could you reply with your email?").score
    password = assess("Please DM us your password.").score
    exposed = assess("Your card 4012 8888 8888 1881 was charged.").score
    assert 100 > asks > password >= exposed >= 0
    assert reply_score(assess("Post your email, password and CVV here.").findings) <= 10


@pytest.mark.parametrize("language", ["en", "ko"])
def test_privacy_lexicon_every_data_word_contains_a_stem(language):
    """The cheap gate skips replies without a stem, so every data pattern must contain one."""
    data = yaml.safe_load((LEXICON_DIR / language / "privacy.yaml").read_text(encoding="utf-8"))
    stems = [s.lower() for s in data["noun_stems"]]
    for key in ("pii_nouns", "credential_nouns"):
        for category, patterns in data[key].items():
            for pattern in patterns:
                literal = re.sub(r"\\[sbdw]|[\\()?:*+|\[\]{}^$<>!=]", "", pattern.lower())
                assert any(stem.strip() in literal for stem in stems), (category, pattern)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_privacy_lexicon_has_messages_for_every_finding_kind(language):
    lex = load_lexicon(language)
    for kind in ("asks_pii_public", "asks_password", "exposes_pii_public",
                 "exposes_known_pii_public", "dm_not_offered"):
        assert "{what}" not in lex.message(kind, "explanation", "X")
        assert lex.message(kind, "explanation", "X") and lex.message(kind, "suggestion", "X")


def test_load_lexicon_unknown_language_falls_back_to_english():
    assert load_lexicon("fr").language == "en"
