"""Two app processes on one PostgreSQL database, a trainee on each: both see the same room,
their actions interleave in one order, NOTIFY wakes the other process, and killing one process
loses nothing the other has acknowledged (a restarted process replays to the same world)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from store import RosterPick, Store
from store.passwords import FAST_TEST_HASHER
from stormdesk.catalogue import load_catalogue
from stormdesk.grading import Grader, no_judge
from stormdesk.rooms import Rooms
from tests.store.conftest import pg_base_url

from .conftest import PASSWORD, _pg_schema

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(pg_base_url() is None,
                                reason="set STORMDESK_TEST_DATABASE_URL for PostgreSQL")


class Worker:
    """``tests/room/room_worker.py`` in its own process."""

    def __init__(self, url: URL) -> None:
        env = {**os.environ,
               "STORMDESK_DATABASE_URL": url.render_as_string(hide_password=False)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.room.room_worker"], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, **command: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert "error" not in answer, answer["error"]
        return answer

    def kill(self) -> None:
        self.process.kill()  # no goodbye
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture
def pg_url() -> Iterator[URL]:
    yield from _pg_schema()


def test_room_two_processes_one_postgresql_same_room_nothing_lost(pg_url: URL) -> None:
    store = Store.open(pg_url, hasher=FAST_TEST_HASHER)
    catalogue = load_catalogue()
    lead_rooms = Rooms(store, lambda: catalogue, Grader(no_judge))
    workers: list[Worker] = []
    try:
        team = store.create_team("north").id
        lead = store.create_user("lee", PASSWORD, "manager", team, "Lee Lead")
        dana = store.create_user("dana", PASSWORD, "trainee", team, "Dana Reyes")
        sam = store.create_user("sam", PASSWORD, "trainee", team, "Sam Okafor")
        scenario = catalogue.get("telecom-outage")
        assert scenario is not None
        room = lead_rooms.open(lead.viewer, scenario, 7,
                               [RosterPick(dana.id), RosterPick(sam.id)], speed=60.0)
        one, two = Worker(pg_url), Worker(pg_url)
        workers += [one, two]
        assert one.ask(op="join", user="dana", room=room.id)["agent"] == "DR"
        assert two.ask(op="join", user="sam", room=room.id)["agent"] == "SO"
        lead_rooms.set_clock(lead.viewer, room.id, paused=False)
        one.ask(op="wait", seq=0, timeout=10)
        two.ask(op="wait", seq=0, timeout=10)
        time.sleep(6)  # six simulated minutes: a few customers to answer
        acked: list[tuple[str, int]] = []
        for n in range(4):
            for name, worker in (("DR", one), ("SO", two)):
                got = worker.ask(op="act", n=n, text=f"On it, {name} #{n}")
                acked.append((name, got["seq"]))
                # The other process hears of it through NOTIFY: well before its 5 s poll.
                other = two if worker is one else one
                heard = other.ask(op="wait", seq=got["seq"], timeout=10)
                assert heard["applied"] >= got["seq"] and heard["seconds"] < 2.0, heard
        assert one.ask(op="wait", seq=acked[-1][1])["heard"]
        _, log = store.room_log(lead.viewer, room.id)
        actions = [(e.agent, e.seq) for e in log if e.kind == "action"]
        assert actions == acked  # one order, the order each process was acknowledged in

        minute = log[-1].minute + 1
        same = one.ask(op="hash", minute=minute)
        assert same["reached"] and same["rebuilds"] == 0
        assert same == two.ask(op="hash", minute=minute)

        # Dana's process dies right after an acknowledged action; nothing is lost.
        last = one.ask(op="act", n=0, text="Acknowledged, then the server died")["seq"]
        one.kill()
        assert two.ask(op="wait", seq=last, timeout=10)["applied"] == last
        _, log = store.room_log(lead.viewer, room.id)
        assert log[-1].seq == last and log[-1].agent == "DR"
        again = Worker(pg_url)
        workers.append(again)
        again.ask(op="join", user="dana", room=room.id)  # a new process replays the log
        minute = log[-1].minute + 1
        replayed = again.ask(op="hash", minute=minute)
        assert replayed["reached"]
        assert replayed["sha"] == two.ask(op="hash", minute=minute)["sha"]
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.stop()
        lead_rooms.close()
        store.close()
