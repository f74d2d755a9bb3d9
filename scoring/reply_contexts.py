"""The trainee's replies in a drill transcript, each with what it answered: the ``ReplyContext``
the per-reply assessors take (persona and intent from the thread's first post, the latest customer
post before the reply as the mention) plus the event it came from. Thread state is the one
projection of the transcript (``engine.projection``), folded event by event so each reply sees
its thread as it was when the reply was sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.projection import Projection
from engine.records import Event, MentionArrived, ReplyContext, ReplySent
from engine.scenario import Scenario


@dataclass(frozen=True, slots=True)
class ReplyInThread:
    """One ``ReplySent`` with the context it was written in."""

    event: ReplySent
    context: ReplyContext
    opened_by: MentionArrived | None


def reply_contexts(transcript: Sequence[Event], scenario: Scenario) -> list[ReplyInThread]:
    """Every reply of the transcript, in transcript (time) order, with its context."""
    projection = Projection()
    out: list[ReplyInThread] = []
    for event in transcript:
        if not isinstance(event, ReplySent):
            projection.apply(event)
            continue
        thread = projection.threads.get(event.thread_id)
        first = thread.opening if thread is not None else None
        context = ReplyContext(
            language=scenario.language,
            brand_voice=scenario.brand.voice,
            persona=first.persona if first else "neutral",
            intent=first.intent if first else "",
            mention_text=thread.last_customer_text if thread is not None else "",
            channel=event.channel,
            reply_text=event.text,
            customer_name=first.author.display_name if first else "",
        )
        out.append(ReplyInThread(event=event, context=context, opened_by=first))
        projection.apply(event)
    return out
