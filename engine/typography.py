"""How one author types: capitals, end marks, apostrophes, shouting, ellipses, Korean habits.

Real customer tweets differ less in what they say than in how they are typed: three in four
start with a capital, about half end in ``.``, ``!`` or ``?``, one in five carries a ``!``, half
of the apostrophes are a phone keyboard's curly ones (benchmarks/realism.py measures these on
real inbound tweets). A ``Hand`` is one author's habits, fixed by their handle (crc32, not the
random stream), so the same customer types the same way in every post; each post then draws
within those habits. Rates per persona come from the bank (``hands``); trolls type lower-case
more, journalists always write full sentences, angry people shout.

Korean has no case: its hands add the habits Korean tweets have instead (``ㅠㅠ`` and ``ㅋㅋ``
tails, ``..`` trailing, a dropped space between words, 초성 abbreviations such as ``ㄱㅅ``).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from engine.threads import Stream

Rate = float


class HandRates(BaseModel):
    """Shares of authors with each habit (0-1), and per-post chances, for one persona."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: authors who start with a capital and capitalise I and new sentences
    sentence_case: Rate = Field(0.78, ge=0, le=1)
    #: authors whose keyboard makes curly apostrophes (of those who use apostrophes at all)
    curly: Rate = Field(0.5, ge=0, le=1)
    #: authors who drop apostrophes (dont, cant, im)
    drops_apostrophes: Rate = Field(0.06, ge=0, le=1)
    #: per post: a full stop at the end of a post that has no end mark
    full_stop: Rate = Field(0.4, ge=0, le=1)
    #: per post: an exclamation mark at the end (instead of nothing or a full stop)
    exclaim: Rate = Field(0.12, ge=0, le=1)
    #: per post: one emphatic word in capitals
    shout: Rate = Field(0.05, ge=0, le=1)
    #: per post: sentences run together with "..." (or a trailing "...")
    ellipsis: Rate = Field(0.06, ge=0, le=1)
    #: authors who write contractions out ("I have", "do not") most of the time
    full_forms: Rate = Field(0.15, ge=0, le=1)
    #: authors who drop a sentence's opening "I" ("tried that already", "can't log in")
    drops_subject: Rate = Field(0.25, ge=0, le=1)
    #: authors who run sentences together without a full stop ("no signal since 9 is it down")
    run_on: Rate = Field(0.25, ge=0, le=1)
    #: authors who leave question marks off ("is it down", "any update")
    drops_question_mark: Rate = Field(0.3, ge=0, le=1)
    #: per post: a filler word at the start of a sentence ("honestly", "literally", "tbh")
    filler: Rate = Field(0.08, ge=0, le=1)
    #: Korean, per post: a crying or laughing tail (ㅠㅠ, ㅋㅋ) where the mood fits
    tail: Rate = Field(0.0, ge=0, le=1)
    #: Korean, per post: one space between words dropped (띄어쓰기 slips)
    spacing_slip: Rate = Field(0.0, ge=0, le=1)


@dataclass(frozen=True, slots=True)
class Hand:
    """One author's fixed habits (from their handle) and the per-post chances of their persona."""

    sentence_case: bool
    curly: bool
    drops_apostrophes: bool
    full_forms: bool
    drops_subject: bool
    run_on: bool
    drops_question_mark: bool
    rates: HandRates
    #: the phone capitalises a lone "i" even for authors who type lower-case (real tweets
    #: that start lower-case write "I" in 72% of those that have one)
    autocorrects_i: bool = True


def hand_for(handle: str, rates: HandRates) -> Hand:
    """The habits of the author with this handle: independent draws from two crc32s."""
    word = zlib.crc32(handle.encode())
    more = zlib.crc32(handle.encode(), 0x5EED)
    a, b, c = (word & 0x3FF) / 1024, ((word >> 10) & 0x3FF) / 1024, ((word >> 20) & 0x3FF) / 1024
    d, e, f = (more & 0x3FF) / 1024, ((more >> 10) & 0x3FF) / 1024, \
        ((more >> 20) & 0x3FF) / 1024
    third = zlib.crc32(handle.encode(), 0xBEEF)
    g, h = (third & 0x3FF) / 1024, ((third >> 10) & 0x3FF) / 1024
    return Hand(a < rates.sentence_case, b < rates.curly, c < rates.drops_apostrophes,
                d < rates.full_forms, e < rates.drops_subject, f < rates.run_on,
                g < rates.drops_question_mark, rates, h < AUTOCORRECT_I)


