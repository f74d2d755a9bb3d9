"""Crisis rooms: a team works one flood together, run by a lead.

New tables: ``rooms`` (scenario, seed, mode, the stored clock, the newest log entry's seq and
minute), ``room_members`` (roster, how each signs, their drill), ``room_entries`` (the room's
ordered, idempotent log of actions and clock changes), ``room_presence`` (who has which thread
open), ``room_transcripts`` and ``room_results`` (the team scorecard). ``drills.room_id`` marks
a member's drill as one seat of a room (an added, nullable column: SQLite needs no rebuild).
Existing rows are untouched: every existing drill is a solo drill (``room_id`` NULL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types (see 0001).
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_hash", sa.String(128), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("world_version", sa.String(64), nullable=False),
        sa.Column("world", JSON_DOC, nullable=False),
        sa.Column("drill_minutes", sa.Double(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("end_minute", sa.Double(), nullable=True),
        sa.Column("auto_assign", sa.Boolean(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_minute", sa.Double(), nullable=False),
        sa.Column("clock_at", TIMESTAMP, nullable=False),
        sa.Column("clock_minute", sa.Double(), nullable=False),
        sa.Column("clock_speed", sa.Double(), nullable=False),
        sa.Column("clock_paused", sa.Boolean(), nullable=False),
        sa.CheckConstraint("mode IN ('practice', 'assessment')", name="ck_rooms_mode"),
        sa.CheckConstraint("status IN ('running', 'ended')", name="ck_rooms_status"),
        _fk("rooms", "lead_id", "users"),
        _fk("rooms", "team_id", "teams"),
        _pk("rooms"),
        sa.UniqueConstraint("public_id", name="uq_rooms_public_id"),
    )
    op.create_index("ix_rooms_team_status", "rooms", ["team_id", "status"])
    op.create_index("ix_rooms_scenario_seed", "rooms", ["scenario_id", "seed"])
    op.create_table(
        "room_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("duty", sa.String(16), nullable=False),
        sa.Column("joined_at", TIMESTAMP, nullable=True),
        sa.Column("drill_id", sa.Integer(), nullable=True),
        _fk("room_members", "drill_id", "drills"),
        _fk("room_members", "room_id", "rooms"),
        _fk("room_members", "user_id", "users"),
        _pk("room_members"),
        sa.UniqueConstraint("drill_id", name="uq_room_members_drill_id"),
        sa.UniqueConstraint("room_id", "agent", name="uq_room_members_room_id_agent"),
        sa.UniqueConstraint("room_id", "user_id", name="uq_room_members_room_id_user_id"),
    )
    op.create_index("ix_room_members_user", "room_members", ["user_id"])
    op.create_table(
        "room_entries",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Double(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("action", JSON_DOC, nullable=False),
        sa.Column("agent", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(80), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("kind IN ('action', 'clock')", name="ck_room_entries_kind"),
        _fk("room_entries", "room_id", "rooms"),
        _fk("room_entries", "user_id", "users"),
        _pk("room_entries"),
        sa.UniqueConstraint("room_id", "client_key", name="uq_room_entries_room_id_client_key"),
        sa.UniqueConstraint("room_id", "seq", name="uq_room_entries_room_id_seq"),
    )
    op.create_table(
        "room_presence",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(64), nullable=True),
        sa.Column("typing", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _fk("room_presence", "room_id", "rooms"),
        _fk("room_presence", "user_id", "users"),
        sa.PrimaryKeyConstraint("room_id", "user_id", name="pk_room_presence"),
    )
    op.create_table(
        "room_transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("events_jsonl", sa.Text(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("room_transcripts", "room_id", "rooms"),
        _pk("room_transcripts"),
        sa.UniqueConstraint("room_id", name="uq_room_transcripts_room_id"),
    )
    op.create_table(
        "room_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("scorer_version", sa.String(64), nullable=False),
        sa.Column("overall", sa.Double(), nullable=True),
        sa.Column("card", JSON_DOC, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _fk("room_results", "created_by", "users"),
        _fk("room_results", "room_id", "rooms"),
        _pk("room_results"),
    )
    op.create_index("ix_room_results_room_id", "room_results", ["room_id"])
    op.add_column("drills", sa.Column("room_id", sa.String(32), nullable=True))
    op.create_index("ix_drills_room_id", "drills", ["room_id"])


def downgrade() -> None:
    # Room seats become plain drills of their trainees (their scorecards stay).
    op.drop_index("ix_drills_room_id", table_name="drills")
    op.drop_column("drills", "room_id")
    op.drop_index("ix_room_results_room_id", table_name="room_results")
    op.drop_table("room_results")
    op.drop_table("room_transcripts")
    op.drop_table("room_presence")
    op.drop_table("room_entries")
    op.drop_index("ix_room_members_user", table_name="room_members")
    op.drop_table("room_members")
    op.drop_index("ix_rooms_scenario_seed", table_name="rooms")
    op.drop_index("ix_rooms_team_status", table_name="rooms")
    op.drop_table("rooms")
