"""Shared record types: the transcript's frozen events and the trainee's actions.

Everything here is plain data (frozen, slotted dataclasses) with a stable JSON form, so the
engine, the scorer, the store and the UI can exchange it without importing each other.
Events are named in the past tense, actions in the imperative.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

Language = Literal["en", "ko"]
Channel = Literal["public", "dm"]
Persona = Literal[
    "angry", "confused", "troll", "praise", "vip", "journalist", "privacy_oversharer", "neutral"
]
Intent = Literal[
    "outage", "billing", "delivery", "delay", "refund", "account_access",
    "product_question", "praise", "abuse", "security",
]
Priority = Literal["urgent", "high", "normal", "low"]
PiiKind = Literal["email", "phone", "order_number", "address", "card_number", "booking_reference",
                  "account_number", "date_of_birth", "rrn", "password"]

#: The public reply limit of the platform (X/Twitter): composer, engine and coach share it.
PUBLIC_LIMIT = 280
#: The direct-message limit (X/Twitter DMs take 10,000 characters).
DM_LIMIT = 10_000
#: Followers from which an account counts as high reach (priority, spread, triage, the queue).
HIGH_REACH_FOLLOWERS = 20_000
#: The label of customer texts the engine's own templates wrote (``voice`` on customer events).
VOICE_BANK = "bank"

PERSONAS: tuple[str, ...] = Persona.__args__  # type: ignore[attr-defined]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]
PRIORITIES: tuple[str, ...] = Priority.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Author:
    """A simulated member of the public (built once per session from a Faker-fed pool)."""

    handle: str
    display_name: str
    followers: int
    verified: bool
    bio: str


@dataclass(frozen=True, slots=True)
class PersonalData:
    """One piece of personal data a customer exposed (or a reply revealed)."""

    kind: str
    value: str


def _plain(value: Any) -> Any:
    """JSON-ready form of a record field (tuples become lists, records become dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every transcript event: a unique id and the simulated minute it happened."""

    type: ClassVar[str] = "Event"
    event_id: str
    minute: float

    def to_dict(self) -> dict[str, Any]:
        data = {"type": self.type}
        for f in dataclasses.fields(self):
            data[f.name] = _plain(getattr(self, f.name))
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class SessionStarted(Event):
    """First event of every transcript: what was played, so it can be replayed and re-scored."""

    type: ClassVar[str] = "SessionStarted"
    scenario_id: str
    scenario_hash: str
    seed: int
    language: str
    duration_minutes: float


@dataclass(frozen=True, slots=True)
class MentionArrived(Event):
    """A customer's public post that opens a new thread (organic, inject or amplification)."""

    type: ClassVar[str] = "MentionArrived"
    mention_id: str
    thread_id: str
    author: Author
    persona: str
    intent: str
    sentiment: float
    priority: str
    text: str
    exposed: tuple[PersonalData, ...] = ()
    source: Literal["organic", "inject", "amplification"] = "organic"
    quoted_thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerFollowedUp(Event):
    """An unanswered customer posts again in their thread ("still waiting..."), angrier."""

    type: ClassVar[str] = "CustomerFollowedUp"
    mention_id: str
    thread_id: str
    attempt: int
    sentiment: float
    text: str
    exposed: tuple[PersonalData, ...] = ()
    #: why they chase: "unanswered" (nobody replied) or "promise" (a promised time passed)
    turn: str = "unanswered"
    #: who wrote the text: "bank" (the engine's templates), "llm:<model>" (the optional LLM
    #: voice) or "llm fallback: <reason>" (the voice failed and the bank answered)
    voice: str = VOICE_BANK


@dataclass(frozen=True, slots=True)
class CustomerReplied(Event):
    """The customer's next turn after a reply from the brand."""

    type: ClassVar[str] = "CustomerReplied"
    mention_id: str
    thread_id: str
    channel: str
    reaction: Literal[
        "thanked", "calmed", "escalated", "escalated_pii", "provided_details",
        "complied_in_public",
        "trolled_back", "faded",
    ]
    sentiment: float
    text: str
    in_reply_to: str
    exposed: tuple[PersonalData, ...] = ()
    #: what the turn answers (engine.answers): "answered_device", "asked_again", "fixed",
    #: "status", "refused_public", ... ("" in transcripts from before issue 13)
    turn: str = ""
    #: who wrote the text (see ``CustomerFollowedUp.voice``)
    voice: str = VOICE_BANK


@dataclass(frozen=True, slots=True)
class MentionAmplified(Event):
    """A quote or retweet spreading a thread; quotes also open a new thread (MentionArrived)."""

    type: ClassVar[str] = "MentionAmplified"
    thread_id: str
    by_handle: str
    by_followers: int
    kind: Literal["quote", "retweet"]
    reach: int


@dataclass(frozen=True, slots=True)
class IncidentUpdated(Event):
    """The incident facts changed (what a status update must now say)."""

    type: ClassVar[str] = "IncidentUpdated"
    facts: dict[str, str]


@dataclass(frozen=True, slots=True)
class ReputationSampled(Event):
    """The reputation index (0-100, 50 neutral) at the end of a simulated minute."""

    type: ClassVar[str] = "ReputationSampled"
    reputation: float
    open_threads: int
    waiting_threads: int


@dataclass(frozen=True, slots=True)
class FeedbackSubmitted(Event):
    """A resolved customer's answer to the feedback card (CSAT 1-5, NPS 0-10)."""

    type: ClassVar[str] = "FeedbackSubmitted"
    thread_id: str
    csat: int
    nps: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReplySent(Event):
    """The trainee replied in a thread (public reply or DM)."""

    type: ClassVar[str] = "ReplySent"
    reply_id: str
    thread_id: str
    channel: str
    text: str
    agent: str
    moves_to_dm: bool = False
    in_reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class StatusPosted(Event):
    """The trainee posted (and pinned) a public status update about the incident."""

    type: ClassVar[str] = "StatusPosted"
    status_id: str
    text: str
    agent: str


@dataclass(frozen=True, slots=True)
class NoteAdded(Event):
    """A shared note on an author, visible to the team."""

    type: ClassVar[str] = "NoteAdded"
    author_handle: str
    text: str
    agent: str


@dataclass(frozen=True, slots=True)
class ThreadAssigned(Event):
    type: ClassVar[str] = "ThreadAssigned"
    thread_id: str
    assignee: str
    agent: str


@dataclass(frozen=True, slots=True)
class ThreadTagged(Event):
    type: ClassVar[str] = "ThreadTagged"
    thread_id: str
    tag: str
    agent: str


@dataclass(frozen=True, slots=True)
class MentionLiked(Event):
    type: ClassVar[str] = "MentionLiked"
    mention_id: str
    thread_id: str
    agent: str


@dataclass(frozen=True, slots=True)
class MentionHidden(Event):
    type: ClassVar[str] = "MentionHidden"
    mention_id: str
    thread_id: str
    agent: str


@dataclass(frozen=True, slots=True)
class ThreadEscalated(Event):
    type: ClassVar[str] = "ThreadEscalated"
    thread_id: str
    reason: str
    agent: str


@dataclass(frozen=True, slots=True)
class ThreadResolved(Event):
    type: ClassVar[str] = "ThreadResolved"
    thread_id: str
    agent: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        SessionStarted, MentionArrived, CustomerFollowedUp, CustomerReplied, MentionAmplified,
        IncidentUpdated, ReputationSampled, FeedbackSubmitted, ReplySent, StatusPosted, NoteAdded,
        ThreadAssigned, ThreadTagged, MentionLiked, MentionHidden, ThreadEscalated, ThreadResolved,
    )
}

