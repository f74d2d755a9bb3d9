"""The editor service: the engine's own validation, blank and copied drafts, saving and
publishing, import and export, preview, and published drills played, resumed and graded by
their exact version; the round trip of every built-in through the editor."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.records import MentionArrived, Reply
from engine.scenario import ScenarioError, builtin_paths, load_scenario
from engine.session import TrainingSession
from store import AccessDenied
from store.passwords import FAST_TEST_HASHER
from store.records import User
from stormdesk.app import StormDesk
from stormdesk.editor import EditorError
from stormdesk.editor_preview import SAMPLES_PER_PHASE
from stormdesk.grading import no_judge

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
BROKEN = sorted((ROOT / "tests" / "fixtures" / "scenarios").glob("broken_*.yaml"))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[StormDesk]:
    desk = StormDesk.open(f"sqlite:///{tmp_path / 'app.db'}", judge_factory=no_judge,
                          hasher=FAST_TEST_HASHER)
    yield desk
    desk.store.close()


class People:
    def __init__(self, app: StormDesk) -> None:
        store = app.store
        north = store.create_team("north").id
        south = store.create_team("south").id
        self.admin = store.create_user("root", PASSWORD, "admin")
        self.lead = store.create_user("lena", PASSWORD, "manager", north, "Lena")
        self.other_lead = store.create_user("omar", PASSWORD, "manager", south, "Omar")
        self.trainee = store.create_user("dana", PASSWORD, "trainee", north, "Dana")
        self.stranger = store.create_user("sam", PASSWORD, "trainee", south, "Sam")


@pytest.fixture
def people(app: StormDesk) -> People:
    return People(app)


def _copy(app: StormDesk, builtin: str = "onboarding-quiet-shift") -> str:
    return app.editor.copy_builtin(builtin)


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_editor_check_gives_engine_validate_lines(app: StormDesk, path: Path) -> None:
    """The same file gives the same problem lines in the editor and in ``engine validate``."""
    with pytest.raises(ScenarioError) as engine_says:
        load_scenario(path)
    checked = app.editor.import_file(path.read_bytes(), path.name)
    assert not checked.ok and checked.problems == engine_says.value.problems


def test_editor_check_typed_text_sorted_by_field(app: StormDesk) -> None:
    text = app.editor.blank().replace("rate_per_minute: 1", "rate_per_minute: 5000")
    checked = app.editor.check(text)
    assert not checked.ok
    assert checked.by_field() == {"phases[0].rate_per_minute": ["must be <= 2,000 (got 5,000)"]}
    line = text.splitlines().index("  rate_per_minute: 5000") + 1
    assert checked.problems == [f"draft.yaml: line {line}: phases[0].rate_per_minute: "
                                "must be <= 2,000 (got 5,000)"]


@pytest.mark.parametrize("text,expected", [
    ("a: &x 1\nb: *x\n", "anchors (&x) are not allowed"),
    ("id: [\n", "not valid YAML"),
    ("- 1\n", "must be a mapping of fields"),
    ("", "is empty"),
    ("id: a\nid: b\n", "appears twice"),
])
def test_editor_check_refuses_what_the_file_format_refuses(app: StormDesk, text: str,
                                                          expected: str) -> None:
    checked = app.editor.check(text)
    assert not checked.ok and expected in "\n".join(checked.problems)


def test_editor_import_bytes_like_engine_validate(app: StormDesk, tmp_path: Path) -> None:
    latin = "id: caf\xe9\n".encode("latin-1")
    (tmp_path / "cafe.yaml").write_bytes(latin)
    with pytest.raises(ScenarioError) as engine_says:
        load_scenario(tmp_path / "cafe.yaml")
    checked = app.editor.import_file(latin, "cafe.yaml")
    assert checked.problems == engine_says.value.problems
    assert "not UTF-8 text (byte 0xe9" in checked.problems[0]
    big = b"# " + b"x" * (1024 * 1024)
    assert "larger than 1,048,576 bytes" in app.editor.import_file(big, "big.yaml").problems[0]
    bom = b"\xef\xbb\xbf" + _copy(app).encode()
    assert app.editor.import_file(bom, "bom.yaml").ok


def test_editor_builtin_ids_are_read_only(app: StormDesk, people: People) -> None:
    original = app.editor.export_builtin("telecom-outage")
    checked = app.editor.check(original)
    assert not checked.ok and "read-only" in checked.problems[0]
    with pytest.raises(EditorError, match="read-only"):
        app.editor.save_draft(people.lead.viewer, original)


def test_editor_blank_drafts_validate_in_both_languages(app: StormDesk) -> None:
    for language in ("en", "ko"):
        checked = app.editor.check(app.editor.blank(language))
        assert checked.ok and checked.scenario is not None
        assert checked.scenario.language == language


# ------------------------------------------------------------------------ round trip
def test_editor_round_trip_every_builtin_validates_and_plays_identically(
        app: StormDesk, tmp_path: Path) -> None:
    files = []
    for path in builtin_paths():
        original = load_scenario(path)
        exported = tmp_path / path.name
        exported.write_text(app.editor.export_builtin(original.id), encoding="utf-8")
        files.append(str(exported))
        again = load_scenario(exported)
        assert again.content_hash == original.content_hash
        runs = []
        for scenario in (original, again):
            session = TrainingSession(scenario, seed=11)
            session.advance_to(min(8.0, scenario.duration_minutes))
            runs.append([e.to_json() for e in session.transcript])
        assert runs[0] == runs[1] and runs[0]
    result = subprocess.run([sys.executable, "-m", "engine", "validate", *files], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == len(files)


# --------------------------------------------------------------------- saving, sharing
def test_editor_save_draft_refuses_invalid_and_trainees(app: StormDesk, people: People) -> None:
    with pytest.raises(EditorError) as bad:
        app.editor.save_draft(people.lead.viewer, "id: x\n")
    assert "draft.yaml: title: is required" in bad.value.problems
    with pytest.raises(AccessDenied):
        app.editor.save_draft(people.trainee.viewer, _copy(app))
    assert app.editor.versions(people.admin.viewer) == []


def test_editor_export_is_the_saved_file_engine_validate_accepts(
        app: StormDesk, people: People, tmp_path: Path) -> None:
    text = _copy(app)
    draft = app.editor.save_draft(people.lead.viewer, text, "our brand")
    name, data = app.editor.export(people.lead.viewer, draft.id)
    assert name == "onboarding-quiet-shift-copy.yaml" and data == text.encode()
    (tmp_path / name).write_bytes(data)
    assert load_scenario(tmp_path / name).content_hash == draft.content_hash


def _publish_copy(app: StormDesk, people: People, scope: str = "team") -> User:
    lead = people.admin if scope == "everyone" else people.lead
    draft = app.editor.save_draft(lead.viewer, _copy(app), "first cut")
    app.editor.publish(lead.viewer, draft.id, scope, "ready")  # type: ignore[arg-type]
    return lead


def test_editor_published_drill_in_the_catalogue_of_its_team_only(app: StormDesk,
                                                                 people: People) -> None:
    _publish_copy(app, people)
    assert "onboarding-quiet-shift-copy" in app.catalogue(people.trainee.viewer).scenarios
    assert "onboarding-quiet-shift-copy" not in app.catalogue(people.stranger.viewer).scenarios
    assert "onboarding-quiet-shift-copy" not in app.catalogue().scenarios
    builtin = set(app.builtins().scenarios)
    assert builtin <= set(app.catalogue(people.stranger.viewer).scenarios)
    assert set(app.catalogue().scenarios) == builtin


def test_editor_published_to_everyone_in_every_catalogue(app: StormDesk,
                                                         people: People) -> None:
    _publish_copy(app, people, "everyone")
    for viewer in (None, people.stranger.viewer, people.trainee.viewer):
        assert "onboarding-quiet-shift-copy" in app.catalogue(viewer).scenarios


def test_editor_published_drill_played_ended_and_resumed_on_its_version(
        app: StormDesk, people: People) -> None:
    _publish_copy(app, people)
    viewer = people.trainee.viewer
    scenario = app.catalogue(viewer).scenarios["onboarding-quiet-shift-copy"]
    drill = app.drills.start(scenario, 5, "Dana", "DR", "practice", 10.0, 0.0, viewer)
    app.drills.advance_to(drill, 12)
    thread = next(e.thread_id for e in drill.session.transcript
                  if isinstance(e, MentionArrived))
    app.drills.act(drill, Reply(thread, "Thanks for telling us, we're on it. ^DR", agent="DR"))
    app.drills.advance_to(drill, 14)
    # a newer version is published meanwhile: the running drill stays on its own
    newer = app.editor.copy_builtin("onboarding-quiet-shift").replace(
        "duration_minutes: 60", "duration_minutes: 61")
    draft = app.editor.save_draft(people.lead.viewer, newer, "longer")
    app.editor.publish(people.lead.viewer, draft.id)
    record = app.drills.running_record(viewer)
    assert record is not None
    again = app.drills.resume(viewer, record, 50.0)
    assert again.scenario.content_hash == scenario.content_hash
    assert again.world_changed == []
    assert [e.to_json() for e in again.session.transcript] == \
        [e.to_json() for e in drill.session.transcript]
    card = app.drills.end(drill)
    assert card.scenario_id == "onboarding-quiet-shift-copy"
    stored = app.reviews.load(viewer, drill.drill_id)
    assert stored is not None
    # reviewed on the version it was played on, not the newer one
    assert stored.scenario.content_hash == scenario.content_hash
    assert stored.world_changed == []
    rescored = app.reviews.rescore(people.lead.viewer, drill.drill_id)
    assert rescored.overall == pytest.approx(app.reviews.scorecards(
        viewer, drill.drill_id)[-1].overall)


def test_editor_versions_listed_per_viewer(app: StormDesk, people: People) -> None:
    _publish_copy(app, people)
    assert [v.status for v in app.editor.versions(people.lead.viewer)] == ["published", "draft"]
    assert [v.status for v in app.editor.versions(people.trainee.viewer)] == ["published"]
    assert app.editor.versions(people.other_lead.viewer) == []
    assert [e.action for e in app.editor.audit(people.lead.viewer)] == ["publish",
                                                                        "save_draft"]


# ---------------------------------------------------------------------------- preview
def test_editor_preview_ten_samples_per_phase_mix_followups_reputation(app: StormDesk) -> None:
    text = app.editor.copy_builtin("telecom-outage")
    shown = app.editor.preview(text, seed=3)
    scenario = app.editor.check(text).scenario
    assert scenario is not None
    named = [p for p in shown.phases if p.name]
    assert [p.name for p in named] == [p.name for p in scenario.phases]
    assert all(len(p.samples) == min(SAMPLES_PER_PHASE, p.mentions) for p in shown.phases)
    assert sum(p.mentions for p in shown.phases) == shown.new_mentions > 0
    assert sum(shown.personas.values()) == sum(shown.intents.values()) == shown.new_mentions
    assert shown.follow_ups > 0 and shown.spread >= 0
    assert shown.run.reputation and shown.reputation_end is not None
    assert shown.minutes == scenario.duration_minutes == 180


def test_editor_preview_of_an_invalid_draft_says_why(app: StormDesk) -> None:
    with pytest.raises(EditorError, match="title: is required"):
        app.editor.preview("id: x\n", seed=1)


def test_editor_room_on_a_published_drill_keeps_its_version(app: StormDesk,
                                                             people: People) -> None:
    """A crisis room opened on an editor drill plays and grades the version it was opened on,
    also after a newer version is published."""
    from store import RosterPick
    from stormdesk.rooms import rooms_of

    _publish_copy(app, people)
    scenario = app.catalogue(people.lead.viewer).scenarios["onboarding-quiet-shift-copy"]
    newer = app.editor.copy_builtin("onboarding-quiet-shift").replace(
        "duration_minutes: 60", "duration_minutes: 61")
    rooms = rooms_of(app)
    room = rooms.open(people.lead.viewer, scenario, 3, [RosterPick(people.trainee.id)])
    draft = app.editor.save_draft(people.lead.viewer, newer, "longer")
    app.editor.publish(people.lead.viewer, draft.id)
    assert app.catalogue(people.lead.viewer).scenarios[scenario.id].duration_minutes == 61
    seat = rooms.join(people.trainee.viewer, room.id)
    assert seat.drill.scenario.content_hash == scenario.content_hash
    assert rooms.scenario(scenario.id, scenario.content_hash).duration_minutes == 60
