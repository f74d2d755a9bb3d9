"""The coach's "better reply": the trainee's own reply, edited where a finding flags it.

An editor, not a template: the better reply starts from what the trainee wrote and keeps every
sentence no finding is about, so facts, safety information ("999 still works"), the customer's
name and the next step survive. A flagged span is cut out (the rest of its sentence kept when
it carries a number, a link or safety words; the sentence dropped otherwise), replaced where a
plain cut would leave a hole (a request for personal data in public becomes the DM line), and
what a finding says is missing is added from the brand's phrasebook (an acknowledgement, a next
step, the DM line). Personas change the edit: a journalist is pointed to the press office (not
apologised to about "the service"), a troll gets one short calm line, praise gets thanks. The
scenario's banned phrases never appear, and a public reply never passes 280 characters:
additions go first, the trainee's protected sentences last.

When the trainee's reply has nothing left to keep (it was all a brush-off), the reply is
composed from the phrasebook as before. Phrasebooks are data per language
(``scoring/rewrites/<language>.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.records import PUBLIC_LIMIT, ReplyContext
from engine.scenario import Brand
from scoring.lexicon import fold
from scoring.records import Finding

PHRASEBOOK_DIR = Path(__file__).resolve().parent / "rewrites"
#: Intents whose fix needs account details, so a composed reply moves to DM.
NEEDS_DETAILS = frozenset({"billing", "delivery", "refund", "account_access", "delay"})
#: Finding kinds whose flagged words are cut from the reply.
CUT = frozenset({"rude", "sarcastic", "blames_customer", "argues_with_troll", "dismissive",
                 "policy_wall", "grovels_to_troll", "robotic_apology", "banned_phrase",
                 "canned_duplicate"})
#: Finding kinds whose whole clause goes (the request or the promise itself is the mistake).
DROP_SENTENCE = frozenset({"asks_pii_public", "asks_password", "over_promise"})
#: Finding kinds that ask for the DM line.
WANTS_DM = frozenset({"asks_pii_public", "exposes_pii_public", "dm_not_offered"})
#: Finding kinds that say the acknowledgement is missing.
WANTS_ACK = frozenset({"no_empathy", "missing_specific"})
#: Finding kinds that say the next step is missing.
WANTS_STEP = frozenset({"missing_next_step", "missing_ownership", "no_empathy"})
#: Finding kinds too small to rewrite a troll reply over (the signature is added anyway).
TRIVIAL = frozenset({"missing_signature"})
#: A sentence with one of these keeps everything but its flagged words: numbers (999, an ETA,
#: an order number), links and e-mail addresses.
_PROTECTED = re.compile(r"\d|https?://|www\.|\S+@\S+\.\w")
_SIGNATURE = re.compile(r"\s*\^[A-Za-z]{1,6}\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")
_SPACES = re.compile(r"[ \t]{2,}")
_LEADING_JUNK = re.compile(r"^[\s,;:\-–—]+")
_DANGLING = re.compile(r"\s+([,.;:!?])")
_PRESS_CONTACT = re.compile(r"press@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@lru_cache(maxsize=4)
def phrasebook(language: str) -> dict[str, Any]:
    path = PHRASEBOOK_DIR / f"{language if language in ('en', 'ko') else 'en'}.yaml"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _first_name(display_name: str, language: str) -> str:
    if not display_name:
        return "고객" if language == "ko" else "Hi"
    if language == "ko":
        return display_name
    return display_name.split()[0]


def problems(findings: Iterable[Finding]) -> list[Finding]:
    """The findings a better reply must answer: not praise (info), not bonuses."""
    return [f for f in findings if f.severity != "info" and f.impact >= 0]


def findings_of(assessment: Any) -> list[Finding]:
    """Every finding of a ``ReplyAssessment`` (empathy, tone, privacy)."""
    if assessment is None:
        return []
    return [*assessment.privacy.findings, *assessment.empathy.findings,
            *assessment.tone.findings]


# ------------------------------------------------------------------------------ the pieces


@dataclass
class _Part:
    """A sentence of the better reply: the trainee's (``own``) or added from the phrasebook.
    ``keep`` ranks what goes last when the reply must shrink (higher stays longer)."""

    text: str
    own: bool
    keep: int


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, in order, blanks excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def tidy(sentence: str, language: str) -> str:
    """A sentence after a cut: no doubled blanks, no leading comma or dash, a capital first
    letter (English), closing punctuation."""
    text = _SPACES.sub(" ", sentence)
    text = _DANGLING.sub(r"\1", text)
    text = re.sub(r"([,;:])\s*([,;:.!?])", r"\2", text)
    text = _LEADING_JUNK.sub("", text).strip()
    if not text:
        return ""
    if language != "ko" and text[0].islower():
        text = text[0].upper() + text[1:]
    if text[-1] not in ".!?。！？)\"”":
        text += "."
    return text


def _content_words(text: str) -> int:
    return len(re.findall(r"\w{2,}", text))


def _cut(sentence: str, spans: list[tuple[int, int]], language: str) -> str:
    """``sentence`` without the (sentence-relative) spans, tidied."""
    out = sentence
    for start, end in sorted(spans, reverse=True):
        out = out[:start] + out[end:]
    return tidy(out, language)


def scrub_banned(text: str, banned: Sequence[str], language: str = "en") -> str:
    """``text`` without any of the brand's ``banned`` phrases (case-insensitive); a sentence
    left with next to nothing is dropped."""
    phrases = [fold(p).strip() for p in banned if p.strip()]
    if not phrases:
        return text
    kept: list[str] = []
    for start, end in _sentences(text):
        sentence = text[start:end]
        low = fold(sentence)
        hits = [(m.start(), m.end()) for p in phrases for m in re.finditer(re.escape(p), low)]
        if not hits:
            kept.append(sentence.strip())
            continue
        rest = _cut(sentence, hits, language)
        if _content_words(rest) >= 2:
            kept.append(rest)
    return " ".join(kept)


def _contains_banned(text: str, banned: Sequence[str]) -> bool:
    low = fold(text)
    return any(fold(p).strip() and fold(p).strip() in low for p in banned)


def _line(book: dict[str, Any], entry_key: str, voice: str, **values: str) -> str:
    entry = book[entry_key]
    text = entry[voice] if isinstance(entry, dict) else entry
    return str(text).format(**values)


def _press_contact(brand: Brand | None) -> str:
    if brand is None:
        return ""
    for macro in brand.macros:
        found = _PRESS_CONTACT.search(macro.text)
        if found:
            return found.group(0)
    return ""


def _mentions_any(text: str, words: Iterable[str]) -> bool:
    low = fold(text)
    return any(fold(w) in low for w in words)


# ------------------------------------------------------------------------------ the editor


def edit_reply(ctx: ReplyContext, findings: Sequence[Finding], brand: Brand | None = None,
               initials: str = "", facts: Mapping[str, str] | None = None) -> str:
    """The trainee's reply to ``ctx`` edited where ``findings`` (spans into
    ``ctx.reply_text``) flag it; see the module docstring."""
    language = "ko" if ctx.language == "ko" else "en"
    book = phrasebook(language)
    voice = brand.voice if brand else ctx.brand_voice
    if voice not in ("friendly", "formal", "playful"):
        voice = "friendly"
    banned = tuple(brand.banned_phrases) if brand else ()
    name = _first_name(ctx.customer_name, language)
    dm_link = brand.dm_link if brand else "DM"
    persona = ctx.persona
    if persona == "neutral" and ctx.intent in ("praise", "abuse"):
        persona = "praise" if ctx.intent == "praise" else "troll"
    flagged = problems(findings)
    kinds = {f.kind for f in flagged}

    body = _SIGNATURE.sub("", ctx.reply_text)
    parts = _own_parts(body, flagged, language)
    own_left = any(p.own and _content_words(p.text) >= 2 for p in parts)

    if persona == "troll":
        if kinds - TRIVIAL or not own_left:
            parts = [_Part(_line(book, "troll", voice), own=False, keep=3)]
    elif not own_left:
        parts = _composed(ctx, book, voice, name, dm_link, kinds, persona)
    else:
        parts = _additions(ctx, parts, book, voice, name, dm_link, kinds, persona, facts,
                           flagged)
    if persona == "journalist":
        parts = _press(parts, book, voice, brand)

    text = _fit(parts, ctx.channel, brand, initials, banned, language)
    return text


def _own_parts(body: str, flagged: Sequence[Finding], language: str) -> list[_Part]:
    """The trainee's sentences with flagged words cut (or flagged sentences dropped)."""
    edits: dict[int, list[tuple[int, int, str]]] = {}
    drops: dict[int, list[tuple[int, int]]] = {}
    calm: set[int] = set()
    emoji = any(f.kind in ("emoji_policy", "too_informal") and _EMOJI.search(f.text or "")
                for f in flagged)
    redacted = "고객님 정보" if language == "ko" else "your details"
    spans = _sentences(body)
    for f in flagged:
        if not (0 <= f.start < f.end <= len(body)):
            continue
        for i, (a, b) in enumerate(spans):
            if a <= f.start < b:
                local = (f.start - a, min(f.end, b) - a)
                if f.kind in DROP_SENTENCE:
                    drops.setdefault(i, []).append(local)
                elif f.kind == "exposes_pii_public":
                    edits.setdefault(i, []).append((*local, redacted))
                elif f.kind in CUT:
                    edits.setdefault(i, []).append((*local, ""))
                elif f.kind == "shouting":
                    calm.add(i)
                break
    parts: list[_Part] = []
    for i, (a, b) in enumerate(spans):
        sentence = body[a:b]
        protected = bool(_PROTECTED.search(sentence))
        if i in drops:
            # the clauses the finding is about go; the others (a 999 line) stay
            sentence = _without_clauses(sentence, drops[i], language)
            if _content_words(sentence) < 2:
                continue
            protected = bool(_PROTECTED.search(sentence))
        elif i in edits:
            out = sentence
            for start, end, replacement in sorted(edits[i], reverse=True):
                out = out[:start] + replacement + out[end:]
            out = tidy(out, language)
            cut_only = all(not r for _, _, r in edits[i])
            if cut_only and not protected and _content_words(out) < 3:
                continue
            sentence = out
        if i in calm:
            sentence = _calm(sentence, language)
        if emoji:
            sentence = _EMOJI.sub("", sentence)
        sentence = tidy(sentence, language)
        if sentence:
            parts.append(_Part(sentence, own=True, keep=4 if protected else 2))
    return parts


