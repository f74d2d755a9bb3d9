"""The privacy rule engine: per-language lexicons, and the finders for requests for personal data
and for moves to DM that `scoring.privacy` turns into findings.

How a request is recognised (so a reply that only *mentions* the words never fires):
1. the reply is cut into clauses; negations and DM cues never reach across a clause break;
2. a request is an imperative in request position ("please send", "could you share", a clause
   start) or a brand-subject request ("we'll need your...", "what's your...", in Korean a
   request ending such as 알려주세요 / 남겨주시면 / 보내주시겠어요?);
3. a negation or prohibition right before it ("don't", "never", "no need to", 절대) or right
   after it (알려주시면 안 됩니다, "...라고 하는 메시지") cancels it;
4. the data it asks for must sit next to it (after it in English, before it in Korean), and a
   brand step ("and we'll check your order number") ends that search;
5. a request is private when its own words name a private route (DM, email us, the app), or
   when nothing makes it explicitly public and the reply elsewhere invites the customer to DM.

Speed: patterns are compiled from lower-cased sources without IGNORECASE and run on a
lower-cased copy of the reply (same length, so spans carry over), and cheap word gates skip
replies that cannot ask for anything.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
#: Words of the preceding text searched for a negation ("please do not ever send").
NEGATION_WORDS = 5
KNOWN_KEYS = frozenset({
    "language", "noun_side", "noun_window", "noun_window_stop", "question_window",
    "clause_breaks", "segment_breaks", "labels", "noun_stems", "dm_stems", "pii_nouns",
    "credential_nouns", "noun_negation_before", "noun_negation_after", "partial_card",
    "request_triggers", "request_position", "brand_requests", "question_requests",
    "negation_before", "negation_after", "public_verbs", "public_cues", "dm_cues",
    "dm_negated_before", "dm_negated_after", "dm_brand_sends", "private_channels",
    "self_service", "brand_contact", "messages", "dm_segment_breaks", "dm_negated_segment",
    "dm_predicate", "dm_third_party", "customer_route"})


class LexiconError(ValueError):
    """A privacy lexicon file that cannot be used (names the file and the key)."""


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
#: Upper-case letters outside escapes (\S) and named groups ((?P<name>...)) are lower-cased.
_UPPER_OUTSIDE_ESCAPES = re.compile(r"\\.|\(\?P[<=>]|[A-Z]+")


def lowered(text: str) -> str:
    """``text`` in lower case with every character at the same offset."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def _rx(value: Any, where: str) -> re.Pattern[str] | None:
    """Compile a lexicon pattern (or list) for matching lower-cased text."""
    if value in (None, "", []):
        return None
    source = "|".join(f"(?:{v})" for v in value) if isinstance(value, list) else str(value)
    source = _UPPER_OUTSIDE_ESCAPES.sub(
        lambda m: m.group(0) if m.group(0)[0] in "\\(" else m.group(0).lower(), source)
    try:
        return re.compile(source)
    except re.error as exc:
        raise LexiconError(f"{where}: bad pattern: {exc}") from None


def _gate(words: Any) -> re.Pattern[str] | None:
    words = [str(w).lower() for w in words or ()]
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


@dataclass(frozen=True)
class PrivacyLexicon:
    """The compiled rules of one language (see ``lexicons/<language>/privacy.yaml``)."""

    language: str
    #: words without which a text cannot hold a data word / a DM cue (cheap gates)
    noun_gate: re.Pattern[str] | None
    dm_gate: re.Pattern[str] | None
    noun_side: str
    noun_window: int
    question_window: int
    nouns: re.Pattern[str]
    #: regex group name -> (category, is_credential)
    groups: dict[str, tuple[str, bool]]
    labels: dict[str, str]
    messages: dict[str, dict[str, str]]
    clause_breaks: re.Pattern[str]
    segment_breaks: re.Pattern[str] | None
    noun_window_stop: re.Pattern[str] | None
    partial_card: re.Pattern[str] | None
    triggers: re.Pattern[str] | None
    position: re.Pattern[str] | None
    brand_requests: re.Pattern[str] | None
    question_requests: re.Pattern[str] | None
    negation_before: re.Pattern[str] | None
    negation_after: re.Pattern[str] | None
    public_verbs: re.Pattern[str] | None
    public_cues: re.Pattern[str] | None
    dm_cues: re.Pattern[str] | None
    dm_negated_before: re.Pattern[str] | None
    dm_negated_after: re.Pattern[str] | None
    dm_brand_sends: re.Pattern[str] | None
    private_channels: re.Pattern[str] | None
    self_service: re.Pattern[str] | None
    noun_negation_before: re.Pattern[str] | None
    noun_negation_after: re.Pattern[str] | None
    brand_contact: re.Pattern[str] | None
    #: where a negation stops reaching a later DM cue ("don't worry, DM us")
    dm_segment_breaks: re.Pattern[str] | None = None
    #: a negation anywhere earlier in the DM cue's segment ("we will never ask ... by DM")
    dm_negated_segment: re.Pattern[str] | None = None
    #: verb-final languages: the first predicate after the cue, groups ``pos`` / ``neg``
    #: ("DM 주시면" invites, "DM으로는 답변드리기 어려우며" does not)
    dm_predicate: re.Pattern[str] | None = None
    #: someone else's DMs ("a scam account DMing you", "사칭 계정이 DM을")
    dm_third_party: re.Pattern[str] | None = None
    #: the brand contacting the customer ("we'll call you on ..."): the number is theirs
    customer_route: re.Pattern[str] | None = None

    def may_ask(self, low: str) -> bool:
        """False when the (lower-cased) text names no personal data at all."""
        return self.noun_gate is None or self.noun_gate.search(low) is not None

    def may_move(self, low: str) -> bool:
        return self.dm_gate is None or self.dm_gate.search(low) is not None

    def label(self, kind: str) -> str:
        return self.labels.get(kind, kind.replace("_", " "))

    def message(self, kind: str, field: str, what: str) -> str:
        return self.messages.get(kind, {}).get(field, "").format(what=what)


