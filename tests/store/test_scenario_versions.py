"""The store contract for scenario versions (drills written in the editor), on both back ends:
drafts and published versions, who may read and write which, and the audit of every save."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect

from store import AccessDenied, Conflict, InvalidInput, NewVersion, Store
from store.migrate import head_revision

from .conftest import FakeClock, World

YAML = "id: {id}\ntitle: {title}\n"


def spec(scenario_id: str = "acme-outage", content_hash: str = "0123456789abcdef",
         title: str = "Acme outage", note: str = "first cut") -> NewVersion:
    return NewVersion(scenario_id, content_hash, YAML.format(id=scenario_id, title=title), title,
                      "en", note)


def test_scenario_version_tables_exist_at_head(store: Store) -> None:
    assert head_revision() == "0004"
    tables = set(inspect(store.engine).get_table_names())
    assert {"scenario_versions", "scenario_audit"} <= tables


def test_scenario_version_draft_saved_verbatim_with_author_team_time_note(
        store: Store, world: World, clock: FakeClock) -> None:
    saved = store.save_scenario_draft(world.v("mx"), spec())
    assert saved.status == "draft" and saved.scope == "team"
    assert saved.team_id == world.team_x and saved.author == "mx"
    assert saved.yaml_text == "id: acme-outage\ntitle: Acme outage\n"
    assert saved.content_hash == "0123456789abcdef" and saved.change_note == "first cut"
    assert saved.created_at == clock.now
    assert store.scenario_version(world.v("mx"), saved.id) == saved


def test_scenario_version_trainees_cannot_save_or_read_drafts(store: Store, world: World) -> None:
    draft = store.save_scenario_draft(world.v("mx"), spec())
    with pytest.raises(AccessDenied):
        store.save_scenario_draft(world.v("a"), spec("mine"))
    with pytest.raises(AccessDenied, match="no scenario version"):
        store.scenario_version(world.v("a"), draft.id)  # their own team's draft
    assert store.scenario_versions(world.v("a")) == []
    with pytest.raises(AccessDenied):
        store.publish_scenario(world.v("a"), draft.id)


def test_scenario_version_team_drafts_invisible_to_other_teams(store: Store,
                                                               world: World) -> None:
    draft = store.save_scenario_draft(world.v("mx"), spec())
    missing = store.scenario_version
    with pytest.raises(AccessDenied, match=f"no scenario version {draft.id} you can open"):
        missing(world.v("my"), draft.id)
    with pytest.raises(AccessDenied, match="no scenario version 9999 you can open"):
        missing(world.v("my"), 9999)  # the same words as a version that does not exist
    assert store.scenario_versions(world.v("my")) == []
    assert [v.id for v in store.scenario_versions(world.v("admin"))] == [draft.id]
    with pytest.raises(AccessDenied):
        store.publish_scenario(world.v("my"), draft.id)


def test_scenario_version_id_belongs_to_the_first_team(store: Store, world: World) -> None:
    store.save_scenario_draft(world.v("mx"), spec())
    with pytest.raises(Conflict, match="taken"):
        store.save_scenario_draft(world.v("my"), spec())
    again = store.save_scenario_draft(world.v("admin"), spec(note="admin fix"))
    assert again.team_id == world.team_x  # an admin edits the team's drill, not a new one


def test_scenario_version_publish_to_team_visible_to_its_trainees_only(
        store: Store, world: World) -> None:
    draft = store.save_scenario_draft(world.v("mx"), spec())
    published = store.publish_scenario(world.v("mx"), draft.id, "team", "ready for the shift")
    assert published.status == "published" and published.id != draft.id
    assert published.yaml_text == draft.yaml_text and published.content_hash == draft.content_hash
    assert published.change_note == "ready for the shift"
    assert [v.id for v in store.published_scenarios(world.v("a"))] == [published.id]
    assert store.published_scenarios(world.v("b")) == []
    assert store.published_scenarios(world.v("my")) == []
    assert [v.status for v in store.scenario_versions(world.v("a"))] == ["published"]
    assert store.scenario_version(world.v("c"), published.id).title == "Acme outage"
    with pytest.raises(Conflict, match="already published"):
        store.publish_scenario(world.v("mx"), published.id)


def test_scenario_version_only_admins_publish_to_everyone(store: Store, world: World) -> None:
    draft = store.save_scenario_draft(world.v("mx"), spec())
    with pytest.raises(AccessDenied, match="only admins"):
        store.publish_scenario(world.v("mx"), draft.id, "everyone")
    everyone = store.publish_scenario(world.v("admin"), draft.id, "everyone")
    assert everyone.scope == "everyone"
    for name in ("a", "b", "my", "mx"):
        assert [v.id for v in store.published_scenarios(world.v(name))] == [everyone.id]
    with pytest.raises(InvalidInput):
        store.publish_scenario(world.v("admin"), draft.id, "world")  # type: ignore[arg-type]


def test_scenario_version_admin_without_team_publishes_to_everyone(store: Store,
                                                                   world: World) -> None:
    draft = store.save_scenario_draft(world.v("admin"), spec("house-drill"))
    assert draft.team_id is None
    assert store.scenario_versions(world.v("mx")) == []  # an admin's draft stays theirs
    with pytest.raises(InvalidInput, match="no team"):
        store.publish_scenario(world.v("admin"), draft.id, "team")
    store.publish_scenario(world.v("admin"), draft.id, "everyone")
    assert [v.scenario_id for v in store.published_scenarios(world.v("b"))] == ["house-drill"]


def test_scenario_version_catalogue_gets_newest_published_older_still_resolve(
        store: Store, world: World, clock: FakeClock) -> None:
    first = store.publish_scenario(world.v("mx"), store.save_scenario_draft(
        world.v("mx"), spec(content_hash="aaaaaaaaaaaaaaaa")).id)
    clock.advance()
    second = store.publish_scenario(world.v("mx"), store.save_scenario_draft(
        world.v("mx"), spec(content_hash="bbbbbbbbbbbbbbbb", title="Acme outage v2")).id)
    store.save_scenario_draft(world.v("mx"), spec(content_hash="cccccccccccccccc"))  # a draft
    assert [v.id for v in store.published_scenarios(world.v("a"))] == [second.id]
    assert store.published_scenario_text("acme-outage", "aaaaaaaaaaaaaaaa") == first.yaml_text
    assert "v2" in (store.published_scenario_text("acme-outage", "bbbbbbbbbbbbbbbb") or "")
    assert store.published_scenario_text("acme-outage", "cccccccccccccccc") is None  # a draft
    assert store.published_scenario_text("other", "aaaaaaaaaaaaaaaa") is None


def test_scenario_version_every_save_and_publish_audited(store: Store, world: World,
                                                         clock: FakeClock) -> None:
    draft = store.save_scenario_draft(world.v("mx"), spec(note="wording"))
    clock.advance()
    store.publish_scenario(world.v("admin"), draft.id, "team", "approved")
    entries = store.scenario_audit(world.v("mx"))
    assert [(e.action, e.username, e.role, e.note) for e in entries] == [
        ("publish", "admin", "admin", "approved"), ("save_draft", "mx", "manager", "wording")]
    assert all(e.scenario_id == "acme-outage" and e.content_hash == draft.content_hash
               for e in entries)
    assert store.scenario_audit(world.v("my")) == []
    with pytest.raises(AccessDenied):
        store.scenario_audit(world.v("a"))
    assert len(store.scenario_audit(world.v("admin"), scenario_id="acme-outage")) == 2


@pytest.mark.parametrize("bad", [
    NewVersion("Acme Outage", "0123456789abcdef", "id: x\n", "t", "en"),
    NewVersion("acme", "not-a-hash", "id: x\n", "t", "en"),
    NewVersion("acme", "0123456789abcdef", "   ", "t", "en"),
    NewVersion("acme", "0123456789abcdef", "id: x\n", "", "en"),
    NewVersion("acme", "0123456789abcdef", "id: x\n", "t", "fr"),
    NewVersion("acme", "0123456789abcdef", "id: x\n", "t", "en", "n" * 501),
    NewVersion("acme", "0123456789abcdef", "x" * (1024 * 1024 + 1), "t", "en"),
])
def test_scenario_version_bad_input_refused(store: Store, world: World, bad: NewVersion) -> None:
    with pytest.raises(InvalidInput):
        store.save_scenario_draft(world.v("mx"), bad)
    assert store.scenario_audit(world.v("admin")) == []


def test_scenario_version_text_kept_verbatim_unicode_and_markup(store: Store,
                                                                world: World) -> None:
    text = "id: ko-drill\ntitle: \"<script>alert(1)</script> 결제 장애 🙂\"\n"
    saved = store.save_scenario_draft(world.v("mx"), NewVersion(
        "ko-drill", "0123456789abcdef", text, "<b>결제</b>", "ko"))
    assert store.scenario_version(world.v("admin"), saved.id).yaml_text == text


def test_scenario_version_stale_viewer_refused(store: Store, world: World) -> None:
    store.update_user(world.v("admin"), world.mx.id, "trainee", world.team_x)
    with pytest.raises(AccessDenied, match="sign in again"):
        store.save_scenario_draft(world.v("mx"), spec())


def test_scenario_version_published_to_everyone_needs_no_viewer(store: Store,
                                                                world: World) -> None:
    team = store.publish_scenario(world.v("mx"), store.save_scenario_draft(
        world.v("mx"), spec("team-only")).id)
    everyone = store.publish_scenario(world.v("admin"), store.save_scenario_draft(
        world.v("admin"), spec("for-all")).id, "everyone")
    assert [v.id for v in store.published_to_everyone()] == [everyone.id]
    assert store.published_scenario_text("team-only") == team.yaml_text  # newest, by id


def test_scenario_version_revision_0004_down_and_up_keeps_older_data(db_url: Any,
                                                                     clock: FakeClock) -> None:
    """0004 only adds its two tables: down to 0003 drops them (drills and users stay), up
    again recreates them empty."""
    from alembic import command

    from store.database import make_engine
    from store.migrate import alembic_config, current_revision, upgrade
    from store.passwords import FAST_TEST_HASHER

    opened = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
    try:
        team = opened.create_team("X").id
        lead = opened.create_user("mx", "correct horse battery", "manager", team)
        opened.save_scenario_draft(lead.viewer, spec())
        drill = opened.start_drill(lead.viewer, "telecom-outage", "h1", 7)
    finally:
        opened.close()
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0003")
        assert current_revision(engine) == "0003"
        assert "scenario_versions" not in inspect(engine).get_table_names()
        assert upgrade(engine) == "0004"
    finally:
        engine.dispose()
    again = Store.open(db_url, hasher=FAST_TEST_HASHER, clock=clock)
    try:
        user = again.user_by_username("mx")
        assert user is not None
        assert again.drill(user.viewer, drill.id).scenario_id == "telecom-outage"
        assert again.scenario_versions(user.viewer) == []
    finally:
        again.close()


def test_scenario_version_two_teams_saving_a_new_id_at_once_one_owns_it(
        store: Store, world: World) -> None:
    """Saves of one new drill id from two teams at the same moment: exactly one team owns it."""
    import threading

    outcomes: list[str] = []
    start = threading.Barrier(8)

    def save(lead: str) -> None:
        start.wait()
        try:
            store.save_scenario_draft(world.v(lead), spec("race-drill"))
            outcomes.append(lead)
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(lead,)) for lead in ("mx", "my") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    teams = {v.team_id for v in store.scenario_versions(world.v("admin"))}
    assert len(teams) == 1
    winner = "mx" if teams == {world.team_x} else "my"
    assert outcomes.count(winner) == 4 and outcomes.count("refused") == 4
