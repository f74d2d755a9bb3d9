"""Trust: the world a drill was played on, its length and end minute; completeness and coverage
on scorecards; login sessions keyed by the hash of their token.

Existing rows get what can be known: a drill's world is ``{"scenario": <its scenario hash>}``
with an empty version ("recorded before world versions"), its length comes from its
transcript's ``SessionStarted`` event, and its end minute is left empty (re-scoring uses the
drill's last minute). Scorecards stored before keep NULL completeness and coverage: they never
count as complete (re-score them to get it). Every open login is ended: their tokens rode in
page URLs (history, copied links), so nobody should be able to replay them after this upgrade.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types (see 0001).
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
#: Characters of a transcript read to find its first event (SessionStarted is ~200 long).
HEAD_CHARS = 4000


def upgrade() -> None:
    # Only ADD COLUMN and whole-table DROP/CREATE: SQLite would need a table rebuild for
    # anything else, and rebuilding ``drills`` trips the foreign keys that point at it (they
    # stay on: PRAGMA foreign_keys cannot change inside the migration's transaction).
    op.add_column("drills", sa.Column("world_version", sa.String(64), nullable=False,
                                      server_default=""))
    op.add_column("drills", sa.Column("world", JSON_DOC, nullable=False,
                                      server_default=sa.text("'{}'")))
    op.add_column("drills", sa.Column("drill_minutes", sa.Double(), nullable=True))
    op.add_column("drills", sa.Column("end_minute", sa.Double(), nullable=True))
    _backfill_drills()

    op.add_column("scorecards", sa.Column("minutes_played", sa.Double(), nullable=True))
    op.add_column("scorecards", sa.Column("drill_minutes", sa.Double(), nullable=True))
    op.add_column("scorecards", sa.Column("complete", sa.Boolean(), nullable=True))
    op.add_column("scorecards", sa.Column("customers", sa.Integer(), nullable=True))
    op.add_column("scorecards", sa.Column("answered", sa.Integer(), nullable=True))

    # Every login ends (see above): the table is rebuilt keyed by the token's hash.
    op.drop_index("ix_login_sessions_user", table_name="login_sessions")
    op.drop_table("login_sessions")
    _create_login_sessions("token_hash")


def _create_login_sessions(key: str) -> None:
    op.create_table(
        "login_sessions",
        sa.Column(key, sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name="fk_login_sessions_user_id_users"),
        sa.PrimaryKeyConstraint(key, name="pk_login_sessions"),
    )
    op.create_index("ix_login_sessions_user", "login_sessions", ["user_id"])


def _backfill_drills() -> None:
    """Set-based: one UPDATE per distinct scenario hash, one executemany for the lengths."""
    connection = op.get_bind()
    drills = sa.table("drills", sa.column("id", sa.Integer()),
                      sa.column("scenario_hash", sa.String()),
                      sa.column("world", JSON_DOC), sa.column("drill_minutes", sa.Double()))
    transcripts = sa.table("transcripts", sa.column("drill_id", sa.Integer()),
                           sa.column("events_jsonl", sa.Text()))
    hashes = connection.execute(sa.select(drills.c.scenario_hash).distinct()).scalars().all()
    for scenario_hash in hashes:
        connection.execute(drills.update().where(drills.c.scenario_hash == scenario_hash)
                           .values(world={"scenario": scenario_hash}))
    heads = connection.execute(sa.select(
        transcripts.c.drill_id, sa.func.substr(transcripts.c.events_jsonl, 1, HEAD_CHARS)))
    lengths = [{"b_id": drill_id, "b_minutes": minutes} for drill_id, head in heads
               if (minutes := _duration(head)) is not None]
    if lengths:
        connection.execute(drills.update().where(drills.c.id == sa.bindparam("b_id"))
                           .values(drill_minutes=sa.bindparam("b_minutes")), lengths)


def _duration(head: str | None) -> float | None:
    """``duration_minutes`` of the transcript's first event when it is ``SessionStarted``."""
    first = (head or "").split("\n", 1)[0]
    try:
        event = json.loads(first)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("type") != "SessionStarted":
        return None
    value = event.get("duration_minutes")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def downgrade() -> None:
    op.drop_index("ix_login_sessions_user", table_name="login_sessions")
    op.drop_table("login_sessions")
    _create_login_sessions("token")
    # DROP COLUMN (SQLite 3.35+) refuses nothing here: no index or key uses these columns.
    for column in ("answered", "customers", "complete", "drill_minutes", "minutes_played"):
        op.drop_column("scorecards", column)
    for column in ("end_minute", "drill_minutes", "world", "world_version"):
        op.drop_column("drills", column)
