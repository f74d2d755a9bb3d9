"""Page bodies, one module a page; each exposes ``render()``. The desk's parts (queue, thread,
composer) take what they act through as parameters, so a seat in a crisis room can reuse them
with its own: ``Act`` applies a trainee action (raising ``stormdesk.errors.ActionError`` to
refuse it), ``Coach`` coaches a reply just sent (thread id, signed text, channel)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.records import Action

Act = Callable[[Action], None]
Coach = Callable[[str, str, str], None]
#: People a thread can be assigned to: (the assignee as actions name them, a label).
People = Sequence[tuple[str, str]]