#: Events that carry customer text in a thread (what the trainee answers).
CUSTOMER_POSTS = (MentionArrived, CustomerFollowedUp, CustomerReplied)


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its JSON form (the inverse of ``Event.to_dict``)."""
    data = dict(data)
    kind = data.pop("type", None)
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}")
    if "author" in data and isinstance(data["author"], dict):
        data["author"] = Author(**data["author"])
    if "exposed" in data:
        data["exposed"] = tuple(PersonalData(**p) for p in data["exposed"])
    if "reasons" in data:
        data["reasons"] = tuple(data["reasons"])
    return cls(**data)


# -------------------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class Action:
    """Base of every trainee action; ``agent`` is who did it (name or initials)."""

    kind: ClassVar[str] = "Action"
    agent: str = field(default="trainee", kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            data[f.name] = _plain(getattr(self, f.name))
        return data


@dataclass(frozen=True, slots=True)
class Reply(Action):
    kind: ClassVar[str] = "reply"
    thread_id: str
    text: str
    channel: Channel = "public"


@dataclass(frozen=True, slots=True)
class MoveToDm(Action):
    """A public reply that invites the customer to DM (the engine appends a DM link)."""

    kind: ClassVar[str] = "move_to_dm"
    thread_id: str
    text: str


@dataclass(frozen=True, slots=True)
class PostStatus(Action):
    kind: ClassVar[str] = "post_status"
    text: str


@dataclass(frozen=True, slots=True)
class AddNote(Action):
    kind: ClassVar[str] = "add_note"
    author_handle: str
    text: str


@dataclass(frozen=True, slots=True)
class Assign(Action):
    kind: ClassVar[str] = "assign"
    thread_id: str
    assignee: str


@dataclass(frozen=True, slots=True)
class Tag(Action):
    kind: ClassVar[str] = "tag"
    thread_id: str
    tag: str


@dataclass(frozen=True, slots=True)
class Like(Action):
    kind: ClassVar[str] = "like"
    mention_id: str


@dataclass(frozen=True, slots=True)
class Hide(Action):
    kind: ClassVar[str] = "hide"
    mention_id: str


@dataclass(frozen=True, slots=True)
class Escalate(Action):
    kind: ClassVar[str] = "escalate"
    thread_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Resolve(Action):
    kind: ClassVar[str] = "resolve"
    thread_id: str


@dataclass(frozen=True, slots=True)
class InjectMention(Action):
    """A lead throws in a mention live (validated like a scenario inject): it opens a thread
    at the current minute with an id of its own (``tL001``), never shifting the flood's."""

    kind: ClassVar[str] = "inject_mention"
    persona: str
    intent: str
    text: str
    sentiment: float = -0.5
    #: the author; a blank handle lets the engine pick a member of the public
    author_handle: str = ""
    display_name: str = ""
    followers: int = 0
    verified: bool = False
    bio: str = ""


