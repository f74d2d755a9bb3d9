"""What a room's team scorecard and the managers' dashboard read: the ended room with its team
card, every member's headline, the timeline of the room (every agent's actions and the lead's
moves, from the ordered log), and the rooms of other teams that played the same flood."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.scenario import Scenario
from scoring.records import Scorecard
from store.errors import AccessDenied
from store.records import Viewer
from store.repository import Store
from store.room_records import Room, RoomEntry, RoomMember, RoomResult, RoomSummary

#: Characters of a reply or a note the timeline shows (the transcript has the rest).
SUMMARY_CHARS = 90


@dataclass(frozen=True, slots=True)
class TimelineLine:
    """One entry of the room's log, said for people."""

    seq: int
    minute: float
    clock: str
    agent: str
    kind: str
    thread_id: str
    summary: str
    #: why the engine refused it (a teammate got there first), else None
    refused: str | None = None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def describe(entry: RoomEntry) -> tuple[str, str, str]:
    """(kind, thread or mention, summary) of a log entry."""
    a = entry.action
    if entry.kind == "clock":
        state = "paused" if a.get("paused") else "running"
        return "clock", "", f"{state} at {a.get('speed', 0):g}x"
    kind = str(a.get("kind", ""))
    target = str(a.get("thread_id") or a.get("mention_id") or a.get("author_handle") or "")
    if kind in ("reply", "move_to_dm", "post_status", "add_note"):
        summary = _short(str(a.get("text", "")))
        if kind == "reply" and a.get("channel") == "dm":
            summary = "DM: " + summary
    elif kind == "assign":
        summary = f"→ {a.get('assignee', '')}"
    elif kind == "tag":
        summary = f"#{a.get('tag', '')}"
    elif kind == "escalate":
        summary = str(a.get("reason", ""))
    elif kind == "inject_mention":
        who = a.get("author_handle") or a.get("persona", "")
        summary = f"@{who}: {_short(str(a.get('text', '')))}"
    elif kind == "update_incident":
        facts = [f"{k}: {a[k]}" for k in ("down", "affected", "cause", "eta") if a.get(k)]
        summary = _short("; ".join(facts))
    else:
        summary = ""
    return kind, target, summary


def timeline(scenario: Scenario, log: list[RoomEntry],
             refused: dict[int, str]) -> list[TimelineLine]:
    out = []
    for entry in log:
        kind, target, summary = describe(entry)
        out.append(TimelineLine(entry.seq, entry.minute, scenario.clock_label(entry.minute),
                                entry.agent, kind, target, summary, refused.get(entry.seq)))
    return out


@dataclass(frozen=True)
class RoomReport:
    """An ended room as its team scorecard shows it."""

    room: Room
    scenario: Scenario
    members: list[RoomMember]
    result: RoomResult
    card: Scorecard
    timeline: list[TimelineLine]

    @property
    def team(self) -> dict[str, Any]:
        section = self.result.card.get("team")
        return section if isinstance(section, dict) else {}

    def seat(self, agent: str) -> dict[str, Any]:
        """A member's headline (overall, scores, customers, answered); {} without a seat."""
        seats = self.team.get("seats")
        found = seats.get(agent) if isinstance(seats, dict) else None
        return found if isinstance(found, dict) else {}

    def counts(self, agent: str) -> dict[str, int]:
        agents = self.team.get("agents")
        found = agents.get(agent) if isinstance(agents, dict) else None
        return found if isinstance(found, dict) else {}


def peers(store: Store, viewer: Viewer, room: Room) -> list[RoomSummary]:
    """Ended rooms the viewer can see that played the same scenario and seed (this one
    included): teams compared on the same flood; ``world_version`` tells a changed world."""
    try:
        return store.rooms_for(viewer, status="ended", scenario_id=room.scenario_id,
                               seed=room.seed)
    except AccessDenied:
        return []
