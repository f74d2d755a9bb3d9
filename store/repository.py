"""``Store``: the one object the app holds. It opens the transactions (``Transactions``) and
hands each call to the topic modules (accounts, logins, drills, grading, reviews, cohort); it
is safe to share between threads (one per process, e.g. through ``st.cache_resource``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from engine.records import Action
from store import accounts, action_log, cohort, drills, grading, logins, reviews
from store.access import require_role
from store.cohort import CohortFilter
from store.database import (
    make_engine,
    resolve_url,
)
from store.drills import DrillFilter, NewDrill
from store.errors import InvalidLogin, LoginThrottled
from store.grading import DrillGrader
from store.migrate import upgrade
from store.passwords import (
    DEFAULT_HASHER,
    check_password_policy,
    normalize_username,
    verify,
)
from store.records import (
    Agreement,
    CohortRow,
    Comment,
    Drill,
    DrillScores,
    DrillSummary,
    Mode,
    Override,
    RecurringFinding,
    Role,
    ScorecardRecord,
    Status,
    StoredAction,
    Team,
    Threshold,
    Transcript,
    User,
    Viewer,
)
from store.room_grading import RoomGrader
from store.room_repository import RoomMethods
from store.scenario_version_repository import ScenarioVersionMethods

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store(RoomMethods, ScenarioVersionMethods):
    """Typed reads and writes; every read and every drill write takes the ``Viewer`` first.

    ``grader`` (the application layer's ``DrillGrader``) recomputes a drill's transcript and
    scorecard from the actions stored here: ``end_drill`` and ``rescore`` need it.
    ``room_grader`` does the same for crisis rooms (``end_room``, ``rescore_room``; the room
    methods live in ``store.room_repository``). Drills written in the editor (drafts,
    published versions, the audit) are ``store.scenario_version_repository``'s.
    """

    def __init__(self, engine: Engine, hasher: PasswordHasher = DEFAULT_HASHER,
                 clock: Clock = utc_now, grader: DrillGrader | None = None,
                 room_grader: RoomGrader | None = None) -> None:
        super().__init__(engine)
        self._hasher = hasher
        self._clock = clock
        self._grader = grader
        self._room_grader = room_grader
        self._listeners = []
        self._listen_lock = threading.Lock()

    @classmethod
    def open(cls, url: str | URL | None = None, hasher: PasswordHasher = DEFAULT_HASHER,
             clock: Clock = utc_now, grader: DrillGrader | None = None,
             room_grader: RoomGrader | None = None) -> Store:
        """Connect (``url``, else ``$STORMDESK_DATABASE_URL``, else ``data/stormdesk.db``) and
        migrate the schema to the newest revision."""
        engine = make_engine(resolve_url(url))
        upgrade(engine)
        return cls(engine, hasher=hasher, clock=clock, grader=grader, room_grader=room_grader)

    def close(self) -> None:
        self._stop_listening()
        super().close()

    # ------------------------------------------------------------------------------ accounts
    def create_team(self, name: str) -> Team:
        with self._write() as s:
            return accounts.create_team(s, name, self._clock())

    def team_by_name(self, name: str) -> Team | None:
        with self._read() as s:
            return accounts.team_by_name(s, name)

    def create_user(self, username: str, password: str, role: Role, team_id: int | None = None,
                    display_name: str = "") -> User:
        """Privileged (the CLI, or the admin page after ``require_role(viewer, "admin")``)."""
        normalize_username(username)  # refuse a bad name before paying for the hash
        password_hash = self._hash(password)
        spec = accounts.NewUser(username, role, team_id, display_name)
        with self._write() as s:
            return accounts.create_user(s, spec, password_hash, self._clock())

    def _hash(self, password: str) -> str:
        """argon2 costs ~50 ms and 64 MiB: always outside a transaction and the write lock."""
        check_password_policy(password)
        return self._hasher.hash(password)

    def authenticate(self, username: str, password: str, now: datetime) -> User:
        """The user, or ``InvalidLogin``; ``LoginThrottled`` for 5 minutes after 5 failures.

        ``now`` is passed in (never read here) so throttling is testable.
        """
        with self._read() as s:
            candidate = accounts.login_candidate(s, username)
        if candidate is None:
            accounts.dummy_verify(self._hasher, password)
            raise InvalidLogin("wrong username or password")
        if candidate.state.locked_until is not None and candidate.state.locked_at(now):
            raise LoginThrottled(candidate.state.locked_until)
        ok = verify(self._hasher, candidate.password_hash, password)
        rehash = self._hasher.hash(password) if ok and self._hasher.check_needs_rehash(
            candidate.password_hash) else None
        with self._write() as s:
            outcome = accounts.record_login(s, candidate, ok, now, rehash)
        if isinstance(outcome, InvalidLogin | LoginThrottled):
            raise outcome
        return outcome

    # The login layer's lookups (they tell whether an account exists: never expose them to
    # a page parameter): first-run detection, a signed session token, a single sign-on e-mail.
    def has_users(self) -> bool:
        with self._read() as s:
            return accounts.has_users(s)

    def user_by_id(self, user_id: int) -> User | None:
        with self._read() as s:
            return accounts.user_by_id(s, user_id)

    def user_by_username(self, username: str) -> User | None:
        with self._read() as s:
            return accounts.user_by_username(s, username)

    def require_role(self, viewer: Viewer, *roles: Role) -> User:
        """The viewer's current account if it has one of ``roles``, else ``AccessDenied``."""
        with self._read() as s:
            return accounts.to_user(require_role(s, viewer, *roles))

    # ----------------------------------------------------------------------- login sessions
    def open_login(self, user_id: int, replaces: str | None = None) -> str:
        """A new opaque login token for a user who just authenticated (privileged: after
        ``authenticate`` or single sign-on). Pass the token this browser held before as
        ``replaces`` to end it (rotation); other browsers' logins stay. Only its hash is
        stored: keep the returned token, it cannot be read back."""
        with self._write() as s:
            return logins.open_login(s, user_id, self._clock(), replaces)

    def user_for_login(self, token: str) -> User | None:
        """The user behind a live login token (None when unknown, revoked or expired)."""
        with self._read() as s:
            return logins.user_for_login(s, token, self._clock())

    def close_login(self, token: str) -> None:
        """Log this token out (a no-op for an unknown or already closed one)."""
        with self._write() as s:
            logins.close_login(s, token, self._clock())

    def log_out_everywhere(self, viewer: Viewer, user_id: int) -> int:
        """End every live login of ``user_id`` (the user themself, or an admin); returns how
        many were live."""
        with self._write() as s:
            return logins.log_out_everywhere(s, viewer, user_id, self._clock())

    def set_password(self, viewer: Viewer, user_id: int, password: str) -> None:
        password_hash = self._hash(password)
        with self._write() as s:
            accounts.set_password(s, viewer, user_id, password_hash)
            logins.close_all_logins(s, user_id, self._clock())

    def set_active(self, viewer: Viewer, user_id: int, active: bool) -> User:
        with self._write() as s:
            logins.close_all_logins(s, user_id, self._clock())
            return accounts.set_active(s, viewer, user_id, active)

    def update_user(self, viewer: Viewer, user_id: int, role: Role, team_id: int | None) -> User:
        with self._write() as s:
            logins.close_all_logins(s, user_id, self._clock())
            return accounts.update_user(s, viewer, user_id, role, team_id)

    def users(self, viewer: Viewer) -> list[User]:
        with self._read() as s:
            return accounts.users(s, viewer)

    def teams(self, viewer: Viewer) -> list[Team]:
        with self._read() as s:
            return accounts.teams(s, viewer)

    # -------------------------------------------------------------------------------- drills
    def start_drill(self, viewer: Viewer, scenario_id: str, scenario_hash: str, seed: int,
                    speed: float = 1.0, mode: Mode = "practice", agent_name: str = "",
                    initials: str = "", *, world_version: str = "",
                    world: dict[str, str] | None = None,
                    drill_minutes: float | None = None) -> Drill:
        """A new running drill of the viewer's, with the world it is played on (``world``:
        component -> hash; default ``{"scenario": scenario_hash}``) and its length."""
        spec = NewDrill(scenario_id, scenario_hash, seed, speed, mode, agent_name, initials,
                        world_version, world, drill_minutes)
        with self._write() as s:
            return drills.start_drill(s, viewer, spec, self._clock())

    def append_action(self, viewer: Viewer, drill_id: str, seq: int, minute: float,
                      action: Mapping[str, Any] | Action) -> bool:
        """Store action ``seq`` (0, 1, 2...) of the viewer's running drill, as it happens.

        Idempotent: re-sending a stored (seq, minute, action) is a no-op returning False; a
        different payload for a stored seq, or a gap, raises ``ActionConflict``.
        """
        action_log.check_entry(seq, minute)
        payload = action_log.action_payload(action)
        entry = StoredAction(seq=seq, minute=float(minute), action=payload)
        now = self._clock()
        if self._fast_append(viewer, drill_id, entry, now):
            return True
        try:  # the careful path: a retry (no-op), or the reason it is refused
            with self._write_connection() as c:
                return action_log.append_action(c, viewer, drill_id, entry, now)
        except IntegrityError:
            with self._write_connection() as c:
                return action_log.append_action(c, viewer, drill_id, entry, now)

    def actions(self, viewer: Viewer, drill_id: str) -> list[tuple[float, dict[str, Any]]]:
        """(minute, action JSON) in seq order: replay them to rebuild the drill."""
        return [(a.minute, a.action) for a in self.stored_actions(viewer, drill_id)]

    def stored_actions(self, viewer: Viewer, drill_id: str) -> list[StoredAction]:
        with self._read() as s:
            return action_log.actions(s, viewer, drill_id)

    def replay_actions(self, viewer: Viewer, drill_id: str) -> list[tuple[float, Action]]:
        """Ready for ``TrainingSession.replay``."""
        return [(a.minute, a.to_action()) for a in self.stored_actions(viewer, drill_id)]

    def touch(self, viewer: Viewer, drill_id: str, last_minute: float) -> Drill:
        with self._write() as s:
            return drills.touch(s, viewer, drill_id, last_minute)

    def end_drill(self, viewer: Viewer, drill_id: str, end_minute: float) -> ScorecardRecord:
        """End the viewer's running drill at simulated ``end_minute``: the grader replays the
        stored actions and scores them; the transcript and first scorecard are stored.

        Idempotent: ending again at the same minute returns the first scorecard; at another
        minute raises ``DrillNotRunning``. ``Conflict`` if an action arrived while grading.
        """
        grader = grading.require(self._grader)
        with self._read() as s:
            job = grading.prepare_end(s, viewer, drill_id, end_minute)
        if isinstance(job, ScorecardRecord):
            return job
        graded = grader.grade(job.drill, job.actions, job.end_minute)  # no transaction held
        with self._write() as s:
            return grading.record_end(s, viewer, job, graded, self._clock())

    def rescore(self, viewer: Viewer, drill_id: str) -> ScorecardRecord:
        """Grade an ended drill again from its stored actions (managers of its team, admins;
        never one's own) and add the scorecard: it becomes current, older ones stay."""
        if self._room_grader is None:
            grading.require(self._grader)  # refused before any read, as without rooms
        with self._read() as s:
            job = grading.prepare_rescore(s, viewer, drill_id)
        if job.drill.room_id is not None:  # a seat in a room: graded with its team's log
            return self._rescore_seat(viewer, job.drill.room_id, job.drill.trainee_id)
        grader = grading.require(self._grader)
        graded = grader.grade(job.drill, job.actions, job.end_minute)
        with self._write() as s:
            return grading.record_rescore(s, viewer, job, graded, self._clock())

    def drill(self, viewer: Viewer, drill_id: str) -> Drill:
        with self._read() as s:
            return drills.drill(s, viewer, drill_id)

    def transcript(self, viewer: Viewer, drill_id: str) -> Transcript | None:
        with self._read() as s:
            return drills.transcript(s, viewer, drill_id)

    def running_drill_for(self, viewer: Viewer) -> Drill | None:
        with self._read() as s:
            return drills.running_drill_for(s, viewer)

    def drills_for(self, viewer: Viewer, *, trainee_id: int | None = None,
                   scenario_id: str | None = None, status: Status | None = None,
                   mode: Mode | None = None, limit: int = 200, offset: int = 0
                   ) -> list[DrillSummary]:
        """Visible drills, newest first, with their effective overall score."""
        where = DrillFilter(trainee_id, scenario_id, status, mode, limit, offset)
        with self._read() as s:
            return cohort.summaries(s, viewer, where)

    # ------------------------------------------------------------------------------- reviews
    def scorecards(self, viewer: Viewer, drill_id: str) -> list[ScorecardRecord]:
        """Newest first; the first is the drill's current scorecard."""
        with self._read() as s:
            return reviews.scorecards(s, viewer, drill_id)

    def scorecard(self, viewer: Viewer, scorecard_id: int) -> ScorecardRecord:
        with self._read() as s:
            return reviews.scorecard(s, viewer, scorecard_id)

    def drill_scores(self, viewer: Viewer, drill_id: str,
                     scorecard_id: int | None = None) -> DrillScores | None:
        """Effective and automatic scores of the drill's current scorecard (or of one of its
        scorecards), with completeness; None while it has none (the scorecard's headline)."""
        with self._read() as s:
            return cohort.drill_scores(s, viewer, drill_id, scorecard_id)

    def comment(self, viewer: Viewer, drill_id: str, text: str) -> Comment:
        with self._write() as s:
            return reviews.comment(s, viewer, drill_id, text, self._clock())

    def comments(self, viewer: Viewer, drill_id: str) -> list[Comment]:
        with self._read() as s:
            return reviews.comments(s, viewer, drill_id)

    def override(self, viewer: Viewer, scorecard_id: int, dimension: str, score: float,
                 reason: str) -> Override:
        """A manual score with a required reason; the auto-score stays (audited)."""
        with self._write() as s:
            return reviews.override(s, viewer, scorecard_id, (dimension, score, reason),
                                    self._clock())

    def overrides(self, viewer: Viewer, drill_id: str) -> list[Override]:
        with self._read() as s:
            return reviews.overrides(s, viewer, drill_id)

    def set_threshold(self, viewer: Viewer, team_id: int, scenario_id: str, dimension: str,
                      minimum: float | None) -> Threshold | None:
        """The pass mark for a dimension (or "overall"); ``None`` removes it."""
        with self._write() as s:
            return reviews.set_threshold(s, viewer, (team_id, scenario_id, dimension), minimum,
                                         self._clock())

    def thresholds(self, viewer: Viewer, team_id: int | None = None,
                   scenario_id: str | None = None) -> list[Threshold]:
        with self._read() as s:
            return reviews.thresholds(s, viewer, team_id, scenario_id)

    # -------------------------------------------------------------------------------- cohort
    def history(self, viewer: Viewer, *, team_id: int | None = None,
                trainee_id: int | None = None, scenario_id: str | None = None,
                mode: Mode | None = None) -> list[DrillScores]:
        """Effective scores of visible ended drills, oldest first (trend charts)."""
        with self._read() as s:
            return cohort.history(s, viewer, CohortFilter(team_id, trainee_id, scenario_id, mode))

    def cohort(self, viewer: Viewer, *, team_id: int | None = None,
               scenario_id: str | None = None, mode: Mode | None = None) -> list[CohortRow]:
        """Trainee x scenario: latest and best scores per dimension, pass/fail."""
        with self._read() as s:
            return cohort.cohort(s, viewer, CohortFilter(team_id, None, scenario_id, mode))

    def recurring_findings(self, viewer: Viewer, *, team_id: int | None = None,
                           trainee_id: int | None = None, scenario_id: str | None = None,
                           min_occurrences: int = 1) -> list[RecurringFinding]:
        where = CohortFilter(team_id, trainee_id, scenario_id)
        with self._read() as s:
            return cohort.recurring_findings(s, viewer, where, min_occurrences)

    def agreement(self, viewer: Viewer, *, team_id: int | None = None,
                  scenario_id: str | None = None) -> list[Agreement]:
        with self._read() as s:
            return cohort.agreement(s, viewer, CohortFilter(team_id, None, scenario_id))

    def peers(self, viewer: Viewer, drill_id: str) -> list[DrillSummary]:
        """Visible ended drills of the same scenario id and seed (side-by-side compare); mark
        pairs whose ``world_version`` or ``scenario_hash`` differ."""
        with self._read() as s:
            return cohort.peers(s, viewer, drill_id)
