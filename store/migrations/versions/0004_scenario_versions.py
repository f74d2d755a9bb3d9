"""Scenario versions: drills team leads write in the editor, and the audit of every save.

New tables: ``scenario_versions`` (one immutable row per saved draft or published version: the
YAML exactly as saved, its content hash, title, language, status draft/published, scope
team/everyone, team, author, change note, time) and ``scenario_audit`` (every save and publish:
who, in which role, which content, when). Existing rows are untouched: built-in drills stay
files, and drills keep naming their scenario by id and content hash.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types (see 0001).
TIMESTAMP = sa.DateTime(timezone=True)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published')",
                           name="ck_scenario_versions_status"),
        sa.CheckConstraint("scope IN ('team', 'everyone')", name="ck_scenario_versions_scope"),
        _fk("scenario_versions", "author_id", "users"),
        _fk("scenario_versions", "team_id", "teams"),
        _pk("scenario_versions"),
    )
    op.create_index("ix_scenario_versions_scenario_hash", "scenario_versions",
                    ["scenario_id", "content_hash"])
    op.create_index("ix_scenario_versions_team_status", "scenario_versions",
                    ["team_id", "status"])
    op.create_table(
        "scenario_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("action IN ('save_draft', 'publish')",
                           name="ck_scenario_audit_action"),
        _fk("scenario_audit", "user_id", "users"),
        _fk("scenario_audit", "version_id", "scenario_versions"),
        _pk("scenario_audit"),
    )
    op.create_index("ix_scenario_audit_version_id", "scenario_audit", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_scenario_audit_version_id", table_name="scenario_audit")
    op.drop_table("scenario_audit")
    op.drop_index("ix_scenario_versions_team_status", table_name="scenario_versions")
    op.drop_index("ix_scenario_versions_scenario_hash", table_name="scenario_versions")
    op.drop_table("scenario_versions")
