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
Create Date: 2026-12-07
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
#: Characters of a transcript read to find its first event (SessionStarted is ~200 long).
HEAD_CHARS = 4000


def upgrade() -> None:
    with op.batch_alter_table("drills") as batch:
        batch.add_column(sa.Column("world_version", sa.String(64), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("world", JSON_DOC, nullable=True))
        batch.add_column(sa.Column("drill_minutes", sa.Double(), nullable=True))
        batch.add_column(sa.Column("end_minute", sa.Double(), nullable=True))
    _backfill_drills()
    with op.batch_alter_table("drills") as batch:
        batch.alter_column("world", existing_type=JSON_DOC, nullable=False)
        batch.alter_column("world_version", existing_type=sa.String(64), server_default=None)

    with op.batch_alter_table("scorecards") as batch:
        batch.add_column(sa.Column("minutes_played", sa.Double(), nullable=True))
        batch.add_column(sa.Column("drill_minutes", sa.Double(), nullable=True))
        batch.add_column(sa.Column("complete", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("customers", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answered", sa.Integer(), nullable=True))

    op.execute(sa.text("DELETE FROM login_sessions"))
    with op.batch_alter_table("login_sessions") as batch:
        batch.alter_column("token", new_column_name="token_hash",
                           existing_type=sa.String(64), existing_nullable=False)


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
    op.execute(sa.text("DELETE FROM login_sessions"))
    with op.batch_alter_table("login_sessions") as batch:
        batch.alter_column("token_hash", new_column_name="token",
                           existing_type=sa.String(64), existing_nullable=False)
    with op.batch_alter_table("scorecards") as batch:
        for column in ("answered", "customers", "complete", "drill_minutes", "minutes_played"):
            batch.drop_column(column)
    with op.batch_alter_table("drills") as batch:
        for column in ("end_minute", "drill_minutes", "world", "world_version"):
            batch.drop_column(column)
