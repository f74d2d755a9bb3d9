"""The optional LLM customer voice: an OpenAI-compatible model writes customers' conversational
turns (follow-ups in answered threads, answers to replies, promise chases) from what the engine
decided, through ``llm.LlmClient`` (a total deadline per call, a per-drill budget, the endpoint's
circuit breaker, labelled answers).

Turned on with ``STORMDESK_LLM_VOICE=1`` next to the LLM settings (``llm/settings.py``).
The engine asks ``prepare`` when it decides a turn (minutes of simulated time before the
customer posts it); the call runs on a small worker pool. ``take`` returns at once: the model's
text when it is ready and passes the policy (length, language, exactly the personal data the
engine put there, no links), else the bank's text labelled ``llm fallback: <reason>``.

Every text ``take`` gave is kept in a book keyed by the request (the same turn in the same
conversation), in memory and in a JSON-lines file, so a replay of the drill (recovery, End
drill's grading, re-scoring) reads it back instead of asking again, and gets the same
transcript. A book entry is written when the turn is posted, whatever produced it, so a replay
also repeats a fallback.
"""

from __future__ import annotations

import json
import os
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, Field

from engine.scenario import Scenario
from engine.voice import Voiced, VoiceRequest
from llm import LlmClient, LlmSettings, fallback_label

ENV_VOICE = "STORMDESK_LLM_VOICE"
ENV_BOOK = "STORMDESK_VOICE_BOOK"
DEFAULT_BOOK = Path(__file__).resolve().parent.parent / "data" / "voice_book.jsonl"
#: Calls in flight per voice at most; turns decided beyond that are left to the bank.
MAX_PENDING = 16
#: Worker threads shared by every voice of the process (the endpoint's own limit matters more).
WORKERS = 2

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_DIGITS = re.compile(r"(?:\+?\d[\d\s().-]{6,}\d)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")

TURNS = {
    "unanswered": "chases the brand because nobody has answered since",
    "promise": "holds the agent to the time they promised, which has now passed",
    "asked_again": "points out that the reply ignored their question, and asks it again",
    "answered_device": "answers the agent's question about which device they use",
    "answered_location": "answers the agent's question about where they are",
    "answered_when": "answers the agent's question about when it started",
    "answered_tried": "answers the agent's question about what they already tried",
    "answered_details": "describes the problem in more detail, as the agent asked",
    "answered_order": "gives the order number the agent asked for in DM",
    "answered_contact": "gives the contact details the agent asked for in DM",
    "refused_public": "refuses to post personal details in public and offers to DM them",
    "status": "reacts to the status update the brand gave, calmer",
    "fixed": "confirms it works now and thanks them",
    "still_broken": "says it is still not working for them, despite the reply",
    "thanked": "thanks the agent for a good answer",
    "calmed": "accepts the answer, calmer, and waits",
    "moved_to_dm": "continues in DM, calmer",
    "escalated": "is angrier: the reply did not help",
    "escalated_pii": "refuses, annoyed, to post personal details in public",
    "complied_in_public": "posts the personal details the agent asked for, in public",
    "provided_details": "gives the details the agent asked for",
    "trolled_back": "mocks the brand's reply (a troll)",
    "faded": "loses interest (a troll)",
}
SYSTEM = (
    "You write one short post by a simulated customer, for a customer-care training drill. "
    "Stay in character and write as people really type on X/Twitter: casual, specific, no "
    "corporate tone. Answer with JSON only: {\"text\": \"...\"}. Rules: write in the language "
    "asked for; at most 280 characters; no links; no hashtags unless natural; never include "
    "personal data (e-mail addresses, phone numbers, order or booking numbers, addresses, "
    "card or account numbers, dates of birth) except exactly the values you are told to "
    "include, written exactly as given.")


class VoiceAnswer(BaseModel):
    """The model's answer: the post's text."""

    text: str = Field(min_length=1, max_length=2000)