@lru_cache(maxsize=8)
def load_lexicon(language: str) -> PrivacyLexicon:
    """The privacy lexicon of ``language`` (English for languages without one), compiled once."""
    path = LEXICON_DIR / language / "privacy.yaml"
    if not language.isalpha() or not path.exists():
        path = LEXICON_DIR / "en" / "privacy.yaml"
    name = f"{path.parent.name}/{path.name}"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise LexiconError(f"{name}: unknown keys {', '.join(unknown)}")
    alternatives: list[str] = []
    groups: dict[str, tuple[str, bool]] = {}
    for credential, key in ((True, "credential_nouns"), (False, "pii_nouns")):
        for category, patterns in (data.get(key) or {}).items():
            group = f"g{len(groups)}"
            groups[group] = (category, credential)
            joined = "|".join(f"(?:{p})" for p in patterns)
            alternatives.append(f"(?P<{group}>{joined})")
    nouns = _rx("|".join(alternatives), f"{name}: pii_nouns/credential_nouns")
    position = data.get("request_position") or []
    position_rx = (_rx(r"(?:^|\b)(?:" + "|".join(position) + r")\s*$", f"{name}: request_position")
                   if position else None)

    def rx(key: str) -> re.Pattern[str] | None:
        return _rx(data.get(key), f"{name}: {key}")

    clause_breaks = rx("clause_breaks")
    if nouns is None or clause_breaks is None:
        raise LexiconError(f"{name}: nouns and clause_breaks are required")
    return PrivacyLexicon(
        language=str(data.get("language", language)),
        noun_gate=_gate(data.get("noun_stems")), dm_gate=_gate(data.get("dm_stems")),
        noun_side=str(data.get("noun_side")),
        noun_window=int(data.get("noun_window", 80)),
        question_window=int(data.get("question_window", 30)), nouns=nouns, groups=groups,
        labels=dict(data.get("labels") or {}), messages=dict(data.get("messages") or {}),
        clause_breaks=clause_breaks, segment_breaks=rx("segment_breaks"),
        noun_window_stop=rx("noun_window_stop"), partial_card=rx("partial_card"),
        triggers=rx("request_triggers"), position=position_rx,
        brand_requests=rx("brand_requests"), question_requests=rx("question_requests"),
        negation_before=rx("negation_before"), negation_after=rx("negation_after"),
        public_verbs=rx("public_verbs"), public_cues=rx("public_cues"), dm_cues=rx("dm_cues"),
        dm_negated_before=rx("dm_negated_before"), dm_negated_after=rx("dm_negated_after"),
        dm_brand_sends=rx("dm_brand_sends"), private_channels=rx("private_channels"),
        self_service=rx("self_service"), noun_negation_before=rx("noun_negation_before"),
        noun_negation_after=rx("noun_negation_after"), brand_contact=rx("brand_contact"),
        dm_segment_breaks=rx("dm_segment_breaks"), dm_negated_segment=rx("dm_negated_segment"),
        dm_predicate=rx("dm_predicate"), dm_third_party=rx("dm_third_party"),
        customer_route=rx("customer_route"))


# ------------------------------------------------------------------------------------ requests


