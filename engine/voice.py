"""The customer voice hook: who writes the text of a customer's conversational turn.

The engine decides everything about a turn (who, when, what it answers, in which channel, how
they feel, which personal data it reveals and where) and renders its text from the bank at
once. A voice may rewrite that text: the engine asks it with ``prepare`` as soon as the turn is
decided (the reaction is minutes of simulated time away, so a voice can write ahead of the
clock) and takes the result with ``take`` when the turn happens. Both calls return at once:
``take`` gives the voice's text when it is ready and valid, else the bank's, labelled, so the
engine never waits on a network and a slow endpoint never stalls the desk.

The bank voice (``BankVoice``) is the default and returns the bank text. The optional LLM
voice lives in the application layer (``stormdesk/voice.py``); it keeps the texts it gave in a
book keyed by the request, so a replay of the same drill reads them back instead of asking
again. The shared organic flood is never voiced: only follow-ups in answered threads and
answers to replies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Protocol

from engine.records import VOICE_BANK, PersonalData


@dataclass(frozen=True, slots=True)
class VoiceRequest:
    """One customer turn the engine decided, and its bank text."""

    #: the post's id in its thread (``m000042p3``): unique per drill and turn
    post_id: str
    language: str
    brand: str
    #: the brand's handle (a public post names it)
    handle: str
    persona: str
    intent: str
    #: the customer's mood now, -1 (furious) .. 1 (delighted)
    mood: float
    #: what the turn does: "answered_device", "asked_again", "promise", "unanswered", ...
    turn: str
    channel: str
    #: the thread so far, oldest first: ("customer" | "brand", text)
    history: tuple[tuple[str, str], ...]
    #: personal data this post must carry, exactly these values (and no other)
    reveal: tuple[PersonalData, ...]
    #: the bank's text for this turn (what is posted if the voice has nothing better)
    fallback: str
    limit: int = 280
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What identifies the turn's content: the same request in a replay gets the same key
        (the same post in the same thread after the same conversation)."""
        blob = json.dumps([self.post_id, self.language, self.persona, self.turn, self.channel,
                           self.history, [(d.kind, d.value) for d in self.reveal],
                           self.fallback], ensure_ascii=False)
        return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Voiced:
    """The text to post and who wrote it (``voice`` on the event)."""

    text: str
    source: str = VOICE_BANK


class CustomerVoice(Protocol):
    """Anything that can write customers' conversational turns. Both calls must return at once
    (no network wait): ``prepare`` may start work in the background."""

    def prepare(self, request: VoiceRequest) -> None: ...

    def take(self, request: VoiceRequest) -> Voiced: ...


class BankVoice:
    """The default: the bank's text, as the engine rendered it."""

    def prepare(self, request: VoiceRequest) -> None:
        return None

    def take(self, request: VoiceRequest) -> Voiced:
        return Voiced(request.fallback, VOICE_BANK)


def revealed(voiced: Voiced, request: VoiceRequest) -> tuple[PersonalData, ...]:
    """The personal data a voiced text exposes: the requested values that appear in it."""
    return tuple(d for d in request.reveal if d.value in voiced.text)
