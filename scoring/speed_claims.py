"""Claims about the incident in what the trainee wrote (status updates and replies): a cause, an
ETA or compensation, each checked against the incident panel as the desk showed it at that minute.

A claim is a sentence that asserts something; a hedged sentence ("no ETA yet", "we'll share a
time once we have one", "원인 확인 중") or a negated one ("we were not hacked") asserts nothing.
A claim is supported when the panel says it: a cause whose words are on the panel, an ETA whose
clock times the panel gives, compensation the panel shows as approved (or the panel's own words
for it, such as a billing drill's "duplicate payment refunded"). Replies must also talk about the
incident to make an ETA claim: "I'll get back to you within the hour" promises a reply, not a fix.

The patterns cover English and Korean at once (a drill's text can mix both). Every pattern errs
towards silence: a missed claim costs a finding, a false alarm costs the trainee's trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from scoring.speed_text import wording

ClaimKind = Literal["cause", "eta", "compensation"]
Problem = Literal["invented_cause", "wrong_cause", "unsupported_eta", "wrong_eta",
                  "unsupported_compensation"]

_I = re.IGNORECASE
#: A promised time or duration ("back by 11:30", "within 2 hours", "30분 내 복구").
ETA_PROMISE = re.compile(
    r"\b(?:by|before|until|around|expected\s+(?:at|by|around)|back\s+(?:at|by|around))\s+"
    r"(?:about\s+)?(?:\d{1,2}[:.]\d{2}(?:\s*(?:am|pm))?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)"
    r"|noon|midnight|tonight|tomorrow|(?:the\s+)?end\s+of\s+(?:the\s+)?day|eod)\b"
    r"|\bwithin\s+(?:the\s+next\s+)?(?:\d+|an?|one|two|three|few)\s+(?:min(?:ute)?s?|hours?|hrs?)"
    r"|\bin\s+(?:about\s+)?(?:\d+|an?|one|two|three)\s+(?:min(?:ute)?s?|hours?|hrs?)\b"
    r"|\b(?:eta|estimated\s+(?:fix|time|restoration))\b"
    r"|\b(?:fixed|restored|resolved|back\s+(?:up|online|to\s+normal))\s+(?:by|within|shortly|soon)"
    r"|\d{1,2}\s*시(?:\s*\d{1,2}\s*분|\s*반)?\s*(?:까지|경|전|이전|내)"
    r"|\d+\s*(?:분|시간)\s*(?:내|안에|이내|뒤|후)"
    r"|(?:복구|해결|정상화)(?:가|는|될)?\s*예정", _I)
COMPENSATION = re.compile(r"\b(?:refund\w*|credit(?:s|ed)?|compensat\w*|vouchers?|discount\w*|"
                          r"free\s+month|reimburs\w*|make\s+(?:it|this)\s+up)\b|보상|환불|쿠폰|"
                          r"크레딧|할인|적립|포인트\s*지급|바우처", _I)
#: Words that make a sentence a non-promise ("no ETA yet", "once we know", "미정", "확인 중").
HEDGES = re.compile(r"\b(?:no|not|don't|do\s+not|can't|cannot|without|once|if|when|yet|unknown|"
                    r"tbd|unclear|as\s+soon\s+as|will\s+share|update\s+you|(?:next|another|"
                    r"further)\s+update|update\s+again|check\s+back|may|might|could|possibl\w*|"
                    r"probabl\w*|investigat\w*|looking\s+into|unconfirmed|not\s+sure|whether|"
                    r"never|hope|hopefully|aim\w*|try\w*|sometimes)\b|n't\b|\?|미정|아직|확인\s*중|파악\s*중|조사\s*중|검토|결정되|추후|"
                    r"안내\s*드리겠|다음\s*(?:안내|업데이트|공지)|아닙|아니|아님|않|없|모르|"
                    r"추정|가능성|수\s*있", _I)
#: Vague times ("restored soon") promise nothing a customer could hold the brand to.
VAGUE = re.compile(r"\b(?:soon|shortly)\b", _I)
#: An ETA in a reply must be about the incident, not about the conversation.
CONTACT = re.compile(r"\b(?:get\s+back|back\s+to\s+you|reply|respond|response|update\s+you|"
                     r"in\s+touch|touch\s+base|dm|message|call\s+you|e-?mail|follow\s+up|"
                     r"check\s+(?:in|on)|hear\s+from|look\s+into)\b|연락|답변|답장|회신|말씀|"
                     r"알려\s*드", _I)
FIX_WORDS = re.compile(r"\b(?:fix(?:ed)?|restor\w*|resolv\w*|repair\w*|back\s+(?:up|online|on|"
                       r"to\s+normal|by|at|around|within|in)|up\s+and\s+running|working\s+again|service|signal|online|"
                       r"normal|eta|estimated|expected|arriv\w*|deliver\w*|ship\w*|depart\w*|"
                       r"resum\w*)\b|복구|정상|해결|재개|운항|도착|배송|처리|출발|발송", _I)
#: In a reply, compensation is claimed only when it is promised ("you'll get", "we're refunding").
PROMISE = re.compile(r"\b(?:we(?:'ll|\s+will|'re|\s+are|'ve|\s+have)|you(?:'ll|\s+will)|"
                     r"i(?:'ll|\s+will|'ve|\s+have)|will\s+be|(?:is|are)\s+being|"
                     r"(?:has|have)\s+been|gets?|receives?|on\s+us|here'?s|enjoy)\b|"
                     r"드리겠|드립니다|드려요|드릴게|드릴\s*예정|해\s*드|받으실|받게|지급(?:해|됩니다|될|"
                     r"예정)|제공(?:해|됩니다|될|예정)|적립(?:해|됩니다|될)", _I)
#: "caused by X", "due to X", "원인은 X", "X로 인해", "X 때문에": the cause is X.
CAUSE_AFTER = re.compile(
    r"\b(?:caused\s+by|due\s+to|because\s+of|owing\s+to|(?:as\s+)?a\s+result\s+of|"
    r"triggered\s+by|(?:root\s+)?cause\s+(?:is|was|was\s+found\s+to\s+be|has\s+been\s+"
    r"(?:found|identified)(?:\s+as)?)|(?:is|was)\s+down\s+to|blamed?\s+on)\s+"
    r"(?P<what>[^.!?,;:\n()]{2,80})"
    r"|원인은\s*(?P<ko>[^.!?,;\n()]{2,40})", _I)
CAUSE_BEFORE = re.compile(
    r"(?<![\w·])(?P<what>(?:[\w·]+\s+){0,2}[\w·]+?)\s*(?:(?:으로|로)\s*인(?:해|한)|때문|탓(?:에|입|이))")
#: Every claim pattern needs a digit or one of these (``_may_claim``): ETA words, compensation
#: words, cause connectives and alarm causes. Keep it a superset when a pattern changes.
_CLAIM_KEYS = (
    "noon", "midnight", "tonight", "tomorrow", "end of", "eod", "within", "min", "hour", "hr",
    "eta", "estimat", "fixed", "restored", "resolved", "back", "예정",
    "refund", "credit", "compensat", "voucher", "discount", "free", "reimburs", "make it up",
    "make this up", "보상", "환불", "쿠폰", "크레딧", "할인", "적립", "포인트", "바우처",
    "cause", "due", "owing", "result", "trigger", "down", "blame", "hack", "cyber", "ddos",
    "sabotage", "원인", "인해", "인한", "때문", "탓", "해킹", "디도스", "공격")
_DIGIT = re.compile(r"\d")
#: Every cause pattern below needs one of these words (a cheap first look at a sentence).
CAUSE_HINT = re.compile(r"caused|due\s+to|because\s+of|owing\s+to|result\s+of|triggered|cause|"
                        r"down\s+to|blame|hack|cyber|ddos|sabotage|원인|인해|인한|때문|탓|해킹|"
                        r"디도스|공격", _I)
#: Causes that need no connective to be a claim ("we were hacked", "디도스 공격").
ALARM_CAUSE = re.compile(r"\b(?:hack(?:ed|ers?|ing)?|cyber[\s-]?attacks?|ddos|sabotage)\b|"
                         r"해킹|디도스|사이버\s*공격|외부\s*공격", _I)
#: "due to" followed by a verb is a schedule, not a cause ("due to arrive by 6 March").
DUE_TO_VERB = frozenset({"be", "arrive", "land", "depart", "leave", "ship", "go", "start", "end",
                         "resume", "restart", "come", "reach", "open", "close", "finish",
                         "expire", "take", "return", "launch", "run", "get", "receive", "reopen",
                         "you"})
#: Panel clauses that deny something support nothing ("no customer data was accessed", "외부
#: 공격 아님"): a trainee who says "we were hacked" is not backed by "not a hack".
NEGATION = re.compile(r"\b(?:no|not|never|none)\b|n't\b|아님|아닙|아니|않|없", _I)
_SENTENCE = re.compile(r"[^.!?\n。]+(?:[.!?。]+|$)")
_PANEL_CLAUSE = re.compile(r"[^;,()/\n]+")
_TOKEN = re.compile(r"[\w'·]+")
#: Where the named cause ends: the next clause ("a software update and we're on it").
_CAUSE_END = re.compile(r"\s+(?:and|but|so|which|while|we|we're|we've|i|i'm|please|sorry|"
                        r"until|for|who|that's)\b", _I)
#: Korean nominalised verbs ("...하기 때문에") give a reason, not the incident's cause.
_KO_REASON = re.compile(r"기$")
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
_KO_PARTICLE = re.compile(r"(?:으로|에서|로|에|의|은|는|이|가|을|를|와|과|도|만)$")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: How far after "restored by" a clock time still belongs to the promise (characters).
CLOCK_REACH = 12
#: A cause claim is supported when at least this share of its words are on the panel.
CAUSE_SUPPORT_SHARE = 0.5
#: The panel's cause inside older facts without a ``cause`` key ("cause found: X", "원인은 X").
_PANEL_CAUSE = re.compile(r"\bcause(?:\s+found|\s+identified)?\s*:\s*(?P<en>[^;()]+)"
                          r"|원인은\s*(?P<ko>[^;()/]+)", _I)
_CLOCK = re.compile(r"(?P<h>\d{1,2})[:.](?P<m>\d{2})\b|(?P<h2>\d{1,2})\s*(?:am|pm|a\.m\.|p\.m\.)"
                    r"|(?P<h3>\d{1,2})\s*시(?:\s*(?P<m3>\d{1,2})\s*분|(?P<half>\s*반))?", _I)


@dataclass(frozen=True, slots=True)
class Claim:
    """Words in a text that assert a cause, an ETA or compensation (``start``/``end``: offsets)."""

    kind: ClaimKind
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A claim the panel did not support at that minute, and how."""

    claim: Claim
    problem: Problem


