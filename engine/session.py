"""`TrainingSession`: one drill's simulated public, a SimPy world advanced by the caller.

The session owns one ``simpy.Environment`` and its own seeded RNGs (numpy for vectorised
draws, ``random.Random`` for scalar ones). It never reads the wall clock: the caller moves it
with ``advance_to(minute)`` and applies trainee actions with ``act(action)`` at the current
minute. Everything that happens is appended to ``transcript`` as frozen events, so the same
scenario + seed + actions (at the same minutes) gives the same transcript, byte for byte.
"""

from __future__ import annotations

import gc
import math
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from functools import partial
from typing import Any

import numpy as np
import simpy

from engine import reactions
from engine.arrivals import BASE_SENTIMENT, SENTIMENT_NOISE, draw_phase
from engine.feedback import feedback_card
from engine.judge import heuristic_judge
from engine.people import HIGH_REACH_FOLLOWERS, PeopleFactory
from engine.priority import priority_of
from engine.records import (
    Action,
    AddNote,
    Assign,
    Author,
    CustomerFollowedUp,
    CustomerReplied,
    Escalate,
    Event,
    FeedbackSubmitted,
    Hide,
    IncidentUpdated,
    Like,
    MentionAmplified,
    MentionArrived,
    MentionHidden,
    MentionLiked,
    MoveToDm,
    NoteAdded,
    PostStatus,
    Reply,
    ReplyContext,
    ReplyJudge,
    ReplySent,
    ReputationSampled,
    Resolve,
    SessionStarted,
    StatusPosted,
    Tag,
    ThreadAssigned,
    ThreadEscalated,
    ThreadResolved,
    ThreadTagged,
)
from engine.scenario import Inject, Scenario
from engine.text import MentionWriter, Rendered, load_bank
from engine.threads import Thread

PUBLIC_LIMIT = 280
DM_LIMIT = 10_000
#: Reputation memory: how fast the public forgets a post (minutes, exponential decay).
REPUTATION_TAU_MINUTES = 30.0
#: Weight of a neutral "background" audience, so a single post cannot swing the index to 0.
REPUTATION_PRIOR_WEIGHT = 20.0
#: An ignored negative high-reach post starts spreading after this long without an answer.
AMPLIFY_AFTER_MINUTES = 12.0
#: Mean delay between a spreading post and each of its quotes/retweets (the Hawkes kernel).
AMPLIFY_KERNEL_MINUTES = 8.0
#: Personas whose authors return (regulars), bounded pools per persona keep memory flat.
AUTHOR_POOL_SIZE = 800


class ActionError(ValueError):
    """A trainee action the session cannot apply (unknown thread, reply too long, ...)."""


