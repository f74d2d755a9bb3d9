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
#: The pseudo-dimension for a scorecard's weighted total (thresholds and overrides).
OVERALL = "overall"


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