def panel_facts(facts: dict[str, str] | None) -> dict[str, str]:
    """The facts as the panel shows them, with ``cause`` filled in for older facts that carry
    the cause inside ``down`` ("...; cause found: a faulty update", "원인은 ... 장애")."""
    out = {str(k): "" if v is None else str(v) for k, v in (facts or {}).items()}
    if "cause" not in out:
        match = _PANEL_CAUSE.search(out.get("down", ""))
        out["cause"] = (match.group("en") or match.group("ko") or "").strip() if match else ""
    return out


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    for match in _SENTENCE.finditer(text):
        if match.group(0).strip():
            yield match.start(), match.group(0)


def clocks(text: str) -> set[tuple[int, int]]:
    """Clock times in ``text`` as (hour mod 12, minute): 15:00, 3pm and 오후 3시 are the same."""
    out = set()
    for m in _CLOCK.finditer(text):
        if m.group("h") is not None:
            hour, minute = int(m.group("h")), int(m.group("m"))
        elif m.group("h2") is not None:
            hour, minute = int(m.group("h2")), 0
        else:
            hour = int(m.group("h3"))
            minute = 30 if m.group("half") else int(m.group("m3") or 0)
        if hour <= 24 and minute < 60:
            out.add((hour % 12, minute))
    return out


