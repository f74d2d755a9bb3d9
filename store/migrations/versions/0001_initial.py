"""Initial schema: teams, users, drills, append-only actions, transcripts, scorecards (with
derived scores and finding counts), comments, score overrides and thresholds.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when store/models.py does.
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("teams"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failed_login_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", TIMESTAMP, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("role IN ('admin', 'manager', 'trainee')", name="ck_users_role"),
        _fk("users", "team_id", "teams"),
        _pk("users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_index("ix_users_team_id", "users", ["team_id"])
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("scenario_hash", sa.String(128), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("speed", sa.Double(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("last_minute", sa.Double(), nullable=False),
        sa.Column("agent_name", sa.String(120), nullable=False),
        sa.Column("initials", sa.String(8), nullable=False),
        sa.CheckConstraint("mode IN ('practice', 'assessment')", name="ck_drills_mode"),
        sa.CheckConstraint("status IN ('running', 'ended')", name="ck_drills_status"),
        _fk("drills", "trainee_id", "users"),
        _pk("drills"),
        sa.UniqueConstraint("public_id", name="uq_drills_public_id"),
    )
    op.create_index("ix_drills_scenario_seed", "drills", ["scenario_id", "seed"])
    op.create_index("ix_drills_trainee_status", "drills", ["trainee_id", "status"])
    op.create_table(
        "login_sessions",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        _fk("login_sessions", "user_id", "users"),
        sa.PrimaryKeyConstraint("token", name="pk_login_sessions"),
    )
    op.create_index("ix_login_sessions_user", "login_sessions", ["user_id"])
    op.create_table(
        "drill_actions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("minute", sa.Double(), nullable=False),
        sa.Column("action", JSON_DOC, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("drill_actions", "drill_id", "drills"),
        _pk("drill_actions"),
        sa.UniqueConstraint("drill_id", "seq", name="uq_drill_actions_drill_id_seq"),
    )
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("events_jsonl", sa.Text(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("transcripts", "drill_id", "drills"),
        _pk("transcripts"),
        sa.UniqueConstraint("drill_id", name="uq_transcripts_drill_id"),
    )
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("scorer_version", sa.String(64), nullable=False),
        sa.Column("overall", sa.Double(), nullable=True),
        sa.Column("card", JSON_DOC, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name="fk_scorecards_created_by_users"),
        _fk("scorecards", "drill_id", "drills"),
        _pk("scorecards"),
    )
    op.create_index("ix_scorecards_drill_id", "scorecards", ["drill_id"])
    op.create_table(
        "scorecard_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        _fk("scorecard_scores", "scorecard_id", "scorecards"),
        _pk("scorecard_scores"),
        sa.UniqueConstraint("scorecard_id", "dimension",
                            name="uq_scorecard_scores_scorecard_id_dimension"),
    )
    op.create_table(
        "scorecard_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("rule", sa.String(255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _fk("scorecard_findings", "scorecard_id", "scorecards"),
        _pk("scorecard_findings"),
        sa.UniqueConstraint("scorecard_id", "dimension", "kind", "rule",
                            name="uq_scorecard_findings_scorecard_id_dimension_kind_rule"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("comments", "author_id", "users"),
        _fk("comments", "drill_id", "drills"),
        _pk("comments"),
    )
    op.create_index("ix_comments_drill_id", "comments", ["drill_id"])
    op.create_table(
        "score_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="ck_score_overrides_score_range"),
        _fk("score_overrides", "author_id", "users"),
        _fk("score_overrides", "scorecard_id", "scorecards"),
        _pk("score_overrides"),
    )
    op.create_index("ix_score_overrides_scorecard_id", "score_overrides", ["scorecard_id"])
    op.create_table(
        "thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("minimum", sa.Double(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("minimum >= 0 AND minimum <= 100",
                           name="ck_thresholds_minimum_range"),
        _fk("thresholds", "set_by", "users"),
        _fk("thresholds", "team_id", "teams"),
        _pk("thresholds"),
        sa.UniqueConstraint("team_id", "scenario_id", "dimension",
                            name="uq_thresholds_team_id_scenario_id_dimension"),
    )


def downgrade() -> None:
    for table in ("thresholds", "score_overrides", "comments", "scorecard_findings",
                  "scorecard_scores", "scorecards", "transcripts", "drill_actions",
                  "login_sessions", "drills", "users", "teams"):
        op.drop_table(table)
