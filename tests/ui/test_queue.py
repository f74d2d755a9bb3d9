"""The queue's index (stormdesk.inbox): a view holds its order while activity collects behind
"N new", search finds text, handles and order numbers, the SLA counters kept by bisection agree
with counting every thread, and "mine"/"unassigned" work for any agent name."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.records import Assign, Reply, Resolve
from engine.scenario import resolve_scenario
from stormdesk.drills import Drills
from stormdesk.inbox import FILTERS, SORTS, InboxIndex, matches, sla_state


@pytest.fixture(scope="module")
def outage():  # type: ignore[no-untyped-def]
    scenario = resolve_scenario("telecom-outage")
    drills = Drills(None, lambda: None)  # type: ignore[arg-type,return-value]
    drill = drills.start(scenario, 7, "Dana", "DR", "practice")
    drills.advance_to(drill, 30)
    return drills, drill


def brute_counters(inbox: InboxIndex, now: float, sla) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: Counter[str] = Counter()
    for thread in inbox.threads.values():
        state, _ = sla_state(thread, now, sla)
        if state != "-":
            counts["waiting"] += 1
            if state in ("at risk", "breached"):
                counts[state] += 1
        if not thread.hidden and inbox.unread(thread):
            counts["unread"] += 1
    return {k: counts.get(k, 0) for k in ("waiting", "at risk", "breached", "unread")}


def test_inbox_view_holds_its_order_while_new_activity_is_counted(outage):
    drills, drill = outage
    view = drill.inbox.view("all", "newest activity")
    before = list(view.order)
    drills.advance_to(drill, drill.session.now + 10)
    assert view.order == before  # nothing moved
    pending = drill.inbox.pending(view)
    assert pending and not set(pending) & view.members
    again = drill.inbox.view("all", "newest activity")
    assert set(pending) <= again.members


def test_inbox_pending_ignores_threads_that_do_not_match_the_view(outage):
    drills, drill = outage
    view = drill.inbox.view("hidden", "newest activity")
    drills.advance_to(drill, drill.session.now + 5)
    assert drill.inbox.pending(view) == []  # new posts are not hidden ones


@pytest.mark.parametrize("sort", SORTS)
def test_inbox_view_order_equals_the_sort_of_every_match(outage, sort):
    _, drill = outage
    view = drill.inbox.view("unanswered", sort)
    rows, total = drill.inbox.select("unanswered", sort, limit=len(view.order) or 1)
    assert view.order == [r.thread_id for r in rows] and view.total == total


def test_inbox_search_finds_handle_name_text_and_order_numbers(outage):
    _, drill = outage
    inbox = drill.inbox
    thread = next(iter(inbox.threads.values()))
    assert inbox.matches_query(thread, "@" + thread.author.handle.upper())
    assert inbox.matches_query(thread, thread.author.display_name.lower())
    words = thread.last_customer_text.split()
    assert inbox.matches_query(thread, " ".join(words[1:3]))
    assert not inbox.matches_query(thread, "zz-no-such-words-zz")
    exposed = [t for t in inbox.threads.values() if t.exposed]
    if exposed:  # order and booking numbers also match without their dashes or case
        value = exposed[0].exposed[0].value
        assert inbox.matches_query(exposed[0], value)
        loose = "".join(c for c in value if c.isalnum()).lower()
        if len(loose) >= 3:
            assert inbox.matches_query(exposed[0], loose)


def test_inbox_search_view_holds_only_matches(outage):
    _, drill = outage
    handle = next(iter(drill.inbox.threads.values())).author.handle
    view = drill.inbox.view("all", "newest activity", query=handle)
    assert view.order and all(
        drill.inbox.matches_query(drill.inbox.threads[i], handle) for i in view.order)


def test_inbox_mine_and_unassigned_for_any_agent_name(outage):
    drills, drill = outage
    first, second = list(drill.inbox.threads)[:2]
    drills.act(drill, Assign(first, "SK", agent=drill.agent))
    drills.act(drill, Assign(second, "Dana Reyes", agent=drill.agent))
    assert drill.inbox.view("mine", "newest activity", agent="SK").order == [first]
    assert drill.inbox.view("mine", "newest activity", agent="Dana Reyes").order == [second]
    unassigned = drill.inbox.view("unassigned", "newest activity").members
    assert first not in unassigned and second not in unassigned
    assert not drill.inbox.view("mine", "newest activity", agent="").order


def test_inbox_neighbour_walks_the_view(outage):
    _, drill = outage
    view = drill.inbox.view("all", "oldest waiting")
    a, b = view.order[:2]
    assert drill.inbox.neighbour(view, None, 1) == a
    assert drill.inbox.neighbour(view, a, 1) == b
    assert drill.inbox.neighbour(view, b, -1) == a
    assert drill.inbox.neighbour(view, a, -1) is None


def test_inbox_counters_agree_with_counting_every_thread(outage):
    drills, drill = outage
    thread_ids = list(drill.inbox.threads)
    drills.act(drill, Reply(thread_ids[0], "So sorry, we're on it.", agent=drill.agent))
    drills.act(drill, Resolve(thread_ids[1], agent=drill.agent))
    drill.inbox.mark_seen(thread_ids[2])
    sla = drill.scenario.sla_minutes
    for ahead in (0.0, 3.0, 11.0, 40.0):
        now = drill.session.now + ahead
        assert drill.inbox.counters(now, sla) == brute_counters(drill.inbox, now, sla)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["reply", "resolve", "assign", "advance"]),
                          st.integers(0, 30)), max_size=12))
def test_inbox_counters_stay_exact_under_any_actions(steps):
    scenario = resolve_scenario("onboarding-quiet-shift")
    drills = Drills(None, lambda: None)  # type: ignore[arg-type,return-value]
    drill = drills.start(scenario, 3, "Dana", "DR", "practice")
    drills.advance_to(drill, 10)
    for kind, n in steps:
        ids = list(drill.inbox.threads)
        if kind == "advance":
            drills.advance_to(drill, drill.session.now + n / 3)
            continue
        if not ids:
            continue
        thread_id = ids[n % len(ids)]
        try:
            if kind == "reply":
                drills.act(drill, Reply(thread_id, "Sorry, on it now.", agent=drill.agent))
            elif kind == "resolve":
                drills.act(drill, Resolve(thread_id, agent=drill.agent))
            else:
                drills.act(drill, Assign(thread_id, "DR", agent=drill.agent))
        except Exception:  # e.g. resolving twice: refused, nothing changed
            continue
    now = drill.session.now
    assert drill.inbox.counters(now, scenario.sla_minutes) == brute_counters(
        drill.inbox, now, scenario.sla_minutes)


@pytest.mark.parametrize("name", FILTERS)
def test_inbox_every_filter_is_known_to_matches(outage, name):
    _, drill = outage
    for thread in list(drill.inbox.threads.values())[:20]:
        assert matches(thread, name, drill.agent) in (True, False)