#: Share of lower-case typists whose phone still capitalises a lone "i" (real tweets: 72%).
AUTOCORRECT_I = 0.72
#: Per sentence break: the chance that an author who ends posts with "!" (``exclaim``) also
#: ends a sentence inside the post with one (real tweets: 11.6% have "! " mid-text).
MID_EXCLAIM = 1.0

#: Words an angry customer types in capitals for emphasis.
EMPHASIS = frozenset({"again", "still", "never", "twice", "nothing", "hours", "days", "weeks",
                      "not", "no", "every", "worst", "refund", "now", "fix", "anyone",
                      "seriously", "ridiculous", "joke", "three", "ever", "all", "one",
                      # praise shouts too ("LOVE this", "BEST service"); real tweets carry a
                      # word in capitals (not an acronym) 9.5% of the time, ours 4% before
                      "love", "best", "amazing", "so", "thank", "thanks", "huge", "really",
                      "very", "any", "why", "what", "how", "help", "please", "today",
                      "before", "always", "told", "paid", "charged", "money", "back", "cancel"})
_SENTENCE_START = re.compile(r"([.!?]\s+)([a-z])")
_LONE_I = re.compile(r"(?<![\w'’])i(?=(?:['’](?:m|ve|ll|d)\b)|[\s,.!?]|$)")
_APOSTROPHE_WORD = re.compile(r"\b(don|can|won|isn|didn|doesn|wasn|aren|haven|couldn|"
                              r"shouldn|wouldn|i|it|that|there|what|you|they|we)'(t|m|s|re|ve|ll|d)"
                              r"\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_END_MARKS = ".!?)…"


_CURLY = re.compile(r"(?<=\w)'")


