"""Figures for docs/security.md: every fake-server mode under the default LLM policy, one call
and one whole drill scored with the judge.

    .venv/bin/python -m tests.llm.measure_modes [--replies 20] [--timeout 5]

Prints, per mode: the time one call took and its label, then the time ``score_session`` took for
a drill of ``--replies`` replies (3 judged dimensions each) next to the offline time, and how
many verdicts fell back.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, Literal

from pydantic import BaseModel

from llm import LlmClient, LlmSettings, reset_breakers
from scoring.judge import LlmJudge
from scoring.scorecard import score_session
from tests.fakes.openai_server import MODES, FakeOpenAI
from tests.scoring.builders import Drill

VERDICTS: dict[str, dict[str, Any]] = {
    "privacy": {"kinds": [], "moves_to_dm": False, "explanation": "fine"},
    "empathy": {"level": 2, "score": 88, "explanation": "good"},
    "tone": {"on_brand": True, "score": 90, "issues": []},
}


class Ok(BaseModel):
    level: Literal[0, 1, 2]


def answer(request: dict[str, Any]) -> str:
    try:
        dimension = json.loads(request["messages"][-1]["content"])["dimension"]
    except (KeyError, ValueError, TypeError):
        return json.dumps({"level": 2})
    return json.dumps(VERDICTS[dimension])


def drill(replies: int) -> Drill:
    d = Drill()
    for i in range(replies):
        d.mention(f"t{i}", i, intent="delivery")
        d.reply(f"t{i}", i + 1, f"Sorry about parcel #{i}! DM us your order number?")
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    server = FakeOpenAI().start()
    server.answer = answer
    d = drill(args.replies)
    score_session(d.events, d.scenario)  # warm-up: lexicons and detectors load once
    started = time.monotonic()
    score_session(d.events, d.scenario)
    offline_s = time.monotonic() - started
    print(f"default policy, deadline {args.timeout:g}s; offline scoring of {args.replies} "
          f"replies: {offline_s:.2f}s")
    print(f"{'mode':<13} {'one call':>9}  label")
    rows = []
    for mode in MODES:
        reset_breakers()
        client = LlmClient(LlmSettings(server.base_url(mode), "m", timeout_s=args.timeout))
        client.openai()  # the openai import and client construction happen once per drill
        t0 = time.monotonic()
        result = client.ask("system", '{"dimension": "empathy"}', Ok)
        one = time.monotonic() - t0
        print(f"{mode:<13} {one:>8.2f}s  {result.source}")
        reset_breakers()
        judge = LlmJudge(LlmSettings(server.base_url(mode), "m", timeout_s=args.timeout))
        t0 = time.monotonic()
        score_session(d.events, d.scenario, judge=judge)
        rows.append((mode, time.monotonic() - t0, len(judge.fallbacks), judge.answered))
    print(f"\n{'mode':<13} {'drill':>7} {'extra':>7}  verdicts (llm / fell back)")
    for mode, seconds, fell, answered in rows:
        print(f"{mode:<13} {seconds:>6.2f}s {seconds - offline_s:>+6.2f}s  "
              f"{answered} / {fell}")
    server.stop()


if __name__ == "__main__":
    main()
