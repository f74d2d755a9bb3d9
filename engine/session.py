"""`TrainingSession`: one drill's simulated public, a SimPy world advanced by the caller.

The session owns one ``simpy.Environment`` and two kinds of seeded randomness: the flood's own
streams (``engine.arrivals.Flood``: every organic and injected mention) and streams derived per
thread and turn (``engine.threads.ThreadStreams``: follow-ups, reactions to replies, spread,
feedback cards), so the same seed gives every trainee the same flood whatever they do. It
never reads the wall clock: the caller moves it with ``advance_to(minute)`` and applies trainee
actions with ``act(action)`` at the current minute. Every event is appended to ``transcript``
and folded into ``projection`` (the shared thread state), so the same scenario + seed +
actions (at the same minutes) gives the same transcript, byte for byte. docs/engine.md says
which fields are fixed by scenario + seed alone and which depend on the trainee.
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
from engine.arrivals import FactsUpdate, Flood, Source, first_mood
from engine.feedback import feedback_card
from engine.judge import heuristic_judge
from engine.live import LiveChangeError, checked_inject, live_facts
from engine.people import PeopleFactory
from engine.priority import priority_of
from engine.projection import Projection, ThreadState
from engine.records import (
    DM_LIMIT,
    HIGH_REACH_FOLLOWERS,
    PUBLIC_LIMIT,
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
    InjectMention,
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
    ReplyQuality,
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
    UpdateIncident,
)
from engine.scenario import Scenario
from engine.text import MentionWriter, Rendered, load_bank
from engine.threads import Stream, ThreadLife, ThreadStreams, poisson

#: Re-exported for callers that import the limits from here (ui/views/composer.py today).
__all__ = ["DM_LIMIT", "PUBLIC_LIMIT", "ActionError", "TrainingSession"]

#: Reputation memory: how fast the public forgets a post (minutes, exponential decay).
REPUTATION_TAU_MINUTES = 30.0
#: Weight of a neutral "background" audience, so a single post cannot swing the index to 0.
REPUTATION_PRIOR_WEIGHT = 20.0
#: An ignored negative high-reach post starts spreading after this long without an answer.
AMPLIFY_AFTER_MINUTES = 12.0
#: Mean delay between a spreading post and each of its quotes/retweets (the Hawkes kernel).
AMPLIFY_KERNEL_MINUTES = 8.0
#: Intents of customers who calm a little when the brand posts a status update.
INCIDENT_INTENTS = frozenset({"outage", "delay", "delivery", "security"})


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
        flood_np, flood_random = np.random.SeedSequence(self.seed).spawn(2)
        flood_rng = random.Random(int(flood_random.generate_state(1)[0]))
        bank = load_bank(scenario.language)
        self.people = PeopleFactory(scenario.language, flood_rng, bank.bios, bank.cities)
        brand = scenario.brand
        self.writer = MentionWriter(bank, flood_rng, self.people, brand.handle, brand.name,
                                    brand.products, brand.hashtags, brand.misspellings)
        self.flood = Flood(scenario, flood_rng, np.random.default_rng(flood_np), self.people,
                           self.writer)
        self.streams = ThreadStreams(self.seed)
        self.transcript: list[Event] = []
        #: the shared thread state, folded from every event as it is emitted
        self.projection = Projection()
        self._life: dict[str, ThreadLife] = {}
        self._counter = 0
        self._replies = 0
        self._statuses = 0
        self._live = 0  # mentions a lead threw in live
        self._rep_sum = 0.0  # decayed sum of weight * sentiment
        self._rep_weight = 0.0  # decayed sum of weights
        self._rep_minute = 0.0
        self._emit(SessionStarted, scenario_id=scenario.id, scenario_hash=scenario.content_hash,
                   seed=self.seed, language=scenario.language,
                   duration_minutes=scenario.duration_minutes)
        self.env.process(self._flood())
        self.env.process(self._clock())

    # ------------------------------------------------------------------ public API
    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def finished(self) -> bool:
        return self.env.now >= self.scenario.duration_minutes

    @property
    def threads(self) -> dict[str, ThreadState]:
        """Every thread so far by id (the projection's dict: read it, do not change it)."""
        return self.projection.threads

    @property
    def pinned_status(self) -> str | None:
        """The text of the last status update the brand posted (None before the first)."""
        pinned = self.projection.pinned_status
        return None if pinned is None else pinned.text

    @property
    def notes(self) -> dict[str, list[str]]:
        """Shared notes per author handle, oldest first (texts of the NoteAdded events)."""
        return {handle: [n.text for n in notes]
                for handle, notes in self.projection.notes.items()}

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

    def thread(self, thread_id: str) -> ThreadState:
        try:
            return self.projection.threads[thread_id]
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
        self._record(event)
        return event

    def _record(self, event: Event) -> ThreadState | None:
        """Append an event and fold it into the projection (returns the thread it touched)."""
        transcript = self.transcript
        transcript.append(event)
        projection = self.projection
        state = projection.apply(event)
        projection.cursor = len(transcript)
        return state

    def _event_id(self) -> str:
        self._counter += 1
        return f"e{self._counter:06d}"

    def _at(self, minute: float, callback: Callable[[Any], None]) -> None:
        delay = max(0.0, minute - self.env.now)
        self.env.timeout(delay).callbacks.append(callback)

    def _facts(self) -> dict[str, str]:
        """The incident facts in force now (customers' texts quote them: ``{since}``)."""
        return self.flood.facts_at(self.env.now)

    def _decay_reputation(self) -> None:
        elapsed = self.env.now - self._rep_minute
        if elapsed > 0:
            factor = math.exp(-elapsed / REPUTATION_TAU_MINUTES)
            self._rep_sum *= factor
            self._rep_weight *= factor
            self._rep_minute = self.env.now

    def _public_signal(self, life: ThreadLife, sentiment: float, scale: float = 1.0) -> None:
        """A post the public sees moves the reputation by its reach-weighted sentiment.

        Decay is applied lazily, at the next read (the clock reads every simulated minute), so
        a post is decayed from the previous read rather than from its own minute: at most one
        minute early, a 3% difference at tau = 30 min, and it saves an exp() per post.
        """
        weight = life.weight * scale
        self._rep_sum += weight * sentiment
        self._rep_weight += weight

    @staticmethod
    def _post_id(state: ThreadState) -> str:
        """The id of the customer's next post in a thread: the opening mention id + post number
        (``m000042p2``), so posts a trainee provokes never shift the flood's ids."""
        return f"m{state.thread_id[1:]}p{state.posts + 1}"  # the opening's id is m + number

    # -------------------------------------------------------------------- the public
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

    def _schedule_follow_up(self, life: ThreadLife, attempt: int) -> None:
        state = life.state
        # keyed by the brand's replies so far too: an answer restarts the customer's patience
        chance, wait = self.streams.pair(f"{state.thread_id}/patience/{state.replies}/{attempt}")
        delay = reactions.patience_from(life.persona, attempt, chance, wait)
        if delay is None:
            return
        self.env.timeout(delay).callbacks.append(
            partial(self._follow_up, life, attempt, life.generation))

    def _follow_up(self, life: ThreadLife, attempt: int, generation: int,
                   _event: object = None) -> None:
        state = life.state
        if life.generation != generation or not state.open or state.waiting_since is None:
            return
        life.mood = max(-1.0, round(life.mood + reactions.FOLLOW_UP_SENTIMENT_STEP, 3))
        rng = self.streams.rng(f"{state.thread_id}/follow_up/{attempt}")
        rendered = self.writer.follow_up(attempt, state.opening.author, life.persona, rng=rng,
                                         facts=self._facts())
        self._record(CustomerFollowedUp(
            event_id=self._event_id(), minute=round(self.env.now, 3),
            mention_id=self._post_id(state), thread_id=state.thread_id, attempt=attempt,
            sentiment=life.mood, text=rendered.text, exposed=rendered.exposed))
        self._public_signal(life, life.mood)
        self._schedule_follow_up(life, attempt + 1)

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
                                         facts=self._facts())
            self._open_thread(f"{state.thread_id}q{life.quotes}", author, persona, state.intent,
                              first_mood(persona, state.intent, rng), rendered, "amplification",
                              quoted=state.thread_id)

    # ---------------------------------------------------------------- reactions
    def _react(self, life: ThreadLife, reply: ReplySent, quality: ReplyQuality,
               generation: int, rng: Stream, _event: object = None) -> None:
        state = life.state
        if state.hidden or life.generation != generation:
            return
        reaction = reactions.choose_reaction(state.persona, quality, reply.channel, rng)
        if reaction is None:
            return
        life.mood = round(max(-1.0, min(1.0, life.mood + reaction.sentiment_delta)), 3)
        rendered = self.writer.reaction(reaction.kind, state.author, state.persona,
                                        reaction.channel, rng=rng, facts=self._facts())
        self._emit(CustomerReplied, mention_id=self._post_id(state), thread_id=state.thread_id,
                   channel=reaction.channel, reaction=reaction.kind, sentiment=life.mood,
                   text=rendered.text, in_reply_to=reply.reply_id, exposed=rendered.exposed)
        if reaction.channel != "dm":
            self._public_signal(life, life.mood)
        if reaction.kind == "faded":  # the projection closed the thread
            return
        if reaction.waits:  # the projection marked the customer waiting again
            self._schedule_follow_up(life, state.follow_ups + 1)
        if reaction.kind in ("escalated", "escalated_pii", "trolled_back"):
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES / 2,
                     partial(self._maybe_amplify, life, -1))

    # ------------------------------------------------------------------ actions
    def _reply(self, thread_id: str, text: str, channel: str, agent: str,
               moves_to_dm: bool) -> ReplySent:
        state = self.thread(thread_id)
        text = text.strip()
        if not text:
            raise ActionError("a reply needs some text")
        limit = PUBLIC_LIMIT if channel == "public" else DM_LIMIT
        if len(text) > limit:
            raise ActionError(f"{channel} replies are limited to {limit} characters "
                              f"(this one has {len(text)})")
        if channel == "dm" and state.channel != "dm" and not state.moved_to_dm:
            raise ActionError("this customer has not messaged you privately yet: move the "
                              "conversation to DM first")
        # judged before it is recorded, so ReplySent.moves_to_dm records the effective move
        quality: ReplyQuality = self.judge(self.reply_context(thread_id, text, channel))
        self._replies += 1
        reply: ReplySent = self._emit(
            ReplySent, reply_id=f"r{self._replies:05d}", thread_id=thread_id, channel=channel,
            text=text, agent=agent, moves_to_dm=moves_to_dm or quality.moves_to_dm,
            in_reply_to=state.last_mention_id)
        life = self._life[thread_id]
        life.generation += 1
        life.best_empathy = max(life.best_empathy, quality.empathy_level)
        life.asked_pii_public |= quality.asks_pii_public
        life.asked_password |= quality.asks_password
        life.dismissed |= quality.dismissive or quality.rude
        if channel == "public" and (quality.dismissive or quality.rude
                                    or quality.asks_pii_public):
            self._at(self.env.now + AMPLIFY_AFTER_MINUTES / 2,
                     partial(self._maybe_amplify, life, life.generation))
        rng = self.streams.rng(f"{thread_id}/reply/{state.replies}")
        self.env.timeout(reactions.reaction_delay(rng)).callbacks.append(
            partial(self._react, life, reply, quality, life.generation, rng))
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
        # People waiting about the incident calm a little when the brand is open about it.
        for life in self._life.values():
            state = life.state
            if state.waiting_since is not None and state.intent in INCIDENT_INTENTS:
                life.mood = round(min(1.0, life.mood + 0.15), 3)
        self._decay_reputation()
        self._rep_sum += 0.3 * REPUTATION_PRIOR_WEIGHT

    def _do_add_note(self, action: AddNote) -> None:
        if not action.text.strip():
            raise ActionError("a note needs some text")
        self._emit(NoteAdded, author_handle=action.author_handle, text=action.text.strip(),
                   agent=action.agent)

    def _do_assign(self, action: Assign) -> None:
        self.thread(action.thread_id)
        self._emit(ThreadAssigned, thread_id=action.thread_id, assignee=action.assignee,
                   agent=action.agent)

    def _do_tag(self, action: Tag) -> None:
        self.thread(action.thread_id)
        self._emit(ThreadTagged, thread_id=action.thread_id, tag=action.tag, agent=action.agent)

    def _mention(self, mention_id: str) -> ThreadLife:
        thread_id = self.projection.mention_thread.get(mention_id)
        if thread_id is None:
            raise ActionError(f"no mention {mention_id!r} in this drill")
        return self._life[thread_id]

    def _do_like(self, action: Like) -> None:
        life = self._mention(action.mention_id)
        state = life.state
        if state.persona == "praise" or state.intent == "praise":
            self._public_signal(life, 0.5, scale=0.3)
        self._emit(MentionLiked, mention_id=action.mention_id, thread_id=state.thread_id,
                   agent=action.agent)

    def _do_hide(self, action: Hide) -> None:
        life = self._mention(action.mention_id)
        life.generation += 1
        self._emit(MentionHidden, mention_id=action.mention_id, thread_id=life.state.thread_id,
                   agent=action.agent)

    def _do_escalate(self, action: Escalate) -> None:
        self.thread(action.thread_id)
        self._emit(ThreadEscalated, thread_id=action.thread_id, reason=action.reason,
                   agent=action.agent)

    # ---------------------------------------------------------- the lead's live changes
    def _do_inject_mention(self, action: InjectMention) -> None:
        """A mention thrown in live: a thread of its own (``tL001``...) at the current minute,
        its author and text drawn from a stream keyed by its number, so the flood's ids,
        authors and texts never move."""
        try:
            inject = checked_inject(action, self.now)
        except LiveChangeError as exc:
            raise ActionError(f"this inject cannot be used: {exc}") from None
        self._live += 1
        rng = self.streams.rng(f"live/{self._live}")
        if inject.author is not None:
            a = inject.author
            author = Author(a.handle, a.display_name, a.followers, a.verified, a.bio)
        else:
            author = self.flood.outsider(inject.persona, rng)
        rendered = self.writer.render(inject.text, author, inject.persona, noise=False, rng=rng,
                                      facts=self._facts())
        self._open_thread(f"tL{self._live:03d}", author, inject.persona, inject.intent,
                          inject.sentiment, rendered, "inject")

    def _do_update_incident(self, action: UpdateIncident) -> None:
        """New incident facts, live: on every incident panel and checked from this minute."""
        try:
            facts = live_facts(action, self.now)
        except LiveChangeError as exc:
            raise ActionError(f"this incident update cannot be used: {exc}") from None
        self._emit(IncidentUpdated, facts=facts)

    def _do_resolve(self, action: Resolve) -> None:
        state = self.thread(action.thread_id)
        if state.resolved:
            raise ActionError(f"thread {action.thread_id} is already resolved")
        life = self._life[action.thread_id]
        life.generation += 1
        self._emit(ThreadResolved, thread_id=action.thread_id, agent=action.agent)
        rng = self.streams.rng(f"{action.thread_id}/feedback")
        card = feedback_card(life, self.scenario.sla_minutes.for_priority(state.priority), rng)
        if card is not None:
            csat, nps, reasons = card
            self.env.timeout(1 + rng.expovariate(1 / 4)).callbacks.append(
                lambda _e: self._emit(FeedbackSubmitted, thread_id=action.thread_id, csat=csat,
                                      nps=nps, reasons=reasons))

    # ------------------------------------------------------------------ summary
    def summary(self) -> dict[str, Any]:
        """Counts a team lead reads after a run (mentions by persona/intent, spread, mood)."""
        arrived = [e for e in self.transcript if isinstance(e, MentionArrived)]
        feedback = self.projection.feedback
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
            "waiting_threads": self.projection.waiting,
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
