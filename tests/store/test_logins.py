"""Login sessions: live until logout, expiry or a change to the user; stored hashed, rotated
at login, ended everywhere on request (both back ends)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from store import AccessDenied, Store

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


def test_database_holds_no_usable_token(store: Store, world: World) -> None:
    """A copy of the table gives hashes: presenting one logs nobody in."""
    token = store.open_login(world.a.id)
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM login_sessions")).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in stored[0]
    assert store.user_for_login(stored[0]) is None
    assert store.user_for_login(token) == world.a


def test_every_login_gets_a_new_token_and_rotation_ends_the_old_one(store: Store,
                                                                     world: World) -> None:
    laptop = store.open_login(world.a.id)
    phone = store.open_login(world.a.id)
    assert laptop != phone and len(laptop) >= 43  # 32 random bytes, URL-safe base64
    again = store.open_login(world.a.id, replaces=laptop)  # the laptop logs in again
    assert store.user_for_login(laptop) is None
    assert store.user_for_login(again) == world.a
    assert store.user_for_login(phone) == world.a  # another browser's login stays
    store.open_login(world.a.id, replaces="not-a-token-of-ours")  # harmless


def test_log_out_everywhere_by_the_user_or_an_admin(store: Store, world: World,
                                                    clock: FakeClock) -> None:
    tokens = [store.open_login(world.a.id) for _ in range(3)]
    store.close_login(tokens[0])
    bob = store.open_login(world.b.id)
    for who in ("mx", "c", "b"):  # a manager, a team mate, someone else
        with pytest.raises(AccessDenied):
            store.log_out_everywhere(world.v(who), world.a.id)
    assert store.log_out_everywhere(world.a.viewer, world.a.id) == 2
    assert all(store.user_for_login(t) is None for t in tokens)
    assert store.user_for_login(bob) == world.b
    assert store.log_out_everywhere(world.admin.viewer, world.b.id) == 1
    assert store.user_for_login(bob) is None
    assert store.log_out_everywhere(world.admin.viewer, world.b.id) == 0
    with pytest.raises(AccessDenied):
        store.log_out_everywhere(world.admin.viewer, 10**6)
    stale = store.open_login(world.c.id)
    clock.advance(minutes=13 * 60)  # expired logins are not counted
    assert store.log_out_everywhere(world.c.viewer, world.c.id) == 0
    assert store.user_for_login(stale) is None


@pytest.mark.parametrize("change", ["role", "team", "deactivate", "password"])
def test_account_changes_end_open_logins(store: Store, world: World, change: str) -> None:
    token = store.open_login(world.c.id)
    admin = world.admin.viewer
    if change == "role":
        store.update_user(admin, world.c.id, "manager", world.team_x)
    elif change == "team":
        store.update_user(admin, world.c.id, "trainee", world.team_y)
    elif change == "deactivate":
        store.set_active(admin, world.c.id, False)
    else:
        store.set_password(admin, world.c.id, "a fresh password")
    assert store.user_for_login(token) is None


def test_lone_surrogate_token_finds_nobody(store: Store, world: World) -> None:
    assert store.user_for_login("\ud800abc") is None
    store.close_login("\ud800abc")
