"""The one projection of a transcript into conversation state: threads, notes, statuses, facts.

Everything that needs "what does thread t000042 look like now" (the engine's own bookkeeping,
the desk's queue, the scorer's speed, privacy and reply contexts, the scorecard page, a room's
board) folds the same events through ``Projection.apply``, so they can never disagree about
who is waiting, what the customer said last or whether a thread was answered.

The projection is pure: it reads events only (no scenario, no RNG, no clock) and imports only
``engine.records``. ``update(transcript)`` consumes the events after its cursor, so a live view
pays O(new events) per refresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.records import (
    Author,
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    FeedbackSubmitted,
    IncidentUpdated,
    MentionAmplified,
    MentionArrived,
    MentionHidden,
    MentionLiked,
    NoteAdded,
    PersonalData,
    ReplySent,
    ReputationSampled,
    SessionStarted,
    StatusPosted,
    ThreadAssigned,
    ThreadEscalated,
    ThreadResolved,
    ThreadTagged,
)

#: Customer reactions after which the customer waits for another answer, per channel. A calmed
#: customer who moved to DM waits for the DM answer; a thanked one does not; a troll who
#: trolled back wants an audience, not an answer; "faded" closes the thread.
_WAITS_ANYWHERE = frozenset({"escalated", "escalated_pii", "provided_details",
                             "complied_in_public"})


def reaction_waits(reaction: str, channel: str) -> bool:
    """Whether the customer waits for an answer after posting ``reaction`` in ``channel``."""
    if reaction in _WAITS_ANYWHERE:
        return True
    return reaction == "calmed" and channel == "dm"


@dataclass(slots=True)
class ThreadState:
    """One conversation as the events tell it (the fields every consumer reads)."""

    thread_id: str
    #: the MentionArrived that opened the thread
    opening: MentionArrived
    #: every event of the thread, in order (the opening mention first)
    events: list[Event] = field(default_factory=list)
    last_mention_id: str = ""
    last_customer_text: str = ""
    last_customer_channel: str = "public"
    last_activity: float = 0.0
    sentiment: float = 0.0
    #: minute since which the customer has been waiting for an answer (None: not waiting)
    waiting_since: float | None = None
    #: customer posts in the thread (opening mention, follow-ups, replies)
    posts: int = 1
    follow_ups: int = 0
    #: follow-ups posted before the brand's first reply (event ids)
    silence_follow_ups: list[str] = field(default_factory=list)
    replies: int = 0
    public_replies: int = 0
    first_reply_minute: float | None = None
    first_reply_event_id: str | None = None
    last_reply_minute: float | None = None
    #: agents who replied, in order of their first reply
    repliers: list[str] = field(default_factory=list)
    #: "dm" once the customer wrote back privately
    channel: str = "public"
    moved_to_dm: bool = False
    resolved: bool = False
    hidden: bool = False
    liked: bool = False
    escalated: bool = False
    faded: bool = False
    amplifications: int = 0
    assignee: str = ""
    tags: list[str] = field(default_factory=list)
    #: personal data the customer posted anywhere (the scorer's "known PII")
    exposed: list[PersonalData] = field(default_factory=list)
    #: personal data the customer posted in public
    public_exposed: list[PersonalData] = field(default_factory=list)
    feedback: FeedbackSubmitted | None = None

    # ---- read-only conveniences
    @property
    def author(self) -> Author:
        return self.opening.author

    @property
    def persona(self) -> str:
        return self.opening.persona

    @property
    def intent(self) -> str:
        return self.opening.intent

    @property
    def priority(self) -> str:
        return self.opening.priority

    @property
    def opened_minute(self) -> float:
        return self.opening.minute

    @property
    def first_mention_id(self) -> str:
        return self.opening.mention_id

    @property
    def answered(self) -> bool:
        return self.replies > 0

    @property
    def open(self) -> bool:
        return not (self.resolved or self.hidden or self.faded)

    @property
    def handled_without_reply(self) -> bool:
        """Dealt with without an answer: a troll's or an abusive post that was hidden, or praise
        that was liked. Hiding anyone else's complaint does not answer them."""
        if self.replies:
            return False
        if self.hidden:
            return self.persona == "troll" or self.intent == "abuse"
        return self.liked and "praise" in (self.persona, self.intent)


