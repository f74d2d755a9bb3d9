"""Scenario versions written in the editor: drafts and published versions, who may see and
write which, and the audit of every save and publish.

A version is immutable once written: saving a draft or publishing adds a row (and an audit
row) and never changes one. A drill id (``scenario_id``) belongs to the team that first saved
it; another team's save of the same id is refused without saying whose it is. The store keeps
the YAML text and the facts the application layer read from it (hash, title, language): it
never parses a scenario (the store imports no engine code beyond records).

| | admin | manager (team X) | trainee (team X) |
|---|---|---|---|
| save a draft, publish | any drill id | drill ids of team X (new ones become team X's) | never |
| publish to everyone | yes | no (team X only) | never |
| read drafts | all | team X's | never |
| read published versions | all | team X's and everyone's | team X's and everyone's |
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, false, select, text, true
from sqlalchemy.orm import Session

from store.access import checked_viewer
from store.errors import AccessDenied, Conflict, InvalidInput
from store.models import ScenarioAuditRow, ScenarioVersionRow, UserRow
from store.records import Viewer

VersionStatus = Literal["draft", "published"]
VersionScope = Literal["team", "everyone"]
AuditAction = Literal["save_draft", "publish"]

#: The scenario file's own limit (engine.loading.Limits.max_bytes): nothing bigger is a drill.
MAX_YAML_BYTES = 1024 * 1024
#: A change note is a sentence or two, like a commit message.
MAX_NOTE_CHARS = 500
#: The scenario schema's id rule (engine.scenario.Scenario.id).
_SCENARIO_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_HASH = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True, slots=True)
class NewVersion:
    """What the application layer hands in: the YAML exactly as it will be saved and the facts
    it read from the validated scenario."""

    scenario_id: str
    content_hash: str
    yaml_text: str
    title: str
    language: str
    change_note: str = ""

    def check(self) -> None:
        if not isinstance(self.scenario_id, str) or not _SCENARIO_ID.fullmatch(self.scenario_id):
            raise InvalidInput("a drill id is 1-64 lowercase letters, digits, '-' or '_'")
        if not isinstance(self.content_hash, str) or not _HASH.fullmatch(self.content_hash):
            raise InvalidInput("a content hash is 8-64 lowercase hex digits")
        if not self.yaml_text.strip():
            raise InvalidInput("a scenario version needs its YAML text")
        if len(self.yaml_text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
            raise InvalidInput(f"a scenario file is at most {MAX_YAML_BYTES:,} bytes")
        if not self.title.strip() or len(self.title) > 200:
            raise InvalidInput("a title is 1-200 characters")
        if self.language not in ("en", "ko"):
            raise InvalidInput("the language is en or ko")
        if len(self.change_note) > MAX_NOTE_CHARS:
            raise InvalidInput(f"a change note is at most {MAX_NOTE_CHARS} characters")


@dataclass(frozen=True, slots=True)
class ScenarioVersion:
    """One saved version; ``id`` numbers versions across the store (shown as v12)."""

    id: int
    scenario_id: str
    content_hash: str
    yaml_text: str
    title: str
    language: str
    status: VersionStatus
    scope: VersionScope
    team_id: int | None
    author_id: int
    author: str
    change_note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the editor's audit: who did what to which content, when."""

    id: int
    version_id: int
    user_id: int
    username: str
    role: str
    action: AuditAction
    scenario_id: str
    content_hash: str
    note: str
    created_at: datetime


def no_version(version_id: int) -> AccessDenied:
    """The one message for a version that is missing and one that is not yours."""
    return AccessDenied(f"no scenario version {version_id} you can open")


def _writer(session: Session, viewer: Viewer) -> UserRow:
    user = checked_viewer(session, viewer)
    if user.role not in ("admin", "manager"):
        raise AccessDenied("only managers and admins may edit drills")
    if user.role == "manager" and user.team_id is None:
        raise AccessDenied("a manager needs a team to edit drills")
    return user