@dataclass(frozen=True, slots=True)
class DataRequest:
    """A request for personal data or a credential found in a reply."""

    start: int
    end: int
    kinds: tuple[str, ...]
    credential: bool
    #: the request goes through a private route (DM, email, the app), not the public thread
    private: bool
    #: which kind of request it was: "imperative", "brand_request" or "question"
    form: str
    #: span of the data words of each kind (start of the first, end of the last)
    noun_spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class DmCues:
    """Where a reply moves the conversation to DM, and whether it invites the customer to."""

    spans: tuple[tuple[int, int], ...]
    invites: bool

    @property
    def moves(self) -> bool:
        return bool(self.spans)


def clause_spans(low: str, lex: PrivacyLexicon) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in lex.clause_breaks.finditer(low):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(low):
        spans.append((start, len(low)))
    return spans


def dm_cues(text: str, lex: PrivacyLexicon, low: str | None = None) -> DmCues:
    """Unnegated DM cues; ``invites`` is False when every cue is the brand sending a DM."""
    low = lowered(text) if low is None else low
    if lex.dm_cues is None or not lex.may_move(low):
        return DmCues((), False)
    sends = [m.span() for m in lex.dm_brand_sends.finditer(low)] if lex.dm_brand_sends else []
    spans, invites = [], False
    clauses: list[tuple[int, int]] | None = None
    for m in lex.dm_cues.finditer(low):
        if lex.dm_negated_before and lex.dm_negated_before.search(low[max(0, m.start() - 30):
                                                                      m.start()]):
            continue
        if lex.dm_negated_after and lex.dm_negated_after.match(low[m.end():m.end() + 24]):
            continue
        if clauses is None:
            clauses = clause_spans(low, lex)
        if _dm_negated(low, lex, clauses, m.start(), m.end()):
            continue
        spans.append(m.span())
        if not any(s <= m.start() < e for s, e in sends):
            invites = True
    return DmCues(tuple(spans), invites)


def _dm_negated(low: str, lex: PrivacyLexicon, clauses: list[tuple[int, int]], start: int,
                end: int) -> bool:
    """A DM cue that only mentions DMs: negated earlier in its segment ("we will never ask for
    details by DM"), someone else's DMs ("scam accounts DMing you"), or, in verb-final languages,
    followed by a negated predicate ("DM으로는 답변드리기 어려우며")."""
    i = bisect_right([c[0] for c in clauses], start) - 1
    clause = clauses[i] if i >= 0 and start < clauses[i][1] else (start, end)
    seg = clause[0]
    if lex.dm_segment_breaks is not None:
        for b in lex.dm_segment_breaks.finditer(low, clause[0], start):
            seg = b.end()
    before = low[seg:start]
    if lex.dm_third_party is not None and lex.dm_third_party.search(before):
        return True
    if lex.dm_negated_segment is not None and lex.dm_negated_segment.search(before):
        return True
    if lex.dm_predicate is not None:
        first = lex.dm_predicate.search(low, end, max(end, clause[1]))
        if first is not None and first.lastgroup == "neg":
            return True
    return False


def _segment_start(low: str, lex: PrivacyLexicon, clause_start: int, at: int) -> int:
    start = clause_start
    if lex.segment_breaks is not None:
        for m in lex.segment_breaks.finditer(low, clause_start, at):
            start = m.end()
    return start


def _negated(low: str, lex: PrivacyLexicon, seg_start: int, start: int, end: int) -> bool:
    if lex.negation_before is not None:
        words = low[seg_start:start].split()[-NEGATION_WORDS:]
        if lex.negation_before.search(" ".join(words) + " " + low[start:end]):
            return True
    # Slice rather than match(low, pos): a pattern's "^" only anchors at the real start.
    return lex.negation_after is not None and lex.negation_after.match(low[end:end + 24]) \
        is not None


_HANDLES = re.compile(r"@\w+")


def _in_position(low: str, lex: PrivacyLexicon, seg_start: int, start: int) -> bool:
    if lex.position is None:
        return True
    before = low[seg_start:start]
    if "@" in before:
        before = _HANDLES.sub("", before)
    before = before.strip(" \t\"'“‘(")
    return not before or lex.position.search(before) is not None


def _window(low: str, lex: PrivacyLexicon, clause: tuple[int, int], start: int, end: int,
            size: int) -> tuple[int, int]:
    """The stretch of text where the data a request asks for may be named."""
    if lex.noun_side == "before":
        lo = max(clause[0], start - size)
        if lex.noun_window_stop is not None:
            for m in lex.noun_window_stop.finditer(low, lo, start):
                lo = m.end()
        return lo, start
    hi = min(clause[1], end + size)
    if lex.noun_window_stop is not None:
        stop = lex.noun_window_stop.search(low, end, hi)
        if stop is not None:
            hi = stop.start()
    return end, hi


