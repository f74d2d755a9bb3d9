"""Korean particles chosen by the sound they follow: ``성함을(를)`` becomes ``성함을``.

Messages with a slot write both forms (``{what}을(를)``, ``{tag}이(가)``, ``{x}(으)로``) because
the word is only known at run time; printing both reads as a machine talking. A particle
depends on whether the syllable before it ends in a consonant (받침): 을/이/은/과/으로 after
one, 를/가/는/와/로 after a vowel, and 로 also after ㄹ. Digits and Latin letters are read
the way Korean speakers say them (3 삼, 7 칠, "DM" 디엠, "SLA" 에스엘에이).
"""

from __future__ import annotations

import re

#: written pair -> (after a final consonant, after a vowel)
PAIRS: dict[str, tuple[str, str]] = {
    "을(를)": ("을", "를"), "를(을)": ("을", "를"),
    "이(가)": ("이", "가"), "가(이)": ("이", "가"),
    "은(는)": ("은", "는"), "는(은)": ("은", "는"),
    "과(와)": ("과", "와"), "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
    "(이)라": ("이라", "라"), "(이)나": ("이나", "나"), "(이)에요": ("이에요", "예요"),
}
_PAIR = re.compile("|".join(re.escape(p) for p in sorted(PAIRS, key=len, reverse=True)))
#: Closing marks skipped when looking for the word a particle follows.
_CLOSERS = set("\"'”’」』)]}>*_` ")
#: How each digit is read: (has a final consonant, the final is ㄹ).
_DIGITS = {"0": (True, False), "1": (True, True), "2": (False, False), "3": (True, False),
           "4": (False, False), "5": (False, False), "6": (True, False), "7": (True, True),
           "8": (True, True), "9": (False, False)}
#: Latin letters whose Korean name ends in a consonant: L 엘, M 엠, N 엔, R 알.
_LETTERS = {"l": (True, True), "m": (True, False), "n": (True, False), "r": (True, True)}
_RIEUL = 8  # the index of ㄹ among final consonants


def final_sound(char: str) -> tuple[bool, bool] | None:
    """(ends in a consonant, that consonant is ㄹ) for one character; None when unknown."""
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3:
        final = (code - 0xAC00) % 28
        return final != 0, final == _RIEUL
    if char in _DIGITS:
        return _DIGITS[char]
    if char.isascii() and char.isalpha():
        return _LETTERS.get(char.lower(), (False, False))
    return None


def _choose(text: str, at: int, pair: str) -> str:
    consonant_form, vowel_form = PAIRS[pair]
    i = at - 1
    while i >= 0 and text[i] in _CLOSERS:
        i -= 1
    sound = final_sound(text[i]) if i >= 0 else None
    if sound is None:
        return vowel_form  # a symbol or nothing: the vowel form reads least oddly
    has_final, rieul = sound
    if pair == "(으)로":
        return "로" if not has_final or rieul else "으로"
    return consonant_form if has_final else vowel_form


def particles(text: str) -> str:
    """``text`` with every written-both-ways particle resolved for the word before it."""
    if "(" not in text:
        return text
    return _PAIR.sub(lambda m: _choose(m.string, m.start(), m.group(0)), text)