class VoiceBook:
    """The texts posted per request key: in memory, and appended to a JSON-lines file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._texts: dict[str, Voiced] = {}
        if path is not None and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self._texts[str(row["key"])] = Voiced(str(row["text"]), str(row["source"]))
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line after a crash: the rest still counts

    def get(self, key: str) -> Voiced | None:
        with self._lock:
            return self._texts.get(key)

    def put(self, key: str, voiced: Voiced) -> Voiced:
        """Keep ``voiced`` for ``key`` (the first text kept for a key wins) and return it."""
        with self._lock:
            kept = self._texts.setdefault(key, voiced)
            if kept is voiced and self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"key": key, "text": voiced.text,
                                         "source": voiced.source}, ensure_ascii=False) + "\n")
            return kept


_BOOKS: dict[str, VoiceBook] = {}
_BOOKS_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None


def book_at(path: Path | None) -> VoiceBook:
    """The process-wide book of ``path`` (None: kept in memory only)."""
    key = str(path) if path else ""
    with _BOOKS_LOCK:
        book = _BOOKS.get(key)
        if book is None:
            book = _BOOKS[key] = VoiceBook(path)
        return book


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _BOOKS_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="voice")
        return _POOL


class LlmVoice:
    """Customer turns written by an LLM ahead of the clock (see the module docstring)."""

    def __init__(self, client: LlmClient, book: VoiceBook, scope: str = "") -> None:
        self.client = client
        self.book = book
        #: what makes keys of different drills differ (scenario hash and seed)
        self.scope = scope
        self._pending: dict[str, Future[Voiced]] = {}
        self._lock = threading.Lock()

    def _key(self, request: VoiceRequest) -> str:
        return f"{self.scope}/{request.key}"

    def prepare(self, request: VoiceRequest) -> None:
        key = self._key(request)
        if self.book.get(key) is not None:
            return  # written before: a replay reads it back
        with self._lock:
            if key in self._pending or len(self._pending) >= MAX_PENDING:
                return
            self._pending[key] = _pool().submit(self._write, request)

    def take(self, request: VoiceRequest) -> Voiced:
        key = self._key(request)
        kept = self.book.get(key)
        if kept is not None:
            return kept
        with self._lock:
            future = self._pending.pop(key, None)
        if future is None:
            voiced = Voiced(request.fallback, fallback_label("not asked (too many in flight)"))
        elif not future.done():
            voiced = Voiced(request.fallback, fallback_label("not written in time"))
        else:
            voiced = future.result()
        return self.book.put(key, voiced)

    def _write(self, request: VoiceRequest) -> Voiced:
        answer = self.client.ask(SYSTEM, prompt(request), VoiceAnswer)
        if answer.value is None:
            return Voiced(request.fallback, answer.source)
        text = finish(answer.value.text, request)
        problem = policy_problem(text, request)
        if problem is not None:
            return Voiced(request.fallback, fallback_label(f"policy: {problem}"))
        return Voiced(text, answer.source)


def prompt(request: VoiceRequest) -> str:
    """The user message: who the customer is, what the engine decided, the thread so far."""
    language = "Korean" if request.language == "ko" else "English"
    channel = "a direct message to the brand" if request.channel == "dm" else \
        f"a public reply to @{request.handle}"
    history = "\n".join(f"{who}: {text}" for who, text in request.history) or "(none)"
    include = "; ".join(f"{d.kind}: {d.value}" for d in request.reveal) or \
        "nothing personal"
    return (f"Brand: {request.brand}. Language: {language}. This post is {channel}.\n"
            f"Customer: {request.persona.replace('_', ' ')}, mood {request.mood:+.1f} "
            f"(-1 furious, +1 delighted), writing about: {request.intent.replace('_', ' ')}.\n"
            f"This post {TURNS.get(request.turn, 'replies to the brand')}.\n"
            f"Conversation so far (oldest first):\n{history}\n"
            f"Must include exactly: {include}.\n"
            f"A draft you may rewrite in your own words (keep its meaning): {request.fallback}")


def finish(text: str, request: VoiceRequest) -> str:
    """The model's text tidied: one line, no wrapping quotes, the handle on a public post."""
    text = " ".join(text.split()).strip().strip('"').strip()
    if request.channel == "public" and f"@{request.handle}".lower() not in text.lower():
        text = f"@{request.handle} {text}"
    return text


def policy_problem(text: str, request: VoiceRequest) -> str | None:
    """Why a voiced text may not be posted (None: it may)."""
    if not text:
        return "empty"
    if len(text) > request.limit:
        return f"{len(text)} characters (limit {request.limit})"
    if "http" in text.lower() or "www." in text.lower():
        return "a link"
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    if request.language == "ko" and hangul < max(3, 0.3 * (hangul + latin)):
        return "not Korean"
    if request.language == "en" and hangul:
        return "not English"
    missing = [d.kind for d in request.reveal if d.value not in text]
    if missing:
        return f"left out {', '.join(missing)}"
    allowed = " ".join(d.value for d in request.reveal) + " @" + request.handle
    for found in _EMAIL.findall(text) + _DIGITS.findall(text):
        if found.strip() not in allowed:
            return "personal data the engine did not put there"
    return None


def enabled(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get(ENV_VOICE, "").strip().lower() in ("1", "on", "true", "yes", "llm")


def voice_for(scenario: Scenario, seed: int, settings: LlmSettings | None = None,
              book_path: Path | None = None) -> LlmVoice | None:
    """The LLM voice for one drill when it is turned on and an endpoint is configured."""
    if settings is None:
        if not enabled():
            return None
        from llm import settings_from_env

        settings = settings_from_env()
        if settings is None:
            return None
    path = book_path if book_path is not None else Path(
        os.environ.get(ENV_BOOK, "") or DEFAULT_BOOK)
    return LlmVoice(LlmClient(settings), book_at(path),
                    scope=f"{scenario.id}/{scenario.content_hash}/{seed}")
