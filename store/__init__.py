"""StormDesk's store: accounts, drills, actions, transcripts, scorecards and reviews in SQL.

``Store.open()`` gives a ready store (SQLite under ``data/`` or ``$STORMDESK_DATABASE_URL``,
migrated to the newest schema). See docs/store.md.
"""

from store.errors import (
    AccessDenied,
    ActionConflict,
    Conflict,
    DrillNotRunning,
    InvalidInput,
    InvalidLogin,
    LoginThrottled,
    RoomNotRunning,
    StoreError,
)
from store.grading import DrillGrader
from store.records import (
    Agreement,
    CohortRow,
    Comment,
    Drill,
    DrillScores,
    DrillSummary,
    Override,
    Played,
    RecurringFinding,
    ScorecardRecord,
    StoredAction,
    Team,
    Threshold,
    Transcript,
    User,
    Viewer,
)
from store.repository import Store
from store.room_grading import RoomGraded, RoomGrader
from store.room_records import (
    NewEntry,
    Presence,
    Room,
    RoomClock,
    RoomEntry,
    RoomMember,
    RoomResult,
    RoomSummary,
    RoomTranscript,
    RosterPick,
)
from store.rooms import NewRoom
from store.scenario_versions import AuditEntry, NewVersion, ScenarioVersion

__all__ = [
    "AccessDenied", "ActionConflict", "Agreement", "AuditEntry", "CohortRow", "Comment",
    "Conflict", "Drill", "DrillGrader", "DrillNotRunning", "DrillScores", "DrillSummary",
    "InvalidInput", "InvalidLogin", "LoginThrottled", "NewEntry", "NewRoom", "NewVersion",
    "Override", "Played", "Presence", "RecurringFinding", "Room", "RoomClock", "RoomEntry",
    "RoomGraded", "RoomGrader", "RoomMember", "RoomNotRunning", "RoomResult", "RoomSummary",
    "RoomTranscript", "RosterPick", "ScenarioVersion", "ScorecardRecord", "Store", "StoreError",
    "StoredAction", "Team", "Threshold", "Transcript", "User", "Viewer",
]
