"""The trainee's replies in a drill transcript, each with what it answered: the ``ReplyContext``
the per-reply assessors take (persona and intent from the thread's first post, the latest customer
post before the reply as the mention) plus the event it came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.records import (
    CustomerFollowedUp,
    CustomerReplied,
    Event,
    MentionArrived,
    ReplyContext,
    ReplySent,
)
from engine.scenario import Scenario


@dataclass(frozen=True, slots=True)
class ReplyInThread:
    """One ``ReplySent`` with the context it was written in."""

    event: ReplySent
    context: ReplyContext
    opened_by: MentionArrived | None


def reply_contexts(transcript: Sequence[Event], scenario: Scenario) -> list[ReplyInThread]:
    """Every reply of the transcript, in transcript (time) order, with its context."""
    opened: dict[str, MentionArrived] = {}
    latest: dict[str, str] = {}
    out: list[ReplyInThread] = []
    for event in transcript:
        if isinstance(event, MentionArrived):
            opened.setdefault(event.thread_id, event)
            latest[event.thread_id] = event.text
        elif isinstance(event, CustomerFollowedUp | CustomerReplied):
            latest[event.thread_id] = event.text
        elif isinstance(event, ReplySent):
            first = opened.get(event.thread_id)
            context = ReplyContext(
                language=scenario.language,
                brand_voice=scenario.brand.voice,
                persona=first.persona if first else "neutral",
                intent=first.intent if first else "",
                mention_text=latest.get(event.thread_id, ""),
                channel=event.channel,
                reply_text=event.text,
                customer_name=first.author.display_name if first else "",
            )
            out.append(ReplyInThread(event=event, context=context, opened_by=first))
    return out
