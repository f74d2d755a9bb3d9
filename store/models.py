"""The store's tables as typed SQLAlchemy 2 ORM classes (the schema Alembic migrates to).

Row classes never leave the store: the repository converts them into the frozen records of
``store.records``. ``scorecard_scores`` and ``scorecard_findings`` are derived from each
scorecard's JSON in the same transaction, so cohort queries never parse big JSON documents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Deterministic constraint names, so later migrations can alter them on both back ends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("admin", "manager", "trainee")
MODES = ("practice", "assessment")
STATUSES = ("running", "ended")
#: A room's log holds engine actions and clock changes (start, pause, resume, speed).
ENTRY_KINDS = ("action", "clock")
#: The pseudo-dimension for a scorecard's weighted total (thresholds and overrides).
OVERALL = "overall"
#: A scenario version written in the editor is a draft or published; published to its team
#: or (admins only) to everyone; every save and publish is audited.
VERSION_STATUSES = ("draft", "published")
VERSION_SCOPES = ("team", "everyone")
AUDIT_ACTIONS = ("save_draft", "publish")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out (SQLite keeps no zone; PostgreSQL uses timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (e.g. datetime.now(UTC))")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON documents: jsonb on PostgreSQL, JSON text on SQLite.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TeamRow(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DrillRow(Base):
    __tablename__ = "drills"
    __table_args__ = (
        CheckConstraint(_in("mode", MODES), name="mode"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_drills_trainee_status", "trainee_id", "status"),
        Index("ix_drills_scenario_seed", "scenario_id", "seed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scenario_id: Mapped[str] = mapped_column(String(200))
    scenario_hash: Mapped[str] = mapped_column(String(128))
    seed: Mapped[int] = mapped_column(BigInteger)
    speed: Mapped[float] = mapped_column(Double)
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_minute: Mapped[float] = mapped_column(Double, default=0.0)
    #: how the trainee signs replies in this drill (restored on resume)
    agent_name: Mapped[str] = mapped_column(String(120), default="")
    initials: Mapped[str] = mapped_column(String(8), default="")
    #: the world it was played on: a short hash over ``world`` ("" before revision 0002)
    world_version: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: component -> content hash (scenario, banks, lexicons, engine, scorer...)
    world: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict,
                                                  server_default=text("'{}'"))
    #: the scenario's length in simulated minutes (None: not recorded)
    drill_minutes: Mapped[float | None] = mapped_column(Double)
    #: the simulated minute the drill was ended at (set by ``end_drill``)
    end_minute: Mapped[float | None] = mapped_column(Double)
    #: the public id of the room this drill was one member's seat in (None: a solo drill).
    #: No foreign key: SQLite cannot add one to an existing table without rebuilding it (and
    #: rebuilding ``drills`` trips the keys pointing at it); ``room_members.drill_id`` is the
    #: checked link the other way.
    room_id: Mapped[str | None] = mapped_column(String(32), index=True)


class LoginSessionRow(Base):
    """A signed-in browser, known by the SHA-256 of its random token (the token itself is never
    stored); revoked at logout or when the user changes; expires at ``expires_at``."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DrillActionRow(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "drill_actions"
    __table_args__ = (UniqueConstraint("drill_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"))
    seq: Mapped[int] = mapped_column(Integer)
    minute: Mapped[float] = mapped_column(Double)
    action: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), unique=True)
    events_jsonl: Mapped[str] = mapped_column(Text)
    event_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ScorecardRow(Base):
    """One scorer's verdict on a drill; re-scoring adds a row, the older ones stay."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    scorer_version: Mapped[str] = mapped_column(String(64))
    overall: Mapped[float | None] = mapped_column(Double)
    card: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Derived from ``card`` (None where the scorer did not say): how much of the drill was
    # played and how many customers were answered, for the cohort queries.
    minutes_played: Mapped[float | None] = mapped_column(Double)
    drill_minutes: Mapped[float | None] = mapped_column(Double)
    complete: Mapped[bool | None] = mapped_column(Boolean)
    customers: Mapped[int | None] = mapped_column(Integer)
    answered: Mapped[int | None] = mapped_column(Integer)


class ScorecardScoreRow(Base):
    """A dimension's automatic score on one scorecard (derived from ``scorecards.card``)."""

    __tablename__ = "scorecard_scores"
    __table_args__ = (UniqueConstraint("scorecard_id", "dimension"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    dimension: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Double)


class ScorecardFindingRow(Base):
    """How often a finding (kind, rule) occurs on one scorecard (derived from its JSON)."""

    __tablename__ = "scorecard_findings"
    __table_args__ = (UniqueConstraint("scorecard_id", "dimension", "kind", "rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    dimension: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(255))
    count: Mapped[int] = mapped_column(Integer)


class CommentRow(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ScoreOverrideRow(Base):
    """The audit of manual scores: who changed which dimension of which scorecard, when, why."""

    __tablename__ = "score_overrides"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 100", name="score_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Double)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ThresholdRow(Base):
    """A team's pass mark for one dimension (or ``overall``) of one scenario."""

    __tablename__ = "thresholds"
    __table_args__ = (
        UniqueConstraint("team_id", "scenario_id", "dimension"),
        CheckConstraint("minimum >= 0 AND minimum <= 100", name="minimum_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    scenario_id: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[str] = mapped_column(String(64))
    minimum: Mapped[float] = mapped_column(Double)
    set_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# ---------------------------------------------------------------------------------- rooms
class RoomRow(Base):
    """A crisis room: one flood (scenario + seed) worked by a team, run by a lead. The clock
    columns are the room's current clock (also logged as ``clock`` entries); ``last_seq`` and
    ``last_minute`` are those of the newest log entry (the append's row lock and its order)."""

    __tablename__ = "rooms"
    __table_args__ = (
        CheckConstraint(_in("mode", MODES), name="mode"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_rooms_team_status", "team_id", "status"),
        Index("ix_rooms_scenario_seed", "scenario_id", "seed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scenario_id: Mapped[str] = mapped_column(String(200))
    scenario_hash: Mapped[str] = mapped_column(String(128))
    seed: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    world_version: Mapped[str] = mapped_column(String(64))
    world: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    drill_minutes: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_minute: Mapped[float | None] = mapped_column(Double)
    auto_assign: Mapped[bool] = mapped_column(Boolean)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_minute: Mapped[float] = mapped_column(Double)
    clock_at: Mapped[datetime] = mapped_column(UtcDateTime)
    clock_minute: Mapped[float] = mapped_column(Double)
    clock_speed: Mapped[float] = mapped_column(Double)
    clock_paused: Mapped[bool] = mapped_column(Boolean)


class RoomMemberRow(Base):
    """A trainee on a room's roster: how they sign (``agent``), an optional duty, and the drill
    that holds their own scorecard once they joined."""

    __tablename__ = "room_members"
    __table_args__ = (
        UniqueConstraint("room_id", "user_id"),
        UniqueConstraint("room_id", "agent"),
        Index("ix_room_members_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agent: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(200))
    duty: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), unique=True)


class RoomEntryRow(Base):
    """The room's ordered log, append-only: seq 0, 1, 2... without gaps, minutes never going
    back; ``client_key`` makes a retried append a no-op."""

    __tablename__ = "room_entries"
    __table_args__ = (
        UniqueConstraint("room_id", "seq"),
        UniqueConstraint("room_id", "client_key"),
        CheckConstraint(_in("kind", ENTRY_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    seq: Mapped[int] = mapped_column(Integer)
    minute: Mapped[float] = mapped_column(Double)
    kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    agent: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RoomPresenceRow(Base):
    """Who has which thread open (or is typing in it) right now: ephemeral, overwritten."""

    __tablename__ = "room_presence"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    thread_id: Mapped[str | None] = mapped_column(String(64))
    typing: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RoomTranscriptRow(Base):
    __tablename__ = "room_transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), unique=True)
    events_jsonl: Mapped[str] = mapped_column(Text)
    event_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RoomResultRow(Base):
    """The team scorecard of an ended room (re-scoring adds a row; the newest is current)."""

    __tablename__ = "room_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    scorer_version: Mapped[str] = mapped_column(String(64))
    overall: Mapped[float | None] = mapped_column(Double)
    card: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# ------------------------------------------------------------------------ scenario versions
class ScenarioVersionRow(Base):
    """One saved version of a drill written in the editor (immutable once written): its YAML
    exactly as saved, the hash of its validated content, who saved it for which team, and
    whether it is a draft or published (to its team, or to everyone)."""

    __tablename__ = "scenario_versions"
    __table_args__ = (
        CheckConstraint(_in("status", VERSION_STATUSES), name="status"),
        CheckConstraint(_in("scope", VERSION_SCOPES), name="scope"),
        Index("ix_scenario_versions_scenario_hash", "scenario_id", "content_hash"),
        Index("ix_scenario_versions_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ScenarioAuditRow(Base):
    """The audit of the editor: every save and every publish, by whom (and in which role),
    when, of which content (append-only)."""

    __tablename__ = "scenario_audit"
    __table_args__ = (CheckConstraint(_in("action", AUDIT_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    scenario_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
