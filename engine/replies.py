"""What a brand reply actually said, as the customer reads it: a question, a promised time, a
status update, a fix. Rule-based, in both languages, derived from the reply text alone.

The scorer's per-reply assessment (``ReplyQuality``, through the judge hook) says how a reply
landed; this reading says what it asked and promised, so the customer's next turn can answer
the question ("which device?" gets "an iPhone 13"), hold the agent to the time ("you said
12:00"), react to a status update or thank for a fix (``engine.answers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE
#: Kinds of question an agent asks, checked in this order (personal data first: asking for an
#: order number or an e-mail is not a device question even if the reply mentions the app).
ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("order", re.compile(
        r"\b(order|booking|reference|ref|account|member(ship)?|invoice)\s*(number|no\.?|#|ref)"
        r"|\border id\b|주문\s*번호|예약\s*번호|회원\s*번호|계좌", _I)),
    ("contact", re.compile(
        r"\b(e-?mail( address)?|phone number|mobile number|contact number|postcode|zip code|"
        r"address|date of birth)\b|연락처|전화\s*번호|이메일|주소|생년월일", _I)),
    ("device", re.compile(
        r"\b(which|what)\s+(device|phone|handset|model|browser|version|app version)|"
        r"\b(iphone or android|android or iphone)\b|어떤\s*(기기|기종|폰|휴대폰)|기종", _I)),
    ("location", re.compile(
        r"\b(where are you|which (area|town|city|branch|shop|store|location)|what area|"
        r"your (area|location)|whereabouts|what town|what city)\b|어느\s*(지역|동네|매장)|"
        r"지역이|위치", _I)),
    ("when", re.compile(
        r"\b(when did (it|this|the problem|you first)|what time did|since when|how long has|"
        r"when did you (first )?notice)\b|언제부터|몇\s*시부터", _I)),
    ("tried", re.compile(
        r"\b(have you tried|did you try|could you try|can you try|try (restarting|turning|"
        r"reinstalling|clearing|logging out)|restart(ing)? your|turn it off and on)\b|"
        r"(재부팅|재설치|다시 시작|껐다 켜)", _I)),
    ("details", re.compile(
        r"\b(tell us more|more details|what happened|what (error|message) do you see|"
        r"can you describe|could you describe|what exactly)\b|자세히|어떤\s*(오류|에러|문제)", _I)),
)
_QUESTION_HINT = re.compile(r"\?|could you|can you|please (let us know|tell us|send|share)|"
                            r"let us know|알려|보내|남겨|말씀해|주시겠", _I)

#: A promised time: "by 12:00", "within 30 minutes", "in an hour", "later today", "by tomorrow".
_BY_CLOCK = re.compile(r"\b(by|before|at|around)\s+(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b|"
                       r"(\d{1,2})\s*시\s*(?:(\d{1,2})\s*분)?\s*(까지|전까지|전에|쯤)", _I)
_WITHIN = re.compile(r"\b(within|in( the next)?|in about)\s+(\d+|an?|one|two|half an?)\s*"
                     r"(minutes?|mins?|hours?|hrs?)\b|(\d+)\s*분\s*(안에|이내|내로)|"
                     r"(\d+|한|두)\s*시간\s*(안에|이내|내로)", _I)
_LATER = re.compile(r"\b(later today|by (the )?end of (the )?day|this afternoon|by tonight|"
                    r"tomorrow)\b|오늘\s*(중|안)으로|오늘 중|내일", _I)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "한": 1, "두": 2}

_STATUS = re.compile(
    r"\b(we('re| are) aware|known (issue|outage|problem)|engineers? (are|is) (working|on)|"
    r"outage|status page|rolling out|being restored|restor(ed|ing)|eta|update (at|by)|"
    r"affect(ed|ing) (customers|some)|we('re| are) investigating)\b|장애|복구|점검|지연|결항|"
    r"상황판|공지|원인", _I)
_FIXED = re.compile(
    r"\b(should (now )?be (working|back|fixed|sorted|resolved)|(is|are|it's|that's) (now )?"
    r"(fixed|resolved|sorted|working again|back up)|we('ve| have) (fixed|resolved|refunded|"
    r"reset|unlocked|sorted)|refund (has been|was) (issued|processed|sent)|all sorted)\b|"
    r"해결(되었|됐|했)|정상화|처리(되었|됐|했)|환불(되었|됐|처리)|복구(되었|됐|완료)", _I)
_CUSTOMER_QUESTION = re.compile(r"[^.!?\n]*\?")


@dataclass(frozen=True, slots=True)
class ReplyReading:
    """What the customer takes from a reply (empty fields: it did not say that)."""

    #: the kind of question the agent asked ("device", "location", "when", "tried",
    #: "details", "order", "contact"), "" when none
    asks: str = ""
    #: minutes from the reply until the promised time (None: nothing promised)
    promise_in_minutes: float | None = None
    #: the promised time as the agent wrote it ("12:00", "within 30 minutes")
    promised: str = ""
    #: the reply gives incident news (aware, working on it, ETA, status page)
    status: bool = False
    #: the reply says the problem is fixed (or refunded, reset, unlocked)
    fixed: bool = False


def read_reply(text: str, now_clock_minutes: int | None = None) -> ReplyReading:
    """Read a reply. ``now_clock_minutes`` is the wall-clock time of the reply (minutes after
    midnight), needed to turn "by 12:00" into minutes from now."""
    asks = ""
    if _QUESTION_HINT.search(text):
        for kind, pattern in ASKS:
            if pattern.search(text):
                asks = kind
                break
    minutes, promised = _promise(text, now_clock_minutes)
    return ReplyReading(asks=asks, promise_in_minutes=minutes, promised=promised,
                        status=bool(_STATUS.search(text)), fixed=bool(_FIXED.search(text)))


def _promise(text: str, now: int | None) -> tuple[float | None, str]:
    match = _WITHIN.search(text)
    if match:
        if match.group(5):  # Korean minutes
            return float(match.group(5)), match.group(0).strip()
        if match.group(7):  # Korean hours
            count = _WORD_NUMBERS.get(match.group(7)) or int(match.group(7))
            return 60.0 * count, match.group(0).strip()
        raw, unit = match.group(3).lower(), match.group(4).lower()
        amount = 30.0 if raw.startswith("half") else float(_WORD_NUMBERS.get(raw) or int(raw))
        if raw.startswith("half"):
            return amount, match.group(0).strip()
        return amount * (60.0 if unit.startswith("h") else 1.0), match.group(0).strip()
    match = _BY_CLOCK.search(text)
    if match and now is not None:
        if match.group(2):
            hour, minute, half = int(match.group(2)), int(match.group(3) or 0), match.group(4)
        else:
            hour, minute, half = int(match.group(5)), int(match.group(6) or 0), None
        if hour > 23 or minute > 59:
            return None, ""
        if half and half.lower() == "pm" and hour < 12:
            hour += 12
        target = hour * 60 + minute
        if target <= now and not half and hour < 12:  # "by 5" in the afternoon means 17:00
            target += 12 * 60
        if target <= now:
            return None, ""
        return float(target - now), match.group(0).strip()
    match = _LATER.search(text)
    if match:
        word = match.group(0).lower()
        return (24 * 60.0 if "tomorrow" in word or "내일" in word else 4 * 60.0), \
            match.group(0).strip()
    return None, ""


def customer_question(text: str) -> str:
    """The customer's own question in their post (the last one), "" when they asked none."""
    found = [q.strip() for q in _CUSTOMER_QUESTION.findall(text)]
    found = [q for q in found if len(q) > 6 and not q.startswith(("@", "http"))]
    if not found:
        return ""
    question = re.sub(r"@\w+\s*", "", found[-1]).strip()
    return question[0].lower() + question[1:] if question[:1].isupper() and \
        question[1:2].islower() else question


_STOP = frozenset({"the", "a", "an", "is", "are", "was", "it", "to", "of", "and", "or", "in",
                   "on", "at", "for", "my", "your", "you", "we", "i", "do", "does", "can",
                   "could", "will", "would", "be", "this", "that", "there", "what", "when",
                   "why", "how", "any", "yes", "no", "not", "have", "has", "with", "just",
                   "me", "our", "us", "so", "if", "but"})


def answers_question(question: str, reply: str) -> bool:
    """Whether a reply takes up the customer's question: it shares a content word with it, or
    answers yes/no, or gives a time or a number. Crude, and meant to be: a reply that talks
    about something else entirely is what the customer notices."""
    if not question:
        return True
    reply_lower = reply.lower()
    if re.search(r"\b(yes|no|yep|nope|you can|you can't|it is|it isn't|it will|it won't)\b|"
                 r"\d|네|아니요|가능합니다|가능해요|안 됩니다", reply_lower):
        return True
    words = {w for w in re.findall(r"[a-z]{4,}|[\uac00-\ud7a3]{2,}", question.lower())
             if w not in _STOP}
    return any(w[:5] in reply_lower for w in words)