def _triggers(low: str, lex: PrivacyLexicon, clauses: list[tuple[int, int]]
              ) -> list[tuple[re.Match[str], str, int, tuple[int, int]]]:
    """Request words in request position and not negated, each with its clause."""
    starts = [c[0] for c in clauses]
    found: list[tuple[re.Match[str], str, int, tuple[int, int]]] = []
    for rx, form, size in ((lex.triggers, "imperative", lex.noun_window),
                           (lex.brand_requests, "brand_request", lex.noun_window),
                           (lex.question_requests, "question", lex.question_window)):
        if rx is None:
            continue
        for m in rx.finditer(low):
            i = bisect_right(starts, m.start()) - 1
            if i < 0 or m.start() >= clauses[i][1]:
                continue  # inside a clause break
            clause = clauses[i]
            seg = _segment_start(low, lex, clause[0], m.start())
            if form == "imperative" and not _in_position(low, lex, seg, m.start()):
                continue
            if _negated(low, lex, seg, m.start(), m.end()):
                continue
            found.append((m, form, size, clause))
    return found


def find_requests(text: str, lex: PrivacyLexicon, channel: str,
                  cues: DmCues | None = None) -> list[DataRequest]:
    """Every request for personal data or credentials in ``text``, in reading order."""
    low = lowered(text)
    if not lex.may_ask(low):
        return []
    cues = cues if cues is not None else dm_cues(text, lex, low)
    route = _Router(low, lex, channel, cues)
    requests: list[DataRequest] = []
    taken: set[int] = set()
    for m, form, size, clause in _triggers(low, lex, clause_spans(low, lex)):
        lo, hi = _window(low, lex, clause, m.start(), m.end(), size)
        if form != "imperative" and lex.noun_side != "before":
            lo = m.start()  # "what's your email": the data words start inside the question
        credential: list[tuple[str, int, int]] = []
        personal: list[tuple[str, int, int]] = []
        for noun in lex.nouns.finditer(low, lo, hi):
            if noun.start() in taken or _excluded(low, lex, noun.start(), noun.end()):
                continue
            category, is_credential = lex.groups[str(noun.lastgroup)]
            if category == "card" and lex.partial_card is not None and \
                    lex.partial_card.search(low, max(0, noun.start() - 30), noun.end() + 60):
                category, is_credential = "payment", False
            taken.add(noun.start())
            (credential if is_credential else personal).append(
                (category, noun.start(), noun.end()))
        if not credential and not personal:
            continue
        private, self_service = route((min(lo, m.start()), max(hi, m.end())), m.group(0))
        for group, is_credential in ((credential, True), (personal, False)):
            if not group or (is_credential and self_service):
                continue
            start = m.start() if lex.noun_side != "before" else group[0][1]
            end = group[-1][2] if lex.noun_side != "before" else m.end()
            kinds = tuple(dict.fromkeys(c for c, _, _ in group))
            requests.append(DataRequest(start, end, kinds, is_credential, private, form,
                                        tuple((s, e) for _, s, e in group)))
    requests.sort(key=lambda r: r.start)
    return requests


def _excluded(low: str, lex: PrivacyLexicon, start: int, end: int) -> bool:
    """A data word the reply rules out ("(no account number)", "계좌번호는 빼고")."""
    before, after = lex.noun_negation_before, lex.noun_negation_after
    return bool((before is not None and before.search(low[max(0, start - 20):start]))
                or (after is not None and after.match(low[end:end + 16])))


class _Router:
    """Decides whether a request goes to a private route (cached per reply)."""

    def __init__(self, low: str, lex: PrivacyLexicon, channel: str, cues: DmCues) -> None:
        self.low, self.lex, self.channel, self.cues = low, lex, channel, cues
        self._elsewhere: bool | None = None

    def elsewhere(self) -> bool:
        """The reply invites the customer to DM or names another private route somewhere."""
        if self._elsewhere is None:
            lex = self.lex
            self._elsewhere = self.cues.invites or any(
                rx is not None and rx.search(self.low) is not None
                for rx in (lex.private_channels, lex.self_service))
        return self._elsewhere

    def __call__(self, area: tuple[int, int], trigger: str) -> tuple[bool, bool]:
        """(private, self_service) for a request whose words cover ``area``."""
        low, lex, (lo, hi) = self.low, self.lex, area
        self_service = lex.self_service is not None and lex.self_service.search(low, lo, hi)
        if self.channel == "dm" or self_service:
            return True, bool(self_service)
        if any(lo <= s < hi for s, _ in self.cues.spans) or (
                lex.private_channels is not None and lex.private_channels.search(low, lo, hi)):
            return True, False
        explicit_public = ((lex.public_cues is not None and lex.public_cues.search(low, lo, hi))
                           or (lex.public_verbs is not None and lex.public_verbs.match(trigger)))
        return (not explicit_public and self.elsewhere()), False
