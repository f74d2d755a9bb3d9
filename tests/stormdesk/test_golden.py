"""Golden drills: scripted action files played headless, scorecards pinned per language.

A change to the engine, the banks or the scorer that moves a pinned figure fails here; when
the change is intended, regenerate on purpose and review the diff:

    STORMDESK_UPDATE_GOLDEN=1 python -m pytest tests/stormdesk/test_golden.py

(with the flag, missing action files are also written from the decent scripted trainee).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from engine.scenario import resolve_scenario
from stormdesk.bots import Decent
from stormdesk.drill import Mode
from stormdesk.player import PlayResult, play, read_actions

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("STORMDESK_UPDATE_GOLDEN") == "1"
#: name -> (scenario, seed, mode, minute the scripted trainee stops acting, end_at)
CASES: dict[str, tuple[str, int, Mode, float, float | None]] = {
    "en-outage-assessment": ("telecom-outage", 7, "assessment", 60.0, 60.0),
    "en-billing-practice": ("billing-double-charge", 3, "practice", 40.0, 40.0),
    "ko-bakery-assessment": ("ko-bakery-delivery-delay", 5, "assessment", 50.0, None),
    "ko-payment-practice": ("ko-payment-app-outage", 9, "practice", 30.0, 30.0),
}


def digest(result: PlayResult) -> dict[str, Any]:
    """What is pinned: the headline figures, findings per kind and the transcript's hash."""
    card = result.scorecard
    data = card.to_dict()
    findings = Counter(f"{d.name}/{f.kind}" for d in card.dimensions for f in d.findings)
    blob = "".join(e.to_json() + "\n" for e in result.transcript).encode()
    return {
        "overall": card.overall,
        "dimensions": {d.name: d.score for d in card.dimensions},
        "minutes_played": data.get("minutes_played"),
        "complete": data.get("complete"),
        "coverage": data.get("coverage"),
        "findings": dict(sorted(findings.items())),
        "events": len(result.transcript),
        "transcript_sha256": hashlib.sha256(blob).hexdigest(),
    }


def _write_actions(path: Path, scenario_id: str, seed: int, mode: Mode, until: float) -> None:
    """The decent trainee's actions up to ``until``, as an actions file."""
    scenario = resolve_scenario(scenario_id)
    result = play(scenario, seed, end_at=until, mode="practice", policy=Decent())
    lines = [json.dumps({"minute": round(e.minute, 3), **_action_of(e)}, ensure_ascii=False)
             for e in result.transcript if _action_of(e)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _action_of(event: Any) -> dict[str, Any]:
    kind = event.type
    if kind == "ReplySent":
        if event.moves_to_dm and event.channel == "public":
            return {"kind": "move_to_dm", "thread_id": event.thread_id, "text": event.text,
                    "agent": event.agent}
        return {"kind": "reply", "thread_id": event.thread_id, "text": event.text,
                "channel": event.channel, "agent": event.agent}
    if kind == "StatusPosted":
        return {"kind": "post_status", "text": event.text, "agent": event.agent}
    if kind == "MentionLiked":
        return {"kind": "like", "mention_id": event.mention_id, "agent": event.agent}
    if kind == "ThreadResolved":
        return {"kind": "resolve", "thread_id": event.thread_id, "agent": event.agent}
    return {}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_drill_scorecard_is_pinned(name: str) -> None:
    scenario_id, seed, mode, until, end_at = CASES[name]
    actions_path = GOLDEN / f"{name}.actions.jsonl"
    expected_path = GOLDEN / f"{name}.expected.json"
    if UPDATE and not actions_path.exists():
        _write_actions(actions_path, scenario_id, seed, mode, until)
    assert actions_path.exists(), f"missing {actions_path.name}: run with " \
                                  "STORMDESK_UPDATE_GOLDEN=1 to create it"
    result = play(resolve_scenario(scenario_id), seed, read_actions(actions_path),
                  end_at=end_at, mode=mode, name=actions_path.name)
    got = digest(result)
    if UPDATE:
        expected_path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
        return
    assert expected_path.exists(), f"missing {expected_path.name}: run with " \
                                   "STORMDESK_UPDATE_GOLDEN=1 to pin it"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert got == expected, f"{name} moved: if intended, regenerate (see module docstring)"


def test_golden_digest_changes_when_a_reply_changes() -> None:
    """The pin can fail: one different word in one reply changes the digest."""
    from engine.records import MentionArrived, Reply
    from stormdesk.player import ScriptedAction

    scenario = resolve_scenario("onboarding-quiet-shift")
    probe = play(scenario, 1, end_at=30, mode="practice")
    first = next(e for e in probe.transcript if isinstance(e, MentionArrived))
    a = play(scenario, 1, [ScriptedAction(1, first.minute, Reply(first.thread_id, "Sorry!"))],
             end_at=30, mode="practice")
    b = play(scenario, 1, [ScriptedAction(1, first.minute, Reply(first.thread_id, "Sorry!!"))],
             end_at=30, mode="practice")
    assert digest(a) != digest(b)
