"""The coach: the scorer's findings on a reply just sent, and a better version of it."""

from __future__ import annotations

from stormdesk.drill import Coaching, LiveDrill


def coach_reply(drill: LiveDrill, thread_id: str, text: str, channel: str) -> Coaching:
    """Assess ``text`` as a reply in ``thread_id`` (with what the customer exposed there) and
    suggest a better one."""
    from scoring.assess import assess_reply
    from scoring.rewrite import better_reply

    thread = drill.inbox.threads.get(thread_id)
    context = drill.session.reply_context(thread_id, text, channel)
    known = list(thread.exposed) if thread is not None else []
    assessment = assess_reply(context, brand=drill.scenario.brand, known_pii=known)
    better = better_reply(context, assessment, drill.scenario.brand, drill.initials)
    return Coaching(thread_id, text, assessment, better)