@cache
def generic_words() -> frozenset[str]:
    """Words that name no cause (the incident itself, the queue, privacy policy), from the
    speed lexicons of every language (a drill's text can mix them)."""
    out: set[str] = set()
    for language in ("en", "ko"):
        out.update(str(w).lower() for w in wording(language)["claims"]["generic_cause_words"])
    return frozenset(out)


def _cause_words(what: str) -> list[str]:
    generic = generic_words()
    words = []
    for token in _TOKEN.findall(what.lower()):
        if _HANGUL.search(token) and len(token) > 2:
            token = _KO_PARTICLE.sub("", token)
        if token in generic or token.isdigit():
            continue
        if len(token) >= (2 if _HANGUL.search(token) else 3):
            words.append(token)
    return words


def _may_claim(text: str) -> bool:
    """A cheap first look (substring tests, ~50x faster than the patterns): False only when no
    pattern below can match, so most replies skip the regular expressions altogether."""
    if _DIGIT.search(text):
        return True
    lowered = text.lower()
    return any(key in lowered for key in _CLAIM_KEYS)


def find_claims(text: str, *, reply: bool) -> list[Claim]:
    """The cause, ETA and compensation claims of ``text``. ``reply``: apply the stricter reading
    of replies (an ETA must be about the fix, compensation must be promised)."""
    if not _may_claim(text):
        return []
    claims: list[Claim] = []
    for offset, sentence in _sentences(text):
        eta = ETA_PROMISE.search(sentence)
        comp = COMPENSATION.search(sentence)
        hint = CAUSE_HINT.search(sentence)
        if not (eta or comp or hint) or HEDGES.search(sentence):
            continue
        if eta and reply and VAGUE.search(eta.group(0)):
            eta = None  # "restored soon" names no time: a hope, not an ETA
        if eta and not (reply and (CONTACT.search(sentence) or not FIX_WORDS.search(sentence))):
            start, end = eta.span()
            clock = _CLOCK.search(sentence, end)
            if clock and clock.start() - end <= CLOCK_REACH:  # "restored by" -> "... 11:30"
                end = clock.end()
            claims.append(Claim("eta", sentence[start:end].strip(), offset + start,
                                offset + end))
        if comp and not (reply and not PROMISE.search(sentence)):
            claims.append(Claim("compensation", comp.group(0).strip(), offset + comp.start(),
                                offset + comp.end()))
        cause = _cause_claim(sentence) if hint else None
        if cause is not None:
            start, end = cause
            claims.append(Claim("cause", sentence[start:end].strip(), offset + start,
                                offset + end))
    return claims


