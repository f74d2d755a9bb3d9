"""Login sessions: live until logout, expiry or a change to the user (both back ends)."""

from __future__ import annotations

from store import Store

from .conftest import FakeClock, World


def test_login_token_finds_its_user_until_logout(store: Store, world: World) -> None:
    token = store.open_login(world.a.id)
    assert store.user_for_login(token) == world.a
    store.close_login(token)
    assert store.user_for_login(token) is None


def test_login_token_expires_after_its_lifetime(store: Store, world: World,
                                                clock: FakeClock) -> None:
    token = store.open_login(world.a.id)
    clock.advance(minutes=11 * 60)
    assert store.user_for_login(token) == world.a
    clock.advance(minutes=61)
    assert store.user_for_login(token) is None


def test_password_change_and_deactivation_end_every_login(store: Store, world: World) -> None:
    first, second = store.open_login(world.a.id), store.open_login(world.a.id)
    other = store.open_login(world.b.id)
    store.set_password(world.a.viewer, world.a.id, "a brand new one")
    assert store.user_for_login(first) is None and store.user_for_login(second) is None
    assert store.user_for_login(other) == world.b
    store.set_active(world.admin.viewer, world.b.id, False)
    assert store.user_for_login(other) is None


def test_unknown_or_garbage_tokens_find_nobody(store: Store, world: World) -> None:
    assert store.user_for_login("") is None
    assert store.user_for_login("x" * 500) is None
    assert store.user_for_login("é-not-a-token") is None
    assert store.user_for_login(store.open_login(world.a.id)[:-1]) is None


def test_drill_keeps_how_the_trainee_signs(store: Store, world: World) -> None:
    drill = store.start_drill(world.a.viewer, "telecom-outage", "abc", 7, 10.0, "practice",
                              agent_name="Alex Kim", initials="AK")
    again = store.drill(world.a.viewer, drill.id)
    assert (again.agent_name, again.initials) == ("Alex Kim", "AK")