_CLAUSE = re.compile(r"[,;]\s*")


def _without_clauses(sentence: str, spans: list[tuple[int, int]], language: str) -> str:
    """``sentence`` without the clauses (split at commas and semicolons) that overlap
    ``spans``."""
    kept: list[str] = []
    start = 0
    bounds = [(m.start(), m.end()) for m in _CLAUSE.finditer(sentence)] + [(len(sentence),
                                                                             len(sentence))]
    for cut_start, cut_end in bounds:
        clause = (start, cut_start)
        if not any(a < clause[1] and clause[0] < b for a, b in spans):
            piece = sentence[clause[0]:clause[1]].strip()
            if piece:
                kept.append(piece)
        start = cut_end
    return tidy(", ".join(kept), language) if kept else ""


def _calm(sentence: str, language: str) -> str:
    """Shouting toned down: runs of exclamation marks become one, and a sentence mostly in
    capitals is written in sentence case (its other capitalised words are kept)."""
    text = re.sub(r"!{2,}", "!", sentence)
    if language == "ko":
        return text
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.5:
        text = text.lower()
        return text[:1].upper() + text[1:]
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w
                    for w in text.split(" "))


def _unnamed(line: str, name: str, language: str) -> str:
    """An acknowledgement without its leading "Dana, " (or "김민지님, ", "김민지 고객님, ")."""
    for lead in (f"{name}, ", f"{name}님, ", f"{name} 고객님, "):
        if line.startswith(lead):
            rest = line[len(lead):]
            return rest[:1].upper() + rest[1:] if language != "ko" else rest
    return line


