"""Personal data a scenario author typed out in an inject is recorded as exposed, like data a
slot filled (issue 13: scripted injects' personal data missed ``exposed``)."""

from __future__ import annotations

import pytest

from engine.exposure import written_out
from engine.records import MentionArrived, PersonalData
from engine.scenario import builtin_scenarios
from engine.session import TrainingSession


@pytest.mark.parametrize(("text", "expected"), [
    ("card ending 4417, member no. LF-0092834, email a.b@mail.com.",
     [("email", "a.b@mail.com"), ("card_number", "4417"), ("account_number", "LF-0092834")]),
    ("it came out of account 40-22-18 31926654", [("account_number", "40-22-18 31926654")]),
    ("본인 확인 필요하면 920314-2481731, 연락처 010-9375-2140 입니다",
     [("rrn", "920314-2481731"), ("phone", "010-9375-2140")]),
    ("my password is Sunflower22! can you reset it", [("password", "Sunflower22")]),
    ("my account is BW-4471229018, just reset it", [("account_number", "BW-4471229018")]),
    ("batch 2312, serial HF500-88213-Q, no signal since 8:45", []),
    ("£40 a month for 3 days of nothing", []),
])
def test_written_out_finds_typed_personal_data(text: str, expected: list[tuple[str, str]]
                                               ) -> None:
    assert sorted((d.kind, d.value) for d in written_out(text)) == sorted(expected)


def test_written_out_skips_values_slots_already_recorded() -> None:
    known = (PersonalData("email", "a@b.co"),)
    assert written_out("mail me at a@b.co", known) == ()


def test_every_shipped_inject_with_typed_personal_data_records_it() -> None:
    for scenario in builtin_scenarios().values():
        session = TrainingSession(scenario, seed=1)
        session.advance_to(scenario.duration_minutes)
        for event in session.transcript:
            if isinstance(event, MentionArrived) and event.source == "inject":
                assert all(d.value in event.text for d in event.exposed)
                missed = written_out(event.text, event.exposed)
                assert missed == (), (scenario.id, missed, event.text)
    lumen = builtin_scenarios()["billing-double-charge"]
    session = TrainingSession(lumen, seed=1)
    session.advance_to(15)
    marcus = next(e for e in session.transcript if isinstance(e, MentionArrived)
                  and e.author.handle == "marcusbell_runs")
    assert {("card_number", "4417"), ("account_number", "LF-0092834")} <= {
        (d.kind, d.value) for d in marcus.exposed}
