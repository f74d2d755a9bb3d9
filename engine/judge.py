"""The engine's built-in reply judge: a small keyword heuristic used when no scorer is plugged in.

It only has to tell the simulated customer roughly how a reply landed; the real grading lives
in ``scoring`` and can be passed to the session instead (see ``drills.new_session``).
"""

from __future__ import annotations

import re

from engine.records import ReplyContext, ReplyQuality

_I = re.IGNORECASE
DISMISSIVE = re.compile(r"calm down|as i (said|mentioned)|per our policy|sorry you feel|"
                        r"nothing we can do|not our (fault|problem)|진정하세요|규정상|"
                        r"어쩔 수 없|저희 잘못이 아닙", _I)
APOLOGY = re.compile(r"sorry|apolog|understand|hear you|frustrat|죄송|불편|속상|이해합", _I)
NEXT_STEP = re.compile(r"\b(we'll|we will|i'll|i will|looking into|checking|fix|update you|"
                       r"within|by \d|refund)\b|확인해|안내해|처리해|드리겠|조치", _I)
ASKS = re.compile(r"(send|share|post|reply with|tell us|give us|provide|what('s| is) your|"
                  r"알려|남겨|보내|적어)", _I)
PII_WORDS = re.compile(r"e-?mail|phone|number|address|order|account|booking|card|date of birth|"
                       r"이메일|전화|번호|주소|주문|계좌|카드|생년월일|예약", _I)
PASSWORD = re.compile(r"password|passcode|\bpin\b|one[- ]time code|otp|cvv|cvc|"
                      r"비밀번호|인증번호|보안코드", _I)
NEGATION = re.compile(r"(never|don't|do not|please don't|won't|절대|마시고|마세요|않습니다)", _I)
DM = re.compile(r"\bdm\b|direct message|message us|private message|/messages/|쪽지|DM", _I)
ARGUE = re.compile(r"\b(actually|you're wrong|that's not true|no,? you|wrong)\b|아닌데요|"
                   r"틀렸", _I)
RUDE = re.compile(r"\b(stupid|idiot|shut up|ridiculous)\b|멍청|닥쳐", _I)


def heuristic_judge(ctx: ReplyContext) -> ReplyQuality:
    text = ctx.reply_text
    public = ctx.channel == "public"
    negated = bool(NEGATION.search(text))
    asks = bool(ASKS.search(text))
    asks_pii = asks and bool(PII_WORDS.search(text)) and not negated
    dm = bool(DM.search(text))
    dismissive = bool(DISMISSIVE.search(text))
    level = 0 if dismissive else int(bool(APOLOGY.search(text))) + int(
        bool(NEXT_STEP.search(text)))
    return ReplyQuality(
        empathy_level=min(level, 2),
        dismissive=dismissive,
        asks_pii_public=public and asks_pii and not dm,
        asks_password=asks and bool(PASSWORD.search(text)) and not negated,
        argues=ctx.persona == "troll" and bool(ARGUE.search(text)),
        rude=bool(RUDE.search(text)),
        moves_to_dm=public and dm,
        asks_details_dm=not public and asks_pii,
        brief=len(text) < 80,
    )