def _additions(ctx: ReplyContext, parts: list[_Part], book: dict[str, Any], voice: str,
               name: str, dm_link: str, kinds: set[str], persona: str,
               facts: Mapping[str, str] | None, flagged: Sequence[Finding]) -> list[_Part]:
    """What the findings say is missing, around the trainee's own sentences."""
    problem = book["problem"].get(ctx.intent, book["problem"]["product_question"])
    head: list[_Part] = []
    tail: list[_Part] = []
    if persona == "praise":
        if "no_thanks" in kinds or "missing_specific" in kinds:
            head.append(_Part(_line(book, "praise", voice, name=name), own=False, keep=1))
    elif persona != "journalist" and kinds & WANTS_ACK and ctx.intent != "product_question" \
            and ctx.language == "en" and _made_specific(parts, problem):
        pass  # the trainee's own "sorry about this" now names the problem: no second apology
    elif persona != "journalist" and kinds & WANTS_ACK:
        opening = ("acknowledge_question" if ctx.intent == "product_question"
                   else "acknowledge")
        line = _line(book, opening, voice, name=name, problem=problem)
        if ctx.customer_name and name in " ".join(p.text for p in parts):
            line = _unnamed(line, name, ctx.language)  # the trainee already named them
        head.append(_Part(line, own=False, keep=1))
    promised = {f.rule for f in flagged if f.kind == "over_promise"}
    if any("fix_time" in rule or "compensation" in rule for rule in promised):
        eta = (facts or {}).get("eta", "")
        line = book["eta_known"].format(eta=eta) if eta else book["no_eta"]
        tail.append(_Part(line, own=False, keep=3))
    if persona != "praise" and kinds & WANTS_STEP:
        tail.append(_Part(book["next_step"].get(ctx.intent, book["next_step"]["product_question"]),
                          own=False, keep=2))
    if "asks_password" in kinds:
        tail.append(_Part(book["never_password"], own=False, keep=5))
    if ctx.channel == "public" and kinds & (WANTS_DM | {"asks_password"}):
        text = " ".join(p.text for p in parts)
        if "exposes_pii_public" in kinds or persona == "privacy_oversharer":
            tail.append(_Part(book["delete_pii"], own=False, keep=4))
        if dm_link not in text and "DM" not in text:
            tail.append(_Part(book["dm"].format(dm=dm_link), own=False, keep=5))
    return [*head, *parts, *tail]