def _upper_start(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def _capitalise_first(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1:] if ch.islower() else text
        if ch.isdigit() or ch in "#@":
            return text
    return text


#: Contractions some people always write out.
FULL_FORMS = {"I'm": "I am", "I've": "I have", "I'll": "I will", "I'd": "I would",
              "can't": "cannot", "don't": "do not", "won't": "will not", "isn't": "is not",
              "doesn't": "does not", "didn't": "did not", "haven't": "have not",
              "hasn't": "has not", "wasn't": "was not", "aren't": "are not",
              "couldn't": "could not", "what's": "what is", "you're": "you are",
              "we're": "we are", "they're": "they are", "you've": "you have"}
_CONTRACTION = re.compile(r"\b(" + "|".join(re.escape(k) for k in FULL_FORMS) + r")\b",
                          re.IGNORECASE)
#: A sentence's opening "I" that terse typists leave out: I've / I'm / I + a verb.
_SUBJECT = re.compile(r"(^|[.!?]\s+)(?:I've|I'm|I) (?=(?:tried|got|been|checked|just|still|"
                      r"paid|had|need|want|can't|cannot|don't|have|was|called|rang|asked|"
                      r"ordered|sent|returned|cancelled|waited|reset|restarted|lost|missed|"
                      r"spent|so|really|literally|genuinely|honestly|not)\b)")
_QUESTION = re.compile(r"\?+(\s+|$)")
_STOP = re.compile(r"(?<=[a-z0-9])\. (?=[a-zA-Z])")
_STOP_ANY = re.compile(r"(?<=[a-zA-Z])\. (?=[a-zA-Z])")
#: A phrase the customer quotes ('we're aware'): real tweets quote with double quotes.
_QUOTED = re.compile(r"(^|[\s(])'([^'\n]{2,80}?)'(?=[\s.,!?)]|$)")
_DOUBLE_QUOTED = re.compile(r'"([^"\n]{1,80}?)"')
_RUN_ONS = (" ", " ", " ", ", ", " and ")


def pick_join(rng: Stream) -> str:
    return _RUN_ONS[int(rng.random() * len(_RUN_ONS))]


#: Words people put at the start of a sentence ("also", "ok so") or at the end ("btw"). The
#: realism benchmark found "honestly", "genuinely", "tbh" and "ngl" in 2-3% of our posts and
#: almost none of the real ones, and "also", "oh", "yes", "guys" far rarer in ours: fillers
#: lean on the words real customers use.
FILLERS = ("also", "oh and", "ok so", "well", "so", "btw", "though", "guys",
           "anyway", "just saying", "to be fair", "basically", "seriously", "actually",
           "honestly", "literally", "for real", "not gonna lie", "fyi")
#: Fillers that go at the end of a post ("no signal since 9 btw").
TRAILING = frozenset({"btw", "though", "guys", "anyway", "just saying", "for real", "fyi"})


def english(text: str, hand: Hand, rng: Stream, keep: Sequence[str] = ()) -> str:
    """``text`` typed by ``hand`` (values in ``keep``, e.g. personal data, are not changed)."""
    rates = hand.rates
    if hand.run_on and ". " in text and rng.random() < 0.7:
        text = _STOP.sub(lambda _m: pick_join(rng), text)
    if "'" in text and _QUOTED.search(text):  # people quote with double quotes, or not at all
        draw = rng.random()
        if draw < 0.9:
            text = _QUOTED.sub(r'\1"\2"' if draw < 0.55 else r"\1\2", text)
    if rates.exclaim and ". " in text:
        chance = min(0.3, rates.exclaim * MID_EXCLAIM)
        text = _STOP_ANY.sub(lambda m: "! " if rng.random() < chance else m.group(0), text)
    if hand.drops_subject and "I" in text and rng.random() < 0.6:
        text = _SUBJECT.sub(r"\1", text, count=1)
    if hand.full_forms and "'" in text and rng.random() < 0.8:
        text = _CONTRACTION.sub(_expand, text)
    if hand.drops_question_mark and "?" in text and rng.random() < 0.85:
        text = _QUESTION.sub(lambda m: "" if not m.group(1) else rng.choice((" ", ". ")),
                             text).rstrip()
    if rates.filler and rng.random() < rates.filler:
        text = _filler(text, rng)
    if hand.sentence_case:
        text = _capitalise_first(text)
        if ". " in text or "? " in text or "! " in text:  # (regexes only where they can act)
            text = _SENTENCE_START.sub(_upper_start, text)
        if (" i " in text or " i'" in text or text[:2] in ("i ", "i'")
                or " i\u2019" in text):
            text = _LONE_I.sub("I", text)
    else:
        lowered = text.lower()
        if lowered != text:
            for word in {w for w in _WORD.findall(text) if len(w) >= 2 and w.isupper()}:
                lowered = re.sub(rf"\b{word.lower()}\b", word, lowered)  # emphasis stays
        text = lowered
        if hand.autocorrects_i and (" i " in text or " i'" in text or text[:2] in ("i ", "i'")):
            text = _LONE_I.sub("I", text)
    if "'" in text:
        if hand.drops_apostrophes and rng.random() < 0.7:
            text = _APOSTROPHE_WORD.sub(lambda m: m.group(1) + m.group(2), text)
        if hand.curly:
            text = _CURLY.sub("\u2019", text).replace("'", "\u2018")
    if hand.curly and '"' in text:
        text = _DOUBLE_QUOTED.sub("\u201c\\1\u201d", text)
    if rates.shout and rng.random() < rates.shout:
        text = _shout(text, rng)
    if rates.ellipsis and rng.random() < rates.ellipsis:
        text = _ellipsis(text, rng)
    text = _ending(text, rates, rng)
    for value in keep:  # personal data exactly as the slot wrote it
        if value and value not in text:
            text = re.sub(re.escape(value), value, text, flags=re.IGNORECASE)
    return text


#: "I'd" before a past participle is "I had" ("I'd been waiting"), else "I would".
#: (Only words that cannot follow "would": "I'd just like" and "I'd never" stay "would".)
_HAD_AFTER = re.compile(r"\s+(?:been|had|already|ordered|paid|seen|done|gone|got|tried|sent|"
                        r"asked|called|booked|bought|cancelled|waited|spent|lost|forgotten|"
                        r"told|given|made|left|taken|used|heard|received|returned|checked|"
                        r"planned|expected|hoped|saved|moved)\b", re.IGNORECASE)


def _expand(match: re.Match[str]) -> str:
    word = match.group(1)
    if word.lower() == "i'd" and _HAD_AFTER.match(match.string, match.end()):
        return word[0] + " had"
    full = FULL_FORMS.get(word) or FULL_FORMS.get(word[0].upper() + word[1:].lower()) or \
        FULL_FORMS.get(word.lower(), word)
    return full[0].upper() + full[1:] if word[0].isupper() else full


def _filler(text: str, rng: Stream) -> str:
    """A filler at the start of the text or of a later sentence, or "tbh" at the end."""
    word = FILLERS[int(rng.random() * len(FILLERS))]
    if word in TRAILING:
        if text.rstrip()[-1:] in "?!":  # "is it down? btw." reads wrong: lead with it
            return text
        return text.rstrip(" .") + " " + word
    starts = [0] + [m.end() for m in re.finditer(r"[.!?]\s+", text)]
    at = starts[int(rng.random() * len(starts))]
    if at >= len(text):
        return text
    return text[:at] + word + (", " if rng.random() < 0.4 else " ") + text[at].lower() + \
        text[at + 1:]


def _shout(text: str, rng: Stream) -> str:
    words = [m for m in _WORD.finditer(text) if m.group(0).lower() in EMPHASIS]
    if not words:
        return text
    m = words[int(rng.random() * len(words))]
    return text[:m.start()] + m.group(0).upper() + text[m.end():]


def _ellipsis(text: str, rng: Stream) -> str:
    stops = [i for i, ch in enumerate(text) if ch == "." and text[i + 1:i + 2] == " "
             and text[i - 1:i] != "."]  # a stop, not the end of an ellipsis already there
    if stops:
        i = stops[int(rng.random() * len(stops))]
        return text[:i] + "..." + text[i + 1:]
    stripped = text.rstrip()
    if stripped and stripped[-1].isalnum():
        return stripped + rng.choice(("...", "..", "\u2026"))
    return text


def _ending(text: str, rates: HandRates, rng: Stream) -> str:
    stripped = text.rstrip()
    if not stripped:
        return text
    last = stripped[-1]
    draw = rng.random()
    if last.isalnum() or last in "'’\"":
        if draw < rates.exclaim:
            return stripped + ("!!" if rng.random() < 0.2 else "!")
        if draw < rates.exclaim + rates.full_stop:
            return stripped + "."
        return stripped
    if last == "." and not stripped.endswith("..") and draw < rates.exclaim:
        return stripped[:-1] + "!"
    return stripped


# ------------------------------------------------------------------------------ Korean
#: 초성 abbreviations Korean tweets use for whole words.
CHOSEONG = {"감사합니다": "ㄱㅅ", "감사해요": "ㄱㅅㄱㅅ", "죄송합니다": "ㅈㅅ", "진짜": "ㄹㅇ",
            "응응": "ㅇㅇ", "수고하세요": "ㅅㄱ", "부탁드려요": "ㅂㅌ"}
SAD_TAILS = ("ㅠㅠ", "ㅜㅜ", "ㅠ", "ㅠㅠㅠ", "ㅜ")
LAUGH_TAILS = ("ㅋㅋ", "ㅋㅋㅋ", "ㅋ", "ㅎㅎ")
TRAILS = ("..", "...", "~", "?!", ";;")


def korean(text: str, hand: Hand, rng: Stream, mood: str, keep: Sequence[str] = ()) -> str:
    """``text`` typed by ``hand`` in Korean: tails fitting ``mood`` (sad, angry, happy, troll),
    dropped spaces, 초성 abbreviations, trailing dots. ``keep`` values are never split."""
    rates = hand.rates
    if rates.spacing_slip and rng.random() < rates.spacing_slip:
        text = _slip(text, rng, keep)
    if not hand.sentence_case:  # the Korean stand-in for casual typing: 초성 words
        for word, short in CHOSEONG.items():
            if word in text and rng.random() < 0.5:
                text = text.replace(word, short, 1)
    stripped = text.rstrip()
    if rates.tail and rng.random() < rates.tail and not stripped.endswith(("ㅠ", "ㅜ", "ㅋ")):
        tails = LAUGH_TAILS if mood in ("troll", "happy") else SAD_TAILS
        stripped = f"{stripped}{'' if rng.random() < 0.6 else ' '}{rng.choice(tails)}"
    elif rates.ellipsis and rng.random() < rates.ellipsis and stripped[-1:].isalnum():
        stripped += rng.choice(TRAILS)
    elif not hand.sentence_case and stripped.endswith(".") and not stripped.endswith(".."):
        stripped = stripped[:-1]  # casual typists leave the full stop off
    return stripped


def _hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _slip(text: str, rng: Stream, keep: Sequence[str]) -> str:
    spaces = [i for i, ch in enumerate(text) if ch == " " and 0 < i < len(text) - 1
              and _hangul(text[i - 1]) and _hangul(text[i + 1])]
    protected = [(text.find(v), text.find(v) + len(v)) for v in keep if v and v in text]
    spaces = [i for i in spaces if not any(a <= i < b for a, b in protected)]
    if not spaces:
        return text
    i = spaces[int(rng.random() * len(spaces))]
    return text[:i] + text[i + 1:]
