"""What the simulated public does: the flood, follow-ups, spread, and the customers' answers to
replies (including chasing a promised time), each drawing from its own stream.

The customers' conversational turns (follow-ups in a thread the brand has answered, answers to
replies, promise chases) go through the session's voice (``engine.voice``): the engine decides
the turn and its bank text at once, the voice may rewrite the text ahead of the clock, and the
event records who wrote it.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from engine import reactions
from engine.answers import PROMISE_GRACE_MINUTES, Turn
from engine.arrivals import FactsUpdate, Source, first_mood
from engine.core import SessionCore
from engine.priority import priority_of
from engine.records import (
    HIGH_REACH_FOLLOWERS,
    PUBLIC_LIMIT,
    VOICE_BANK,
    Author,
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    IncidentUpdated,
    MentionAmplified,
    MentionArrived,
    ReplySent,
    ReputationSampled,
)
from engine.text import Rendered
from engine.threads import Stream, ThreadLife, poisson
from engine.voice import Voiced, VoiceRequest, revealed

#: An ignored negative high-reach post starts spreading after this long without an answer.
AMPLIFY_AFTER_MINUTES = 12.0
#: Mean delay between a spreading post and each of its quotes/retweets (the Hawkes kernel).
AMPLIFY_KERNEL_MINUTES = 8.0
#: Posts of the thread a voice sees (the conversation so far, newest last).
VOICE_HISTORY = 6


class PublicMixin(SessionCore):
    """The public's processes and callbacks (mixed into ``TrainingSession``)."""

    # ------------------------------------------------------------------ the flood
    def _flood(self) -> Generator[simpy.Event, Any, None]:
        """The flood's one process: its items come from ``Flood`` in a fixed order, so no
        trainee action (and no SimPy tie-break) can change what the public posts."""
        env = self.env
        open_thread = self._open_thread
        for item in self.flood.timeline():
            minute = item[0]
            if minute > env.now:
                yield env.timeout(minute - env.now)
            if isinstance(item, FactsUpdate):
                self._emit(IncidentUpdated, facts=item.facts)
            else:
                open_thread(*item[1:])

    def _clock(self) -> Generator[simpy.Event, Any, None]:
        projection = self.projection
        while True:
            yield self.env.timeout(1)
            self._emit(ReputationSampled, reputation=self.reputation,
                       open_threads=projection.open_threads, waiting_threads=projection.waiting)

    def _open_thread(self, thread_id: str, author: Author, persona: str, intent: str,
                     sentiment: float, rendered: Rendered, source: Source,
                     quoted: str | None = None) -> ThreadLife:
        text = rendered.text
        # built here rather than through _emit: one event per mention, the hottest path
        state = self._record(MentionArrived(
            event_id=self._event_id(), minute=round(self.env.now, 3),
            mention_id=f"m{thread_id[1:]}", thread_id=thread_id, author=author, persona=persona,
            intent=intent, sentiment=sentiment, priority=priority_of(author, persona, intent, text),
            text=text, exposed=rendered.exposed, source=source, quoted_thread_id=quoted))
        assert state is not None
        weight = 1.0 + math.log10(1 + author.followers)
        life = ThreadLife(state, persona, weight, sentiment)
        self._life[thread_id] = life
        self._rep_sum += weight * sentiment  # _public_signal, inlined
        self._rep_weight += weight
        self._schedule_follow_up(life, 1)
        if sentiment < -0.3 and author.followers >= HIGH_REACH_FOLLOWERS:
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES,
                     partial(self._maybe_amplify, life, life.generation))
        return life

    # ------------------------------------------------------------------ follow-ups
    def _schedule_follow_up(self, life: ThreadLife, attempt: int) -> None:
        state = life.state
        # keyed by the brand's replies so far too: an answer restarts the customer's patience
        chance, wait = self.streams.pair(f"{state.thread_id}/patience/{state.replies}/{attempt}")
        delay = reactions.patience_from(life.persona, attempt, chance, wait)
        if delay is None:
            return
        if self._voiced and state.replies:  # a conversation: the voice writes ahead
            self._prepare_follow_up(life, attempt, delay)
        self.env.timeout(delay).callbacks.append(
            partial(self._follow_up, life, attempt, life.generation))

    def _follow_up_text(self, life: ThreadLife, attempt: int, waited: float) -> Rendered:
        state = life.state
        rng = self.streams.rng(f"{state.thread_id}/follow_up/{attempt}")
        return self.writer.follow_up(attempt, state.opening.author, life.persona, rng=rng,
                                     facts=self._facts(), minute=self.env.now, waited=waited)

    def _prepare_follow_up(self, life: ThreadLife, attempt: int, delay: float) -> None:
        state = life.state
        waited = self.env.now + delay - (state.waiting_since or self.env.now)
        rendered = self._follow_up_text(life, attempt, waited)
        request = self._request(life, f"m{state.thread_id[1:]}f{state.replies}.{attempt}",
                                "unanswered", "public", rendered)
        self.voice.prepare(request)
        if life.pending is None:
            life.pending = {}
        life.pending[attempt] = (rendered, request)

    def _follow_up(self, life: ThreadLife, attempt: int, generation: int,
                   _event: object = None) -> None:
        state = life.state
        if life.generation != generation or not state.open or state.waiting_since is None:
            return
        life.mood = max(-1.0, round(life.mood + reactions.FOLLOW_UP_SENTIMENT_STEP, 3))
        pending = life.pending.pop(attempt, None) if life.pending else None
        if pending is None:
            rendered = self._follow_up_text(life, attempt, self.env.now - state.waiting_since)
            text, exposed, voice = rendered.text, rendered.exposed, VOICE_BANK
        else:
            text, exposed, voice = self._voiced_text(*pending)
        self._record(CustomerFollowedUp(
            event_id=self._event_id(), minute=round(self.env.now, 3),
            mention_id=self._post_id(state), thread_id=state.thread_id, attempt=attempt,
            sentiment=life.mood, text=text, exposed=exposed, voice=voice))
        self._public_signal(life, life.mood)
        self._schedule_follow_up(life, attempt + 1)

    # ------------------------------------------------------------------ spread
    def _maybe_amplify(self, life: ThreadLife, generation: int, _event: object = None) -> None:
        """An ignored (or badly answered) negative post from a big account starts to spread."""
        state = life.state
        ignored = life.generation == generation and state.first_reply_minute is None
        if life.amplified or state.hidden or not (ignored or life.dismissed
                                                  or life.asked_pii_public):
            return
        life.amplified = True
        # One stream for the whole spread: its quotes and retweets draw from it in the order
        # they happen, which its own delays fix (a thread spreads at most once).
        rng = self.streams.rng(f"{state.thread_id}/spread")
        size = poisson(rng, 1.5 * math.log10(max(10, state.author.followers)))
        for _ in range(size):
            delay = rng.expovariate(1 / AMPLIFY_KERNEL_MINUTES)
            kind = "quote" if rng.random() < 0.4 else "retweet"
            self.env.timeout(delay).callbacks.append(
                partial(self._amplification, life, kind, rng))

    def _amplification(self, life: ThreadLife, kind: str, rng: Stream,
                       _event: object = None) -> None:
        state = life.state
        persona = "troll" if rng.random() < 0.2 else "angry"
        author = self.flood.outsider(persona, rng)
        self._emit(MentionAmplified, thread_id=state.thread_id, by_handle=author.handle,
                   by_followers=author.followers, kind=kind, reach=author.followers)
        self._public_signal(life, min(life.mood, -0.3), scale=0.5)
        if kind == "quote":
            life.quotes += 1
            rendered = self.writer.quote(author, state.author.handle, persona, rng=rng,
                                         facts=self._facts(), minute=self.env.now)
            self._open_thread(f"{state.thread_id}q{life.quotes}", author, persona, state.intent,
                              first_mood(persona, state.intent, rng), rendered, "amplification",
                              quoted=state.thread_id)

    # ------------------------------------------------------------------ answers to replies
    def _turn_text(self, life: ThreadLife, turn: Turn, rng: Stream) -> Rendered:
        """The bank's text for a decided turn (answers or reactions)."""
        state = life.state
        extra = dict(turn.extra)
        if turn.section == "answers":
            return self.writer.answer(turn.key, state.author, state.persona, turn.channel,
                                      rng=rng, facts=self._facts(), minute=self.env.now,
                                      extra=extra, intent=state.intent)
        return self.writer.reaction(turn.key, state.author, state.persona, turn.channel,
                                    rng=rng, facts=self._facts(), minute=self.env.now,
                                    extra=extra)

    def _react(self, life: ThreadLife, reply: ReplySent, turn: Turn, rendered: Rendered,
               request: VoiceRequest | None, promise: tuple[float, str] | None,
               generation: int, _event: object = None) -> None:
        state = life.state
        if state.hidden or life.generation != generation:
            return
        life.mood = round(max(-1.0, min(1.0, life.mood + turn.sentiment_delta)), 3)
        if request is None:
            text, exposed, voice = rendered.text, rendered.exposed, VOICE_BANK
        else:
            text, exposed, voice = self._voiced_text(rendered, request)
        self._emit(CustomerReplied, mention_id=self._post_id(state), thread_id=state.thread_id,
                   channel=turn.channel, reaction=turn.reaction, sentiment=life.mood,
                   text=text, in_reply_to=reply.reply_id, exposed=exposed, turn=turn.turn,
                   voice=voice)
        if turn.channel != "dm":
            self._public_signal(life, life.mood)
        if turn.reaction == "faded":  # the projection closed the thread
            return
        if reactions.Reaction(turn.reaction, 0.0, turn.channel).waits:
            self._schedule_follow_up(life, state.follow_ups + 1)
        if turn.reaction in ("escalated", "escalated_pii", "trolled_back"):
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES / 2,
                     partial(self._maybe_amplify, life, -1))
        if turn.holds_promise and promise is not None:
            self._hold_promise(life, reply, promise)

    def _hold_promise(self, life: ThreadLife, reply: ReplySent,
                      promise: tuple[float, str]) -> None:
        """The customer accepted a promised time: if it passes with no further answer, they
        chase it. The chase is written now (the voice has until then)."""
        state = life.state
        minutes, promised = promise
        rng = self.streams.rng(f"{state.thread_id}/promise/{state.replies}")
        due = reply.minute + minutes + 1.0 + rng.expovariate(1 / PROMISE_GRACE_MINUTES)
        rendered = self.writer.answer("chase_promise", state.author, state.persona, "public",
                                      rng=rng, facts=self._facts(), minute=due,
                                      extra={"promised": promised}, intent=state.intent)
        request = None
        if self._voiced:
            request = self._request(life, f"m{state.thread_id[1:]}c{state.replies}", "promise",
                                    "public", rendered)
            self.voice.prepare(request)
        self._at(due, partial(self._promise_due, life, rendered, request, life.generation))

    def _promise_due(self, life: ThreadLife, rendered: Rendered, request: VoiceRequest | None,
                     generation: int, _event: object = None) -> None:
        """The promised time passed with no further answer: the customer holds the agent to it."""
        state = life.state
        if life.generation != generation or not state.open:
            return
        attempt = state.follow_ups + 1
        life.mood = max(-1.0, round(life.mood + reactions.FOLLOW_UP_SENTIMENT_STEP, 3))
        if request is not None:
            text, exposed, voice = self._voiced_text(rendered, request)
        else:
            text, exposed, voice = rendered.text, rendered.exposed, VOICE_BANK
        self._record(CustomerFollowedUp(
            event_id=self._event_id(), minute=round(self.env.now, 3),
            mention_id=self._post_id(state), thread_id=state.thread_id, attempt=attempt,
            sentiment=life.mood, text=text, exposed=exposed, turn="promise", voice=voice))
        self._public_signal(life, life.mood)
        self._schedule_follow_up(life, attempt + 1)

    # ------------------------------------------------------------------ the voice
    def _request(self, life: ThreadLife, post_id: str, turn: str, channel: str,
                 rendered: Rendered) -> VoiceRequest:
        state = life.state
        return VoiceRequest(
            post_id=post_id, language=self.scenario.language, brand=self.scenario.brand.name,
            handle=self.scenario.brand.handle, persona=state.persona, intent=state.intent,
            mood=life.mood, turn=turn,
            channel=channel, history=_history(state.events), reveal=rendered.exposed,
            fallback=rendered.text, limit=PUBLIC_LIMIT, facts=dict(self._facts()))

    def _voiced_text(self, rendered: Rendered, request: VoiceRequest
                     ) -> tuple[str, tuple[Any, ...], str]:
        voiced: Voiced = self.voice.take(request)
        if voiced.source == VOICE_BANK or voiced.text == rendered.text:
            return rendered.text, rendered.exposed, voiced.source
        return voiced.text, revealed(voiced, request), voiced.source


def _history(events: list[Event]) -> tuple[tuple[str, str], ...]:
    posts: list[tuple[str, str]] = []
    for event in events:
        if isinstance(event, MentionArrived | CustomerFollowedUp | CustomerReplied):
            posts.append(("customer", event.text))
        elif isinstance(event, ReplySent):
            posts.append(("brand", event.text))
    return tuple(posts[-VOICE_HISTORY:])

