"""The room records and errors views may name (re-exported: the UI imports the application
layer, never the store's modules)."""

from __future__ import annotations

from store.errors import RoomNotRunning
from store.room_records import (
    DUTIES,
    Presence,
    Room,
    RoomClock,
    RoomEntry,
    RoomMember,
    RoomResult,
    RoomSummary,
    RosterPick,
)
from stormdesk.drill import EndNeedsConfirmation
from stormdesk.room_reports import RoomReport, TimelineLine
from stormdesk.room_seat import AnsweredMeanwhile, RoomUnavailable, Seat
from stormdesk.room_views import (
    ROOM_FILTERS,
    ROOM_SORTS,
    Board,
    DeskView,
    Figures,
    Here,
    MemberLine,
    QueueRow,
    ThreadView,
)

__all__ = [
    "DUTIES", "ROOM_FILTERS", "ROOM_SORTS", "AnsweredMeanwhile", "Board", "DeskView",
    "EndNeedsConfirmation", "Figures", "Here", "MemberLine", "Presence", "QueueRow", "Room",
    "RoomClock", "RoomEntry", "RoomMember", "RoomNotRunning", "RoomReport", "RoomResult",
    "RoomSummary", "RoomUnavailable", "RosterPick", "Seat", "ThreadView", "TimelineLine",
]
