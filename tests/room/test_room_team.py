"""A whole room played by scripted trainees on two servers: the team scorecard, every seat's
card in its own history, the timeline, and the same world everywhere whatever the interleaving
(a property over random schedules)."""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.records import Reply, ReplySent
from stormdesk.catalogue import Catalogue, load_catalogue
from stormdesk.room_bots import SeatBot
from stormdesk.room_world import replay_room

from .conftest import SCENARIO, Team, WallClock, make_team, open_room


def test_room_played_by_three_bots_team_and_seat_scorecards(team: Team, wall: WallClock,
                                                            catalogue: Catalogue) -> None:
    room = open_room(team, catalogue, duties=("status", "", ""))
    one, two = team.server(0), team.server(1)
    seats = [one.join(team.dana.viewer, room.id), two.join(team.sam.viewer, room.id),
             two.join(team.kim.viewer, room.id)]
    servers = [one, two, two]
    bots = [SeatBot(rooms, seat, i, 3, posts_statuses=(i == 0))
            for i, (rooms, seat) in enumerate(zip(servers, seats, strict=True))]
    one.set_clock(team.lead.viewer, room.id, paused=False)
    for _ in range(20):
        wall.advance(2)
        for rooms, seat, bot in zip(servers, seats, bots, strict=True):
            rooms.tick(seat)
            bot.play()
    assert all(bot.sent > 0 for bot in bots)
    result = one.end(team.lead.viewer, room.id)
    section = result.card["team"]
    assert set(section["seats"]) == {"DR", "SO", "KJ"}
    assert section["agents"]["DR"]["statuses"] >= 1
    assert "SO" not in section["agents"] or not section["agents"]["SO"].get("statuses")
    assert section["collisions"] == 0  # the bots split the queue as a team would
    report = one.report(team.lead.viewer, room.id)
    assert report is not None and report.card.overall == result.overall
    kinds = {line.kind for line in report.timeline}
    assert {"clock", "reply"} <= kinds
    assert [line.seq for line in report.timeline] == list(range(len(report.timeline)))
    transcript = one.store.room_transcript(team.lead.viewer, room.id)
    assert transcript is not None
    replies = sum(isinstance(e, ReplySent) for e in transcript.events())
    answered = sum(report.seat(a).get("answered", 0) for a in ("DR", "SO", "KJ"))
    assert replies >= answered > 0
    for user, seat in zip((team.dana, team.sam, team.kim), seats, strict=True):
        (summary,) = team.store.drills_for(user.viewer, trainee_id=user.id)
        assert summary.drill.id == seat.member.drill_id and summary.drill.room_id == room.id
        assert summary.overall == report.seat(seat.agent)["overall"]
    assert report.room.id in {s.room.id for s in one.peers(team.lead.viewer, report.room)}


@functools.cache
def _catalogue() -> Catalogue:
    return load_catalogue()


schedules = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 4), st.floats(0.5, 4.0)),
                     min_size=2, max_size=8)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(schedule=schedules)
def test_room_any_interleaving_same_world_on_both_servers(tmp_path_factory: object,
                                                          schedule: list[tuple[int, int, float]]
                                                          ) -> None:
    """Whatever order two servers' trainees act in (and however the wall clock moves between
    them), both copies and a fresh replay of the log hold the same transcript."""
    from sqlalchemy.engine import URL

    base = tmp_path_factory.mktemp("interleave")  # type: ignore[attr-defined]
    catalogue = _catalogue()
    wall = WallClock()
    for team in make_team(URL.create("sqlite", database=str(base / "r.db")), wall, catalogue):
        room = open_room(team, catalogue)
        servers = [team.server(0), team.server(1)]
        seats = [servers[0].join(team.dana.viewer, room.id),
                 servers[1].join(team.sam.viewer, room.id)]
        servers[0].set_clock(team.lead.viewer, room.id, paused=False)
        wall.advance(8)
        for who, pick, wait in schedule:
            wall.advance(wait)
            rooms, seat = servers[who], seats[who]
            rooms.tick(seat)
            rows = rooms.desk(seat, "all", "oldest waiting", limit=5).rows
            if rows:
                try:
                    rooms.act(seat, Reply(rows[min(pick, len(rows) - 1)].thread_id,
                                          seat.drill.sign(f"On it ({who}, {pick})")),
                              confirm=True)
                except Exception as exc:  # a refusal is fine; a divergence is not
                    assert "not applied" in str(exc) or "resolved" in str(exc), exc
        _, log = team.store.room_log(team.lead.viewer, room.id)
        copies = [s.copy_of(seat.viewer, room.id) for s, seat in zip(servers, seats,
                                                                     strict=True)]
        for rooms, copy, seat in zip(servers, copies, seats, strict=True):
            rooms.sync(copy, seat.viewer, force=True)
        minute = max([log[-1].minute + 1] + [c.session.now for c in copies])
        for copy in copies:
            copy.session.advance_to(minute)
        scenario = catalogue.get(SCENARIO)
        assert scenario is not None
        fresh, _ = replay_room(scenario, room.seed, log, minute)
        texts = [[e.to_json() for e in c.session.transcript] for c in copies]
        assert texts[0] == texts[1] == [e.to_json() for e in fresh.transcript]