class TrainingSession:
    """The simulated public of one drill."""

    def __init__(self, scenario: Scenario, seed: int, judge: ReplyJudge | None = None,
                 agent: str = "trainee") -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.judge: Callable[[ReplyContext], Any] = judge or heuristic_judge
        self.agent = agent
        self.env = simpy.Environment()
        seeds = np.random.SeedSequence(self.seed).spawn(2)
        self.np_rng = np.random.default_rng(seeds[0])
        self.rng = random.Random(int(seeds[1].generate_state(1)[0]))
        bank = load_bank(scenario.language)
        self.people = PeopleFactory(scenario.language, self.rng, bank.bios, bank.cities)
        brand = scenario.brand
        self.writer = MentionWriter(bank, self.rng, self.people, brand.handle, brand.name,
                                    brand.products, brand.hashtags, brand.misspellings)
        self.transcript: list[Event] = []
        self.threads: dict[str, Thread] = {}
        self.mention_thread: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.pinned_status: str | None = None
        self._pools: dict[str, list[Author]] = {}
        self._counter = 0
        self._mentions = 0
        self._replies = 0
        self._statuses = 0
        self._rep_sum = 0.0  # decayed sum of weight * sentiment
        self._rep_weight = 0.0  # decayed sum of weights
        self._rep_minute = 0.0
        self._open = 0
        self._waiting = 0
        self._emit(SessionStarted, scenario_id=scenario.id, scenario_hash=scenario.content_hash,
                   seed=self.seed, language=scenario.language,
                   duration_minutes=scenario.duration_minutes)
        self.env.process(self._organic())
        self.env.process(self._clock())
        for inject in scenario.injects:
            self._at(inject.at_minute, partial(self._inject, inject))
        for facts in scenario.incident:
            self._at(facts.from_minute, partial(self._incident, facts.as_facts()))

    # ------------------------------------------------------------------ public API
    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def finished(self) -> bool:
        return self.env.now >= self.scenario.duration_minutes

    def advance_to(self, minute: float) -> list[Event]:
        """Run the world up to and including ``minute`` (clamped to the drill's end).

        Returns the new events. Events due exactly at ``minute`` happen before any action the
        caller applies next, so stepping in small increments equals one jump.
        """
        target = min(float(minute), self.scenario.duration_minutes)
        start = len(self.transcript)
        env = self.env
        # A flood allocates hundreds of thousands of acyclic records; the cyclic collector
        # rescanning them cost 28% of the run (benchmarks/bench_engine.py), so pause it here.
        collecting = gc.isenabled()
        gc.disable()
        try:
            if target > env.now:
                env.run(until=target)
            while env.peek() <= target:
                env.step()
        finally:
            if collecting:
                gc.enable()
        return self.transcript[start:]

    def act(self, action: Action) -> list[Event]:
        """Apply a trainee action at the current minute; return the events it produced."""
        start = len(self.transcript)
        handler = getattr(self, f"_do_{action.kind}", None)
        if handler is None:
            raise ActionError(f"unsupported action {action.kind!r}")
        handler(action)
        return self.transcript[start:]

    def replay(self, actions: Iterable[tuple[float, Action]]) -> None:
        """Re-apply stored (minute, action) pairs in order (recovery and re-scoring)."""
        for minute, action in actions:
            self.advance_to(minute)
            self.act(action)

    def thread(self, thread_id: str) -> Thread:
        try:
            return self.threads[thread_id]
        except KeyError:
            raise ActionError(f"no thread {thread_id!r} in this drill") from None

    def reply_context(self, thread_id: str, text: str, channel: str) -> ReplyContext:
        """What a judge (the customer's, or the coach's) knows about a reply in a thread."""
        thread = self.thread(thread_id)
        return ReplyContext(
            language=self.scenario.language, brand_voice=self.scenario.brand.voice,
            persona=thread.persona, intent=thread.intent, mention_text=thread.last_customer_text,
            channel=channel, reply_text=text, customer_name=thread.author.display_name)

    @property
    def reputation(self) -> float:
        """Reach-weighted, decaying sentiment of the public conversation, 0-100 (50 neutral)."""
        self._decay_reputation()
        weight = self._rep_weight + REPUTATION_PRIOR_WEIGHT
        return round(50.0 + 50.0 * self._rep_sum / weight, 2)

    # ------------------------------------------------------------------- plumbing
    def _emit(self, cls: type[Event], **fields: Any) -> Any:
        self._counter += 1
        event = cls(event_id=f"e{self._counter:06d}", minute=round(self.env.now, 3), **fields)
        self.transcript.append(event)
        return event

    def _at(self, minute: float, callback: Callable[[Any], None]) -> None:
        delay = max(0.0, minute - self.env.now)
        self.env.timeout(delay).callbacks.append(callback)

    def _decay_reputation(self) -> None:
        elapsed = self.env.now - self._rep_minute
        if elapsed > 0:
            factor = math.exp(-elapsed / REPUTATION_TAU_MINUTES)
            self._rep_sum *= factor
            self._rep_weight *= factor
            self._rep_minute = self.env.now

    def _public_signal(self, thread: Thread, sentiment: float, scale: float = 1.0) -> None:
        """A post the public sees moves the reputation by its reach-weighted sentiment.

        Decay is applied lazily, at the next read (the clock reads every simulated minute), so
        a post is decayed from the previous read rather than from its own minute: at most one
        minute early, a 3% difference at tau = 30 min, and it saves an exp() per post.
        """
        weight = thread.weight * scale
        self._rep_sum += weight * sentiment
        self._rep_weight += weight

    def _set_waiting(self, thread: Thread, waiting: bool) -> None:
        if waiting and thread.waiting_since is None and thread.open:
            thread.waiting_since = round(self.env.now, 3)
            self._waiting += 1
        elif not waiting and thread.waiting_since is not None:
            thread.waiting_since = None
            self._waiting -= 1

    def _close(self, thread: Thread) -> None:
        if thread.open:
            self._set_waiting(thread, False)
            self._open -= 1

    # -------------------------------------------------------------------- the public
    def _organic(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for phase in self.scenario.phases:
            if phase.start_minute > env.now:
                yield env.timeout(phase.start_minute - env.now)
            arrivals = draw_phase(phase, self.np_rng, self.scenario.duration_minutes)
            for minute, persona, intent, sentiment in zip(
                    arrivals.minutes, arrivals.personas, arrivals.intents, arrivals.sentiments,
                    strict=True):
                if minute > env.now:
                    yield env.timeout(minute - env.now)
                author = self._author(persona)
                rendered = self.writer.mention(intent, persona, author)
                if intent == "praise":
                    sentiment = max(sentiment, 0.6)
                self._open_thread(author, persona, intent, rendered, "organic", sentiment)

    def _clock(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(1)
            self._emit(ReputationSampled, reputation=self.reputation, open_threads=self._open,
                       waiting_threads=self._waiting)

    def _author(self, persona: str) -> Author:
        pool = self._pools.setdefault(persona, [])
        if len(pool) < AUTHOR_POOL_SIZE and (not pool or self.rng.random() < 0.85):
            author = self.people.author(persona)
            pool.append(author)
            return author
        return self.rng.choice(pool)

    def _open_thread(self, author: Author, persona: str, intent: str, rendered: Rendered,
                     source: str, sentiment: float | None = None,
                     quoted: str | None = None) -> Thread:
        self._mentions += 1
        n = self._mentions
        mention_id, thread_id = f"m{n:06d}", f"t{n:06d}"
        if sentiment is None:
            sentiment = self._sentiment(persona, intent)
        priority = priority_of(author, persona, intent, rendered.text)
        self._emit(MentionArrived, mention_id=mention_id, thread_id=thread_id, author=author,
                   persona=persona, intent=intent, sentiment=sentiment, priority=priority,
                   text=rendered.text, exposed=rendered.exposed, source=source,
                   quoted_thread_id=quoted)
        thread = Thread(thread_id, author, persona, intent, priority, round(self.env.now, 3),
                        sentiment, mention_id, rendered.text, None,
                        weight=1.0 + math.log10(1 + author.followers),
                        exposed=list(rendered.exposed))
        self.threads[thread_id] = thread
        self.mention_thread[mention_id] = thread_id
        self._open += 1
        if persona != "praise":
            self._set_waiting(thread, True)
        self._public_signal(thread, sentiment)
        self._schedule_follow_up(thread, 1)
        if sentiment < -0.3 and author.followers >= HIGH_REACH_FOLLOWERS:
            generation = thread.generation
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES,
                     lambda _e: self._maybe_amplify(thread, generation))
        return thread

    def _sentiment(self, persona: str, intent: str) -> float:
        base = BASE_SENTIMENT[persona]
        if intent == "praise":
            base = max(base, 0.6)
        return round(max(-1.0, min(1.0, base + self.rng.gauss(0, SENTIMENT_NOISE))), 3)

    def _inject(self, inject: Inject, _event: object = None) -> None:
        if inject.author is not None:
            a = inject.author
            author = Author(a.handle, a.display_name, a.followers, a.verified, a.bio)
        else:
            author = self._author(inject.persona)
        text = self.writer.render(inject.text, author, inject.persona, noise=False)
        self._open_thread(author, inject.persona, inject.intent, text, "inject",
                          sentiment=inject.sentiment)

    def _incident(self, facts: dict[str, str], _event: object = None) -> None:
        self.writer.facts = facts
        self._emit(IncidentUpdated, facts=facts)

    def _schedule_follow_up(self, thread: Thread, attempt: int) -> None:
        delay = reactions.patience(thread.persona, attempt, self.rng)
        if delay is None:
            return
        generation = thread.generation
        self.env.timeout(delay).callbacks.append(
            lambda _e: self._follow_up(thread, attempt, generation))

    def _follow_up(self, thread: Thread, attempt: int, generation: int) -> None:
        if thread.generation != generation or not thread.open or thread.waiting_since is None:
            return
        thread.follow_ups += 1
        thread.sentiment = max(-1.0, round(
            thread.sentiment + reactions.FOLLOW_UP_SENTIMENT_STEP, 3))
        rendered = self.writer.follow_up(attempt, thread.author, thread.persona)
        self._mentions += 1
        mention_id = f"m{self._mentions:06d}"
        self._emit(CustomerFollowedUp, mention_id=mention_id, thread_id=thread.thread_id,
                   attempt=attempt, sentiment=thread.sentiment, text=rendered.text,
                   exposed=rendered.exposed)
        thread.last_mention_id = mention_id
        thread.last_customer_text = rendered.text
        thread.exposed.extend(rendered.exposed)
        self.mention_thread[mention_id] = thread.thread_id
        self._public_signal(thread, thread.sentiment)
        self._schedule_follow_up(thread, attempt + 1)

    def _maybe_amplify(self, thread: Thread, generation: int) -> None:
        """An ignored (or badly answered) negative post from a big account starts to spread."""
        ignored = thread.generation == generation and thread.first_reply_minute is None
        if thread.amplified or thread.hidden or not (ignored or thread.dismissed
                                                     or thread.asked_pii_public):
            return
        thread.amplified = True
        size = self.np_rng.poisson(1.5 * math.log10(max(10, thread.author.followers)))
        for _ in range(int(size)):
            delay = self.rng.expovariate(1 / AMPLIFY_KERNEL_MINUTES)
            kind = "quote" if self.rng.random() < 0.4 else "retweet"
            self.env.timeout(delay).callbacks.append(partial(self._amplification, thread, kind))

    def _amplification(self, thread: Thread, kind: str, _event: object = None) -> None:
        persona = "troll" if self.rng.random() < 0.2 else "angry"
        author = self._author(persona)
        self._emit(MentionAmplified, thread_id=thread.thread_id, by_handle=author.handle,
                   by_followers=author.followers, kind=kind,
                   reach=author.followers)
        self._public_signal(thread, min(thread.sentiment, -0.3), scale=0.5)
        if kind == "quote":
            rendered = self.writer.quote(author, thread.author.handle, persona)
            self._open_thread(author, persona, thread.intent, rendered, "amplification",
                              quoted=thread.thread_id)

    # ---------------------------------------------------------------- reactions
    def _react(self, thread: Thread, reply: ReplySent, quality: Any, generation: int) -> None:
        if thread.hidden or thread.generation != generation:
            return
        reaction = reactions.choose_reaction(thread, quality, reply.channel, self.rng)
        if reaction is None:
            return
        thread.sentiment = round(max(-1.0, min(1.0, thread.sentiment + reaction.sentiment_delta)),
                                 3)
        rendered = self.writer.reaction(reaction.kind, thread.author, thread.persona,
                                        reaction.channel)
        self._mentions += 1
        mention_id = f"m{self._mentions:06d}"
        self._emit(CustomerReplied, mention_id=mention_id, thread_id=thread.thread_id,
                   channel=reaction.channel, reaction=reaction.kind, sentiment=thread.sentiment,
                   text=rendered.text, in_reply_to=reply.reply_id, exposed=rendered.exposed)
        self.mention_thread[mention_id] = thread.thread_id
        thread.last_mention_id = mention_id
        thread.last_customer_text = rendered.text
        thread.exposed.extend(rendered.exposed)
        if reaction.channel == "dm":
            thread.channel = "dm"
        else:
            self._public_signal(thread, thread.sentiment)
        if reaction.kind == "faded":
            self._close(thread)
            thread.faded = True
            return
        if reaction.waits:
            self._set_waiting(thread, True)
            self._schedule_follow_up(thread, thread.follow_ups + 1)
        if reaction.kind in ("escalated", "escalated_pii", "trolled_back"):
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES / 2,
                     lambda _e: self._maybe_amplify(thread, -1))

    # ------------------------------------------------------------------ actions
    def _reply(self, thread_id: str, text: str, channel: str, agent: str,
               moves_to_dm: bool) -> ReplySent:
        thread = self.thread(thread_id)
        text = text.strip()
        if not text:
            raise ActionError("a reply needs some text")
        limit = PUBLIC_LIMIT if channel == "public" else DM_LIMIT
        if len(text) > limit:
            raise ActionError(f"{channel} replies are limited to {limit} characters "
                              f"(this one has {len(text)})")
        if channel == "dm" and thread.channel != "dm" and not thread.moved_to_dm:
            raise ActionError("this customer has not messaged you privately yet: move the "
                              "conversation to DM first")
        self._replies += 1
        reply = self._emit(ReplySent, reply_id=f"r{self._replies:05d}",
                           thread_id=thread_id, channel=channel, text=text, agent=agent,
                           moves_to_dm=moves_to_dm, in_reply_to=thread.last_mention_id)
        quality = self.judge(self.reply_context(thread_id, text, channel))
        thread.generation += 1
        thread.replies += 1
        if thread.first_reply_minute is None:
            thread.first_reply_minute = round(self.env.now, 3)
        self._set_waiting(thread, False)
        thread.best_empathy = max(thread.best_empathy, quality.empathy_level)
        thread.asked_pii_public |= quality.asks_pii_public
        thread.asked_password |= quality.asks_password
        thread.dismissed |= quality.dismissive or quality.rude
        if moves_to_dm or quality.moves_to_dm:
            thread.moved_to_dm = True
        if channel == "public" and (quality.dismissive or quality.rude
                                    or quality.asks_pii_public):
            generation = thread.generation
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES / 2,
                     lambda _e: self._maybe_amplify(thread, generation))
        generation = thread.generation
        self.env.timeout(reactions.reaction_delay(self.rng)).callbacks.append(
            lambda _e: self._react(thread, reply, quality, generation))
        return reply

    def _do_reply(self, action: Reply) -> None:
        self._reply(action.thread_id, action.text, action.channel, action.agent, False)

    def _do_move_to_dm(self, action: MoveToDm) -> None:
        link = self.scenario.brand.dm_link
        text = action.text.strip()
        if link not in text:
            text = f"{text} {link}"
        self._reply(action.thread_id, text, "public", action.agent, True)

    def _do_post_status(self, action: PostStatus) -> None:
        text = action.text.strip()
        if not text or len(text) > PUBLIC_LIMIT:
            raise ActionError(f"a status update needs 1-{PUBLIC_LIMIT} characters")
        self._statuses += 1
        self._emit(StatusPosted, status_id=f"s{self._statuses:04d}", text=text,
                   agent=action.agent)
        self.pinned_status = text
        # People waiting about the incident calm a little when the brand is open about it.
        for thread in self.threads.values():
            if thread.waiting_since is not None and thread.intent in ("outage", "delay",
                                                                      "delivery", "security"):
                thread.sentiment = round(min(1.0, thread.sentiment + 0.15), 3)
        self._decay_reputation()
        self._rep_sum += 0.3 * REPUTATION_PRIOR_WEIGHT

    def _do_add_note(self, action: AddNote) -> None:
        if not action.text.strip():
            raise ActionError("a note needs some text")
        self.notes.setdefault(action.author_handle, []).append(action.text.strip())
        self._emit(NoteAdded, author_handle=action.author_handle, text=action.text.strip(),
                   agent=action.agent)

    def _do_assign(self, action: Assign) -> None:
        self.thread(action.thread_id).assignee = action.assignee
        self._emit(ThreadAssigned, thread_id=action.thread_id, assignee=action.assignee,
                   agent=action.agent)

    def _do_tag(self, action: Tag) -> None:
        thread = self.thread(action.thread_id)
        if action.tag not in thread.tags:
            thread.tags.append(action.tag)
        self._emit(ThreadTagged, thread_id=action.thread_id, tag=action.tag, agent=action.agent)

    def _mention(self, mention_id: str) -> Thread:
        thread_id = self.mention_thread.get(mention_id)
        if thread_id is None:
            raise ActionError(f"no mention {mention_id!r} in this drill")
        return self.threads[thread_id]

    def _do_like(self, action: Like) -> None:
        thread = self._mention(action.mention_id)
        thread.liked = True
        if thread.persona == "praise" or thread.intent == "praise":
            self._public_signal(thread, 0.5, scale=0.3)
        self._emit(MentionLiked, mention_id=action.mention_id, thread_id=thread.thread_id,
                   agent=action.agent)

    def _do_hide(self, action: Hide) -> None:
        thread = self._mention(action.mention_id)
        self._close(thread)
        thread.hidden = True
        thread.generation += 1
        self._emit(MentionHidden, mention_id=action.mention_id, thread_id=thread.thread_id,
                   agent=action.agent)

    def _do_escalate(self, action: Escalate) -> None:
        self.thread(action.thread_id).escalated = True
        self._emit(ThreadEscalated, thread_id=action.thread_id, reason=action.reason,
                   agent=action.agent)

    def _do_resolve(self, action: Resolve) -> None:
        thread = self.thread(action.thread_id)
        if thread.resolved:
            raise ActionError(f"thread {action.thread_id} is already resolved")
        self._close(thread)
        thread.resolved = True
        thread.generation += 1
        self._emit(ThreadResolved, thread_id=action.thread_id, agent=action.agent)
        card = feedback_card(thread, self.scenario.sla_minutes.for_priority(thread.priority),
                             self.rng)
        if card is not None:
            csat, nps, reasons = card
            self.env.timeout(1 + self.rng.expovariate(1 / 4)).callbacks.append(
                lambda _e: self._emit(FeedbackSubmitted, thread_id=thread.thread_id, csat=csat,
                                      nps=nps, reasons=reasons))

    # ------------------------------------------------------------------ summary
    def summary(self) -> dict[str, Any]:
        """Counts a team lead reads after a run (mentions by persona/intent, spread, mood)."""
        arrived = [e for e in self.transcript if isinstance(e, MentionArrived)]
        feedback = [e for e in self.transcript if isinstance(e, FeedbackSubmitted)]
        return {
            "scenario": self.scenario.id,
            "seed": self.seed,
            "minute": self.now,
            "mentions": len(arrived),
            "by_persona": dict(sorted(Counter(e.persona for e in arrived).items())),
            "by_intent": dict(sorted(Counter(e.intent for e in arrived).items())),
            "by_source": dict(sorted(Counter(e.source for e in arrived).items())),
            "follow_ups": sum(isinstance(e, CustomerFollowedUp) for e in self.transcript),
            "customer_replies": sum(isinstance(e, CustomerReplied) for e in self.transcript),
            "amplifications": sum(isinstance(e, MentionAmplified) for e in self.transcript),
            "replies_sent": sum(isinstance(e, ReplySent) for e in self.transcript),
            "waiting_threads": self._waiting,
            "reputation": self.reputation,
            "csat_mean": round(sum(f.csat for f in feedback) / len(feedback), 2)
            if feedback else None,
            "nps": _nps(f.nps for f in feedback) if feedback else None,
        }


def _nps(scores: Iterable[int]) -> float:
    values = list(scores)
    promoters = sum(s >= 9 for s in values)
    detractors = sum(s <= 6 for s in values)
    return round(100.0 * (promoters - detractors) / len(values), 1)