#: An English apology for nothing in particular ("so sorry about this", "apologies for the
#: trouble"): the coach names the problem in it rather than adding a second apology.
_VAGUE_SORRY = re.compile(
    r"\b(sorry|apologi[sz]e|apologies)\s+(about|for)\s+"
    r"(this|that|it|all this|the (?:trouble|inconvenience|issue|problem|hassle))\b",
    re.IGNORECASE)


def _made_specific(parts: list[_Part], problem: str) -> bool:
    """Name ``problem`` in the trainee's first vague apology, in place; False if there is none."""
    for part in parts:
        if not part.own:
            continue
        found = _VAGUE_SORRY.search(part.text)
        if found is not None:
            part.text = part.text[:found.start(3)] + problem + part.text[found.end(3):]
            return True
    return False


def _composed(ctx: ReplyContext, book: dict[str, Any], voice: str, name: str, dm_link: str,
              kinds: set[str], persona: str) -> list[_Part]:
    """A reply from the phrasebook, for a draft with nothing worth keeping."""
    if persona == "praise":
        return [_Part(_line(book, "praise", voice, name=name), own=False, keep=3)]
    problem = book["problem"].get(ctx.intent, book["problem"]["product_question"])
    parts: list[_Part] = []
    if persona != "journalist":
        opening = ("acknowledge_question" if ctx.intent == "product_question"
                   else "acknowledge")
        # the name and the problem outrank the next step when the DM line carries one
        parts.append(_Part(_line(book, opening, voice, name=name, problem=problem), own=False,
                           keep=3))
        parts.append(_Part(book["next_step"].get(ctx.intent, book["next_step"]["product_question"]),
                           own=False, keep=2))
    if "asks_password" in kinds:
        parts.append(_Part(book["never_password"], own=False, keep=5))
    if ctx.channel == "public" and persona != "journalist" and (
            kinds & WANTS_DM or ctx.intent in NEEDS_DETAILS
            or persona == "privacy_oversharer"):
        if persona == "privacy_oversharer" or "exposes_pii_public" in kinds:
            parts.append(_Part(book["delete_pii"], own=False, keep=4))
        parts.append(_Part(book["dm"].format(dm=dm_link), own=False, keep=5))
    return parts


def _press(parts: list[_Part], book: dict[str, Any], voice: str,
           brand: Brand | None) -> list[_Part]:
    """A journalist goes to the press office: no apology template, the press line added
    unless the reply already points there."""
    text = " ".join(p.text for p in parts)
    if _mentions_any(text, book["press_words"]):
        return parts
    contact = _press_contact(brand)
    line = (_line(book, "journalist_contact", voice, contact=contact) if contact
            else _line(book, "journalist", voice))
    kept = [p for p in parts if p.own]
    return [_Part(line, own=False, keep=6), *kept]


def _fit(parts: list[_Part], channel: str, brand: Brand | None, initials: str,
         banned: Sequence[str], language: str) -> str:
    """Join the parts, drop banned phrases, sign, and shrink a public reply to the limit:
    the lowest ``keep`` goes first (additions before the trainee's own at the same rank)."""
    parts = [_Part(scrub_banned(p.text, banned, language), p.own, p.keep) for p in parts]
    parts = [p for p in parts if p.text.strip()]
    sign = f" ^{initials}" if brand and brand.sign_with_initials and initials else ""
    text = " ".join(p.text for p in parts)
    if channel == "public":
        while len(text) + len(sign) > PUBLIC_LIMIT and len(parts) > 1:
            drop = min(range(len(parts)), key=lambda i: (parts[i].keep, parts[i].own, -i))
            parts.pop(drop)
            text = " ".join(p.text for p in parts)
        if len(text) + len(sign) > PUBLIC_LIMIT:
            room = PUBLIC_LIMIT - len(sign) - 1
            text = text[:room].rsplit(" ", 1)[0].rstrip(",;: ") + "…"
    return text + sign


def better_reply(ctx: ReplyContext, assessment: Any = None, brand: Brand | None = None,
                 initials: str = "", facts: Mapping[str, str] | None = None) -> str:
    """A better version of the reply to ``ctx``: the trainee's text edited where the
    assessment's findings flag it (assessed here when ``assessment`` is None). Public
    replies stay within 280 characters."""
    if assessment is None:
        from scoring.assess import assess_reply

        assessment = assess_reply(ctx, brand=brand)
    return edit_reply(ctx, findings_of(assessment), brand, initials, facts)


def banned_in(text: str, brand: Brand | None) -> bool:
    """Whether ``text`` uses one of the brand's banned phrases (case-insensitive)."""
    return bool(brand and _contains_banned(text, brand.banned_phrases))