def version_scope(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause on ``ScenarioVersionRow``: the versions the viewer may read."""
    if viewer.role == "admin":
        return true()
    published = ScenarioVersionRow.status == "published"
    everyone = published & (ScenarioVersionRow.scope == "everyone")
    if viewer.team_id is None:
        return everyone if viewer.role in ("manager", "trainee") else false()
    own_team = ScenarioVersionRow.team_id == viewer.team_id
    if viewer.role == "manager":
        return own_team | everyone
    if viewer.role == "trainee":
        return (own_team & published) | everyone
    return false()


def _to_record(row: ScenarioVersionRow, author: str) -> ScenarioVersion:
    return ScenarioVersion(
        id=row.id, scenario_id=row.scenario_id, content_hash=row.content_hash,
        yaml_text=row.yaml_text, title=row.title, language=row.language,
        status="published" if row.status == "published" else "draft",
        scope="everyone" if row.scope == "everyone" else "team", team_id=row.team_id,
        author_id=row.author_id, author=author, change_note=row.change_note,
        created_at=row.created_at)


def _scoped(viewer: Viewer) -> Select[ScenarioVersionRow, str]:
    return (select(ScenarioVersionRow, UserRow.username)
            .join(UserRow, ScenarioVersionRow.author_id == UserRow.id)
            .where(version_scope(viewer)))


def _claim(session: Session, scenario_id: str) -> None:
    """Serialise saves of one drill id until commit, so two teams saving a new id at once
    cannot both become its owner (SQLite writes are serialised by the write gate already)."""
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(b"scenario_versions:" + scenario_id.encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _owner_team(session: Session, scenario_id: str) -> tuple[bool, int | None]:
    """Whether the drill id has versions, and the team of its first one."""
    first = session.execute(
        select(ScenarioVersionRow.team_id).where(ScenarioVersionRow.scenario_id == scenario_id)
        .order_by(ScenarioVersionRow.id).limit(1)).one_or_none()
    return (False, None) if first is None else (True, first[0])


def _audit(session: Session, user: UserRow, row: ScenarioVersionRow, action: AuditAction,
           now: datetime) -> None:
    session.add(ScenarioAuditRow(version_id=row.id, user_id=user.id, role=user.role,
                                 action=action, scenario_id=row.scenario_id,
                                 content_hash=row.content_hash, note=row.change_note,
                                 created_at=now))


def save_draft(session: Session, viewer: Viewer, spec: NewVersion,
               now: datetime) -> ScenarioVersion:
    """A new draft of ``spec.scenario_id`` for the owning team (a new id becomes the saver's
    team's), audited."""
    spec.check()
    user = _writer(session, viewer)
    _claim(session, spec.scenario_id)
    exists, team_id = _owner_team(session, spec.scenario_id)
    if exists and user.role != "admin" and team_id != user.team_id:
        raise Conflict(f"the drill id {spec.scenario_id!r} is taken; choose another id")
    row = ScenarioVersionRow(
        scenario_id=spec.scenario_id, content_hash=spec.content_hash, yaml_text=spec.yaml_text,
        title=spec.title.strip(), language=spec.language, status="draft", scope="team",
        team_id=team_id if exists else user.team_id, author_id=user.id,
        change_note=spec.change_note.strip(), created_at=now)
    session.add(row)
    session.flush()
    _audit(session, user, row, "save_draft", now)
    return _to_record(row, user.username)


def publish(session: Session, viewer: Viewer, version_id: int, scope: VersionScope, note: str,
            now: datetime) -> ScenarioVersion:
    """Publish a draft the viewer may edit: a new published row with the draft's content (the
    draft stays, as history), audited. Only admins publish to everyone."""
    if scope not in ("team", "everyone"):
        raise InvalidInput("publish to 'team' or 'everyone'")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"a change note is at most {MAX_NOTE_CHARS} characters")
    user = _writer(session, viewer)
    found = session.execute(_scoped(viewer).where(ScenarioVersionRow.id == version_id)
                            ).one_or_none()
    if found is None or (user.role != "admin" and found[0].team_id != user.team_id):
        raise no_version(version_id)
    draft = found[0]
    if draft.status != "draft":
        raise Conflict(f"version {version_id} is already published; publish a draft")
    if scope == "everyone" and user.role != "admin":
        raise AccessDenied("only admins may publish a drill to everyone")
    if scope == "team" and draft.team_id is None:
        raise InvalidInput("this drill has no team: publish it to everyone")
    row = ScenarioVersionRow(
        scenario_id=draft.scenario_id, content_hash=draft.content_hash,
        yaml_text=draft.yaml_text, title=draft.title, language=draft.language,
        status="published", scope=scope, team_id=draft.team_id, author_id=user.id,
        change_note=(note.strip() or draft.change_note), created_at=now)
    session.add(row)
    session.flush()
    _audit(session, user, row, "publish", now)
    return _to_record(row, user.username)


def versions(session: Session, viewer: Viewer, scenario_id: str | None = None,
             status: VersionStatus | None = None) -> list[ScenarioVersion]:
    """Versions the viewer may read, newest first."""
    checked_viewer(session, viewer)
    query = _scoped(viewer)
    if scenario_id is not None:
        query = query.where(ScenarioVersionRow.scenario_id == scenario_id)
    if status is not None:
        query = query.where(ScenarioVersionRow.status == status)
    rows = session.execute(query.order_by(ScenarioVersionRow.id.desc()).limit(1000)).all()
    return [_to_record(row, author) for row, author in rows]


def version(session: Session, viewer: Viewer, version_id: int) -> ScenarioVersion:
    checked_viewer(session, viewer)
    found = session.execute(_scoped(viewer).where(ScenarioVersionRow.id == version_id)
                            ).one_or_none()
    if found is None:
        raise no_version(version_id)
    return _to_record(found[0], found[1])


def published_latest(session: Session, viewer: Viewer) -> list[ScenarioVersion]:
    """The newest published version of each drill id the viewer may play (the catalogue)."""
    newest: dict[str, ScenarioVersion] = {}
    for found in versions(session, viewer, status="published"):
        newest.setdefault(found.scenario_id, found)
    return sorted(newest.values(), key=lambda v: v.scenario_id)


def published_text(session: Session, scenario_id: str,
                   content_hash: str | None = None) -> str | None:
    """Privileged (the application's grader and recovery, never a page): the YAML of a
    published version by drill id and content hash (without a hash: the newest), whoever may
    read it."""
    query = select(ScenarioVersionRow.yaml_text).where(
        ScenarioVersionRow.scenario_id == scenario_id, ScenarioVersionRow.status == "published")
    if content_hash is not None:
        query = query.where(ScenarioVersionRow.content_hash == content_hash)
    found = session.execute(query.order_by(ScenarioVersionRow.id.desc()).limit(1)).one_or_none()
    return None if found is None else found[0]


def published_to_everyone(session: Session) -> list[ScenarioVersion]:
    """The newest version of each drill published to everyone (what any signed-in user may
    play; the catalogue when no viewer is given)."""
    rows = session.execute(
        select(ScenarioVersionRow, UserRow.username)
        .join(UserRow, ScenarioVersionRow.author_id == UserRow.id)
        .where(ScenarioVersionRow.status == "published", ScenarioVersionRow.scope == "everyone")
        .order_by(ScenarioVersionRow.id.desc()).limit(1000)).all()
    newest: dict[str, ScenarioVersion] = {}
    for row, author in rows:
        newest.setdefault(row.scenario_id, _to_record(row, author))
    return sorted(newest.values(), key=lambda v: v.scenario_id)


def audit(session: Session, viewer: Viewer, scenario_id: str | None = None) -> list[AuditEntry]:
    """The audit of saves and publishes the viewer may see (admins: all; managers: their
    team's drills), newest first."""
    user = _writer(session, viewer)
    query = (select(ScenarioAuditRow, UserRow.username)
             .join(UserRow, ScenarioAuditRow.user_id == UserRow.id)
             .join(ScenarioVersionRow, ScenarioAuditRow.version_id == ScenarioVersionRow.id))
    if user.role != "admin":
        query = query.where(ScenarioVersionRow.team_id == user.team_id)
    if scenario_id is not None:
        query = query.where(ScenarioAuditRow.scenario_id == scenario_id)
    rows = session.execute(query.order_by(ScenarioAuditRow.id.desc()).limit(1000)).all()
    return [AuditEntry(id=row.id, version_id=row.version_id, user_id=row.user_id,
                       username=name, role=row.role,
                       action="publish" if row.action == "publish" else "save_draft",
                       scenario_id=row.scenario_id, content_hash=row.content_hash,
                       note=row.note, created_at=row.created_at) for row, name in rows]

