"""Checks an action passes before it is written to a room's log, against the world as this
server sees it: the same refusals the engine would raise, said before the action is stored.

The engine stays the judge (an action that passed here but lost a race, e.g. a thread resolved
by a teammate a moment earlier, is refused identically by every copy when applied); this only
spares the team's log entries that could never apply, and gives the trainee the reason at once.
Live injects and incident updates are checked with the scenario schema (errors name the field).
"""

from __future__ import annotations

from collections.abc import Collection

from engine.live import LiveChangeError, checked_inject, live_facts
from engine.records import (
    DM_LIMIT,
    PUBLIC_LIMIT,
    Action,
    AddNote,
    Assign,
    Escalate,
    Hide,
    InjectMention,
    Like,
    MoveToDm,
    PostStatus,
    Reply,
    Resolve,
    Tag,
    UpdateIncident,
)
from engine.session import ActionError, TrainingSession

#: A tag or an escalation reason: a label, not a message.
MAX_LABEL_CHARS = 60
MAX_NOTE_CHARS = 1000


def check_action(session: TrainingSession, action: Action, roster: Collection[str]) -> None:
    """``ActionError`` with the reason when ``action`` cannot apply now; ``roster``: the agent
    codes a thread may be assigned to."""
    if isinstance(action, Reply | MoveToDm):
        _check_reply(session, action)
    elif isinstance(action, PostStatus):
        text = action.text.strip()
        if not text or len(text) > PUBLIC_LIMIT:
            raise ActionError(f"a status update needs 1-{PUBLIC_LIMIT} characters")
    elif isinstance(action, AddNote):
        if not action.text.strip() or len(action.text) > MAX_NOTE_CHARS:
            raise ActionError(f"a note needs 1-{MAX_NOTE_CHARS} characters")
    elif isinstance(action, Assign):
        session.thread(action.thread_id)
        if action.assignee not in roster:
            raise ActionError(f"{action.assignee!r} is not on this room's roster")
    elif isinstance(action, Tag | Escalate):
        session.thread(action.thread_id)
        label = action.tag if isinstance(action, Tag) else action.reason
        if isinstance(action, Tag) and not label.strip():
            raise ActionError("a tag needs some text")
        if len(label) > MAX_LABEL_CHARS:
            raise ActionError(f"at most {MAX_LABEL_CHARS} characters")
    elif isinstance(action, Like | Hide):
        if session.projection.thread_of_mention(action.mention_id) is None:
            raise ActionError(f"no mention {action.mention_id!r} in this drill")
    elif isinstance(action, Resolve):
        if session.thread(action.thread_id).resolved:
            raise ActionError(f"thread {action.thread_id} is already resolved")
    elif isinstance(action, InjectMention | UpdateIncident):
        check_live(session, action)


def _check_reply(session: TrainingSession, action: Reply | MoveToDm) -> None:
    thread = session.thread(action.thread_id)
    text = action.text.strip()
    if not text:
        raise ActionError("a reply needs some text")
    channel = action.channel if isinstance(action, Reply) else "public"
    if isinstance(action, MoveToDm):
        link = session.scenario.brand.dm_link
        text = text if link in text else f"{text} {link}"
    limit = PUBLIC_LIMIT if channel == "public" else DM_LIMIT
    if len(text) > limit:
        raise ActionError(f"{channel} replies are limited to {limit} characters "
                          f"(this one has {len(text)})")
    if channel == "dm" and thread.channel != "dm" and not thread.moved_to_dm:
        raise ActionError("this customer has not messaged you privately yet: move the "
                          "conversation to DM first")


def check_live(session: TrainingSession, action: InjectMention | UpdateIncident) -> None:
    """A lead's live inject or incident update, checked like a scenario file's."""
    try:
        if isinstance(action, InjectMention):
            checked_inject(action, session.now)
        else:
            live_facts(action, session.now)
    except LiveChangeError as exc:
        raise ActionError(str(exc)) from None
