"""What trainees and leads do in a drill: replies (public, DM, move to DM), status updates,
notes, assignments, tags, likes, hides, escalations, resolutions, and a lead's live changes.

A reply is judged (how it landed, ``ReplyQuality``) and read (what it asked and promised,
``engine.replies``) the moment it is sent; the customer's next turn is decided then too
(``engine.answers``), drawn from the thread's reply stream, and happens after their reaction
delay.
"""

from __future__ import annotations

from functools import partial

from engine import reactions
from engine.answers import next_turn
from engine.core import REPUTATION_PRIOR_WEIGHT, ActionError
from engine.feedback import feedback_card
from engine.live import LiveChangeError, checked_inject, live_facts
from engine.public import AMPLIFY_AFTER_MINUTES, PublicMixin
from engine.records import (
    DM_LIMIT,
    PUBLIC_LIMIT,
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
    MentionArrived,
    MentionHidden,
    MentionLiked,
    MoveToDm,
    NoteAdded,
    PostStatus,
    Reply,
    ReplyContext,
    ReplyQuality,
    ReplySent,
    Resolve,
    StatusPosted,
    Tag,
    ThreadAssigned,
    ThreadEscalated,
    ThreadResolved,
    ThreadTagged,
    UpdateIncident,
)
from engine.replies import customer_question, read_reply
from engine.threads import ThreadLife

#: Intents of customers who calm a little when the brand posts a status update.
INCIDENT_INTENTS = frozenset({"outage", "delay", "delivery", "security"})


class ActionsMixin(PublicMixin):
    """Trainee and lead actions (mixed into ``TrainingSession``)."""

    def reply_context(self, thread_id: str, text: str, channel: str) -> ReplyContext:
        """What a judge (the customer's, or the coach's) knows about a reply in a thread."""
        thread = self.thread(thread_id)
        return ReplyContext(
            language=self.scenario.language, brand_voice=self.scenario.brand.voice,
            persona=thread.persona, intent=thread.intent, mention_text=thread.last_customer_text,
            channel=channel, reply_text=text, customer_name=thread.author.display_name)

    # ------------------------------------------------------------------ replies
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
        question = _open_question(state.events)
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
        self._answer_later(life, reply, quality, question)
        return reply

    def _answer_later(self, life: ThreadLife, reply: ReplySent, quality: ReplyQuality,
                      question: str) -> None:
        """Decide the customer's next turn now (their stream, what the reply said), write its
        bank text, let the voice start on it, and post it after the reaction delay."""
        state = life.state
        rng = self.streams.rng(f"{state.thread_id}/reply/{state.replies - 1}")
        delay = reactions.reaction_delay(rng)
        reading = read_reply(reply.text, self._clock_now())
        turn = next_turn(state.persona, quality, reading, reply.channel, reply.text, question,
                         rng)
        if turn is None:
            return
        rendered = self._turn_text(life, turn, rng)
        request = None
        if self._voiced:
            request = self._request(life, self._post_id(state), turn.turn, turn.channel,
                                    rendered)
            self.voice.prepare(request)
        promise = None if reading.promise_in_minutes is None else (
            reading.promise_in_minutes, reading.promised)
        self.env.timeout(delay).callbacks.append(
            partial(self._react, life, reply, turn, rendered, request, promise,
                    life.generation))

    def _do_reply(self, action: Reply) -> None:
        self._reply(action.thread_id, action.text, action.channel, action.agent, False)

    def _do_move_to_dm(self, action: MoveToDm) -> None:
        link = self.scenario.brand.dm_link
        text = action.text.strip()
        if link not in text:
            text = f"{text} {link}"
        self._reply(action.thread_id, text, "public", action.agent, True)

    # ------------------------------------------------------------------ the rest of the desk
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
                                      facts=self._facts(), minute=self.env.now)
        self._open_thread(f"tL{self._live:03d}", author, inject.persona, inject.intent,
                          inject.sentiment, rendered, "inject")

    def _do_update_incident(self, action: UpdateIncident) -> None:
        """New incident facts, live: on every incident panel and checked from this minute."""
        try:
            facts = live_facts(action, self.now)
        except LiveChangeError as exc:
            raise ActionError(f"this incident update cannot be used: {exc}") from None
        self._emit(IncidentUpdated, facts=facts)


def _open_question(events: list[Event]) -> str:
    """The customer's latest question since the brand's last reply (a question answered by
    then is not asked again), "" when they asked none."""
    for event in reversed(events):
        if isinstance(event, ReplySent):
            return ""
        if isinstance(event, MentionArrived | CustomerFollowedUp | CustomerReplied):
            question = customer_question(event.text)
            if question:
                return question
    return ""
