"""Korean sentence structure from the kiwipiepy morphological analyser: per sentence, the final
ending and the constructions that carry irony, reproach or contradiction in a reply.

Kiwi loads its model from the ``kiwipiepy-model`` wheel (no download) in about 1.5 s and warms up
for about 2 s on its first sentence, then costs 300-500 us per sentence (field notes, 2026-12-06).
So: one analyser per process, created on first use; results cached by text; callers ask only
when a cheap substring gate says a construction could be there (`may_hold_construction`). Without
kiwipiepy installed, `analyse` returns None and callers fall back to their surface rules.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: Substrings without which no construction below can occur (checked before any analysis).
_GATE = re.compile(r"봐|보네|봅니|보군|겠네|겠죠|겠지|겠어|셨겠|시겠|잖|까요|까\?|군요|는군|"
                   r"지만|는데|은데|ㄴ데|근데|그런데|다만|하지만|네요|죠|지요")
_CONTRAST_ENDINGS = frozenset({"지만", "는데", "은데", "ᆫ데", "데"})
_CONTRAST_ADVERBS = frozenset({"하지만", "그런데", "근데", "다만", "그러나"})
_LOCK = threading.Lock()
_KIWI: list[Any] = []
#: texts analysed per process before the cache starts evicting (about 200 bytes each)
CACHE_SIZE = 8192


@dataclass(frozen=True, slots=True)
class KoreanSentence:
    """One sentence of a reply with the constructions found in it (offsets into the text)."""

    start: int
    end: int
    #: final ending (EF) forms, e.g. ("어요",), ("잖아요",)
    endings: tuple[str, ...]
    #: "-나 보다 / -ㄴ가 보다": an inference about someone ("좋아하시나 봐요", "피곤한가 봐요")
    inference: bool
    #: presumptive 겠 before 네요/죠 ("익숙해지셨겠네요", "그러시겠죠")
    presumptive: bool
    #: reproachful "-잖아요" ("쓰고 계시잖아요")
    reproach: bool
    #: negative rhetorical question ("괜찮지 않을까요?", "일부 아닐까요?", "당연한 거 아닌가요?")
    rhetorical: bool
    #: exclamation of discovery ("기다리시는군요", "감동이네요")
    discovery: bool
    #: contrast inside or at the head of the sentence (지만, 는데, 하지만, 그런데, 다만)
    contrast: bool
    #: the subject-honorific 시 (the customer as the subject: "좋아하시", "버티시")
    honorific: bool
    #: an impersonal passive predicate (XSV 되: "처리됩니다", "제공되고 있습니다")
    passive: bool = False
    #: a rule invoked with 따르다 ("약관에 따라", "기준에 따릅니다"), whatever its conjugation
    according: bool = False
    #: the truth of something denied: 사실 + 다르다 / 아니다 ("사실과 달라요", "사실이 아니에요")
    truth_denied: bool = False


_IMPERSONAL_GATE = re.compile(r"되|됩|돼|됐|따라|따르|따릅|따른")


def may_be_impersonal(text: str) -> bool:
    """Cheap test: False means no sentence of ``text`` has a passive or a 따르다 rule."""
    return _IMPERSONAL_GATE.search(text) is not None


def may_hold_construction(text: str) -> bool:
    """Cheap test: False means no sentence of ``text`` can hold any construction above."""
    return _GATE.search(text) is not None


def _kiwi() -> Any | None:
    if _KIWI:
        return _KIWI[0]
    with _LOCK:
        if not _KIWI:
            try:
                from kiwipiepy import Kiwi
            except ImportError:
                _KIWI.append(None)
            else:
                _KIWI.append(Kiwi())
    return _KIWI[0]


def available() -> bool:
    """Whether kiwipiepy (with its model) can be used in this process."""
    return _kiwi() is not None


def warm_up() -> None:
    """Load the analyser and run its first (slow) analysis now, e.g. when a drill starts."""
    analyse("확인해 드리겠습니다. 기다려 주셔서 감사합니다.")


def _sentence(tokens: list[Any], start: int, end: int) -> KoreanSentence:
    tags = [(t.form, t.tag) for t in tokens]
    endings = tuple(f for f, tag in tags if tag == "EF")
    inference = presumptive = reproach = rhetorical = discovery = contrast = honorific = False
    passive = ("되", "XSV") in tags
    according = any(f == "따르" and t.startswith("VV") for f, t in tags)
    truth_denied = ("사실", "NNG") in tags and any(
        (f == "다르" and t.startswith("VA")) or (f == "아니" and t == "VCN") for f, t in tags)
    for i, (form, tag) in enumerate(tags):
        prev = tags[i - 1] if i else ("", "")
        if tag == "VX" and form == "보" and prev[1] in ("EC", "EF") and \
                prev[0] in ("나", "ᆫ가", "은가", "는가", "가"):
            inference = True
        elif tag == "EP" and form == "겠" and i + 1 < len(tags) and (
                tags[i + 1][0] in ("네요", "네", "죠", "지요", "지", "군요")
                or ("시", "EP") in tags[max(0, i - 3):i]):
            # "익숙해지셨겠네요", and "-셨겠습니다" said about the customer
            presumptive = True
        elif tag == "EP" and form == "시":
            honorific = True
        elif tag.startswith("E") and form.startswith("잖"):
            reproach = True
        elif tag == "EF" and form in ("군요", "는군요", "네요", "구나", "네"):
            discovery = True
        elif (tag == "EC" and form in _CONTRAST_ENDINGS) or (
                tag == "MAJ" and form in _CONTRAST_ADVERBS):
            contrast = True
        if tag == "EF" and form.endswith(("ᆯ까요", "을까요", "ᆫ가요", "은가요", "는가요", "나요",
                                           "ᆯ까", "까요")):
            window = "".join(f for f, _ in tags[max(0, i - 4):i])
            if "않" in window or "아니" in window or "안" in window:
                rhetorical = True
    return KoreanSentence(start, end, endings, inference, presumptive, reproach, rhetorical,
                          discovery, contrast, honorific, passive, according, truth_denied)


@lru_cache(maxsize=CACHE_SIZE)
def analyse(text: str) -> tuple[KoreanSentence, ...] | None:
    """The sentences of ``text`` with their constructions (None without kiwipiepy)."""
    kiwi = _kiwi()
    if kiwi is None:
        return None
    out: list[KoreanSentence] = []
    for sent in kiwi.split_into_sents(text, return_tokens=True):
        out.append(_sentence(list(sent.tokens or ()), sent.start, sent.end))
    return tuple(out)