@dataclass(frozen=True, slots=True)
class UpdateIncident(Action):
    """A lead pushes new incident facts live: everyone's incident panel shows them from now,
    and status updates and replies are checked against them from now."""

    kind: ClassVar[str] = "update_incident"
    down: str = ""
    since: str = ""
    affected: str = ""
    cause: str = ""
    eta: str = ""
    status_page: str = ""
    compensation: str = ""
    keywords: tuple[str, ...] = ()


ACTION_TYPES: dict[str, type[Action]] = {
    cls.kind: cls for cls in (Reply, MoveToDm, PostStatus, AddNote, Assign, Tag, Like, Hide,
                              Escalate, Resolve, InjectMention, UpdateIncident)
}
#: Actions only an exercise's lead (or a script) may take, never a trainee at their desk.
LEAD_ACTIONS = frozenset({InjectMention.kind, UpdateIncident.kind})


def action_from_dict(data: dict[str, Any]) -> Action:
    """Rebuild an action from its JSON form (the inverse of ``Action.to_dict``)."""
    data = dict(data)
    kind = data.pop("kind", None)
    cls = ACTION_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown action kind {kind!r}")
    if "keywords" in data and isinstance(data["keywords"], list):
        data["keywords"] = tuple(data["keywords"])
    return cls(**data)


# ------------------------------------------------------------------------ reply quality (hook)


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a reply-quality judge needs to know about one reply."""

    language: str
    brand_voice: str
    persona: str
    intent: str
    mention_text: str
    channel: str
    reply_text: str
    customer_name: str = ""


@dataclass(frozen=True, slots=True)
class ReplyQuality:
    """How a reply landed, as the simulated customer perceives it.

    The engine's default heuristic and the scorer's per-reply assessment both produce this, so
    the engine can react to replies without importing the scorer.
    """

    empathy_level: int  # 0 none/dismissive, 1 generic, 2 specific + ownership + next step
    dismissive: bool = False
    asks_pii_public: bool = False
    asks_password: bool = False
    exposes_pii_public: bool = False
    argues: bool = False
    rude: bool = False
    moves_to_dm: bool = False
    asks_details_dm: bool = False
    brief: bool = False


class ReplyJudge(Protocol):
    """Anything that rates a reply for the simulated customer's reaction."""

    def __call__(self, context: ReplyContext) -> ReplyQuality: ...


class ActionError(ValueError):
    """A trainee action the session cannot apply (unknown thread, reply too long, ...).

    Defined here, with the action types, so that callers can catch it without importing the
    session (and with it SimPy, numpy and the text banks)."""