def _cause_claim(sentence: str) -> tuple[int, int] | None:
    """The span of the cause a sentence names, if it names one."""
    for match in CAUSE_AFTER.finditer(sentence):
        group = "what" if match.group("what") is not None else "ko"
        what = _CAUSE_END.split(match.group(group), maxsplit=1)[0]
        what = " ".join(what.split()[:8])
        first = what.split()[0].lower() if what.split() else ""
        if group == "what" and first in DUE_TO_VERB:
            continue
        if _cause_words(what):
            start = match.start(group) + (len(match.group(group))
                                          - len(match.group(group).lstrip()))
            return start, start + len(what)
    for match in CAUSE_BEFORE.finditer(sentence):
        what = match.group("what")
        if _KO_REASON.search(what) or not _cause_words(what):
            continue
        return match.start("what"), match.end("what")
    alarm = ALARM_CAUSE.search(sentence)
    if alarm:
        return alarm.start(), alarm.end()
    return None


def _support_text(facts: dict[str, str]) -> str:
    """The panel's words that can back a claim: every fact, minus the clauses that deny."""
    clauses = [c for value in facts.values() for c in _PANEL_CLAUSE.findall(value.lower())
               if not NEGATION.search(c)]
    return " ".join(clauses)


def _word_on_panel(word: str, panel: str) -> bool:
    """Whether ``word`` (or its stem: "refunding" -> "refund", "faulty" -> "faul") is on the
    panel."""
    if word in panel:
        return True
    if len(word) < 5:
        return False
    stem = _SUFFIX.sub("", word)
    return (len(stem) >= 4 and stem in panel) or word[:max(4, len(word) - 2)] in panel


def cause_supported(what: str, facts: dict[str, str]) -> bool:
    words = _cause_words(what)
    if not words:
        return True
    panel = _support_text(facts)
    on_panel = sum(_word_on_panel(w, panel) for w in words)
    return on_panel / len(words) >= CAUSE_SUPPORT_SHARE


def check_claims(text: str, facts: dict[str, str] | None, *, reply: bool) -> list[Unsupported]:
    """The claims of ``text`` that the panel ``facts`` (as shown at the text's minute; None or
    empty before the first incident update) do not support."""
    claims = find_claims(text, reply=reply)
    if not claims:
        return []
    shown = panel_facts(facts)
    out: list[Unsupported] = []
    panel_clocks = clocks(" ".join(shown.values()))
    eta_clocks = clocks(shown.get("eta", ""))
    for claim in claims:
        if claim.kind == "cause":
            if not cause_supported(claim.text, shown):
                out.append(Unsupported(claim, "wrong_cause" if shown.get("cause", "").strip()
                                       else "invented_cause"))
        elif claim.kind == "eta":
            sentence = _sentence_at(text, claim.start)
            said = clocks(sentence)
            if not shown.get("eta", "").strip():
                if not said or said - panel_clocks:
                    out.append(Unsupported(claim, "unsupported_eta"))
            elif eta_clocks and said - panel_clocks:
                out.append(Unsupported(claim, "wrong_eta"))
        elif not shown.get("compensation", "").strip() and not _word_on_panel(
                claim.text.lower(), _support_text(shown)):
            out.append(Unsupported(claim, "unsupported_compensation"))
    return out


def _sentence_at(text: str, position: int) -> str:
    for offset, sentence in _sentences(text):
        if offset <= position < offset + len(sentence):
            return sentence
    return text