class Projection:
    """Threads and drill-wide state folded from events (``apply`` one, ``update`` many)."""

    def __init__(self) -> None:
        self.threads: dict[str, ThreadState] = {}
        #: thread ids in order of opening
        self.order: list[str] = []
        self.mention_thread: dict[str, str] = {}
        self.by_author: dict[str, list[str]] = {}
        self.notes: dict[str, list[NoteAdded]] = {}
        self.statuses: list[StatusPosted] = []
        self.incident_updates: list[IncidentUpdated] = []
        self.reputation: list[ReputationSampled] = []
        self.feedback: list[FeedbackSubmitted] = []
        self.started: SessionStarted | None = None
        self.last_minute = 0.0
        self.waiting = 0
        self.open_threads = 0
        #: how many events of a transcript ``update`` has consumed
        self.cursor = 0

    @classmethod
    def of(cls, events: Iterable[Event]) -> Projection:
        projection = cls()
        for event in events:
            projection.apply(event)
        return projection

    # ---- drill-wide reads
    @property
    def pinned_status(self) -> StatusPosted | None:
        return self.statuses[-1] if self.statuses else None

    @property
    def facts(self) -> dict[str, str]:
        """The incident facts in force now (empty before the first update)."""
        return dict(self.incident_updates[-1].facts) if self.incident_updates else {}

    def facts_at(self, minute: float) -> dict[str, str]:
        """The incident facts the desk showed at ``minute`` (empty before the first update)."""
        current: dict[str, str] = {}
        for update in self.incident_updates:
            if update.minute > minute:
                break
            current = update.facts
        return dict(current)

    def thread_of_mention(self, mention_id: str) -> ThreadState | None:
        thread_id = self.mention_thread.get(mention_id)
        return None if thread_id is None else self.threads.get(thread_id)

    def customers(self) -> list[ThreadState]:
        """Threads opened by a customer who needed an answer (everything but handled praise
        and hidden posts): the denominator of coverage."""
        return [t for t in self.threads.values() if not t.handled_without_reply]

    # ---- folding
    def update(self, transcript: Sequence[Event]) -> Sequence[Event]:
        """Apply the events after the cursor; returns them."""
        new = transcript[self.cursor:]
        for event in new:
            self.apply(event)
        self.cursor = len(transcript)
        return new

    def _wait(self, thread: ThreadState, minute: float) -> None:
        if thread.waiting_since is None and thread.open:
            thread.waiting_since = minute
            self.waiting += 1

    def _stop_waiting(self, thread: ThreadState) -> None:
        if thread.waiting_since is not None:
            thread.waiting_since = None
            self.waiting -= 1

    def _close(self, thread: ThreadState) -> None:
        if thread.open:
            self._stop_waiting(thread)
            self.open_threads -= 1

    def apply(self, event: Event) -> ThreadState | None:
        """Fold one event in; returns the thread it touched (None for drill-wide events).

        The engine folds every event it emits (a 100k-mention flood is ~240k events), so the
        common cases come first and avoid calls (benchmarks/bench_engine.py).
        """
        if event.minute > self.last_minute:
            self.last_minute = event.minute
        if isinstance(event, MentionArrived):
            return self._arrived(event)
        thread_id = getattr(event, "thread_id", None)
        if thread_id is None:
            self._drill_wide(event)
            return None
        thread = self.threads.get(thread_id)
        if thread is None:
            return None
        thread.events.append(event)
        if isinstance(event, CustomerFollowedUp):
            self._customer_post(thread, event, "public")
            thread.follow_ups += 1
            if thread.first_reply_minute is None:
                thread.silence_follow_ups.append(event.event_id)
            self._wait(thread, event.minute)
        elif isinstance(event, CustomerReplied):
            self._customer_post(thread, event, event.channel)
            if event.channel == "dm":
                thread.channel = "dm"
            if event.reaction == "faded":
                self._close(thread)
                thread.faded = True
            elif reaction_waits(event.reaction, event.channel):
                self._wait(thread, event.minute)
        elif isinstance(event, ReplySent):
            self._replied(thread, event)
        elif isinstance(event, ThreadResolved):
            self._close(thread)
            thread.resolved = True
        elif isinstance(event, MentionHidden):
            self._close(thread)
            thread.hidden = True
        elif isinstance(event, MentionLiked):
            thread.liked = True
        elif isinstance(event, ThreadAssigned):
            thread.assignee = event.assignee
        elif isinstance(event, ThreadTagged):
            if event.tag not in thread.tags:
                thread.tags.append(event.tag)
        elif isinstance(event, ThreadEscalated):
            thread.escalated = True
        elif isinstance(event, MentionAmplified):
            thread.amplifications += 1
        elif isinstance(event, FeedbackSubmitted):
            thread.feedback = event
            self.feedback.append(event)
        return thread

    def _arrived(self, event: MentionArrived) -> ThreadState:
        thread = self.threads.get(event.thread_id)
        if thread is not None:  # never expected: a thread opens once
            thread.events.append(event)
            return thread
        thread_id = event.thread_id
        thread = ThreadState(
            thread_id=thread_id, opening=event, events=[event],
            last_mention_id=event.mention_id, last_customer_text=event.text,
            last_activity=event.minute, sentiment=event.sentiment,
            exposed=list(event.exposed), public_exposed=list(event.exposed))
        self.threads[thread_id] = thread
        self.order.append(thread_id)
        self.mention_thread[event.mention_id] = thread_id
        handle = event.author.handle
        earlier = self.by_author.get(handle)
        if earlier is None:
            self.by_author[handle] = [thread_id]
        else:
            earlier.append(thread_id)
        self.open_threads += 1
        if event.persona != "praise":  # fans do not wait for an answer (a new thread is open)
            thread.waiting_since = event.minute
            self.waiting += 1
        return thread

    def _customer_post(self, thread: ThreadState, event: CustomerFollowedUp | CustomerReplied,
                       channel: str) -> None:
        self.mention_thread[event.mention_id] = thread.thread_id
        thread.posts += 1
        thread.last_mention_id = event.mention_id
        thread.last_customer_text = event.text
        thread.last_customer_channel = channel
        thread.last_activity = event.minute
        thread.sentiment = event.sentiment
        thread.exposed.extend(event.exposed)
        if channel == "public":
            thread.public_exposed.extend(event.exposed)

    def _replied(self, thread: ThreadState, event: ReplySent) -> None:
        thread.replies += 1
        thread.public_replies += event.channel == "public"
        if thread.first_reply_minute is None:
            thread.first_reply_minute = event.minute
            thread.first_reply_event_id = event.event_id
        thread.last_reply_minute = event.minute
        thread.last_activity = event.minute
        if event.agent not in thread.repliers:
            thread.repliers.append(event.agent)
        if event.moves_to_dm:
            thread.moved_to_dm = True
        self._stop_waiting(thread)

    def _drill_wide(self, event: Event) -> None:
        if isinstance(event, StatusPosted):
            self.statuses.append(event)
        elif isinstance(event, NoteAdded):
            self.notes.setdefault(event.author_handle, []).append(event)
        elif isinstance(event, IncidentUpdated):
            self.incident_updates.append(event)
        elif isinstance(event, ReputationSampled):
            self.reputation.append(event)
        elif isinstance(event, SessionStarted):
            self.started = event
