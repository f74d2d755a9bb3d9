"""The editor's preview of a draft: one headless run with nobody answering (``stormdesk.preview``)
laid out for a team lead: volume by minute, the persona and intent mix, ten sample mentions per
phase, follow-ups and spread, and the reputation curve."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.scenario import Scenario
from stormdesk.preview import Preview, preview

#: Sample mentions shown per phase (spread over the phase, not its first minutes).
SAMPLES_PER_PHASE = 10
#: The group of mentions posted when no phase is running (scripted injects in a gap).
OUTSIDE_PHASES = ""


@dataclass(frozen=True)
class PhaseSample:
    """A phase's name and window, how many new mentions it brought, and up to ten of them."""

    name: str
    start_minute: float
    end_minute: float
    mentions: int
    samples: list[dict[str, Any]]


@dataclass(frozen=True)
class DraftPreview:
    """Everything the editor's preview tab draws, and how long the run took."""

    seed: int
    minutes: float
    run: Preview
    personas: dict[str, int]
    intents: dict[str, int]
    phases: list[PhaseSample]
    follow_ups: int
    spread: int
    new_mentions: int
    seconds: float

    @property
    def reputation_end(self) -> float | None:
        return self.run.reputation[-1]["reputation"] if self.run.reputation else None


def _spread_pick(items: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` items evenly spaced over ``items`` (all of them when there are fewer)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def preview_draft(scenario: Scenario, seed: int, minutes: float | None = None) -> DraftPreview:
    """Play ``scenario`` with ``seed`` (for ``minutes``, default all of it), nobody answering."""
    started = time.perf_counter()
    run = preview(scenario, seed, minutes)
    by_phase: dict[int, list[dict[str, Any]]] = {}
    outside: list[dict[str, Any]] = []
    for mention in run.mentions:
        phase = next((i for i, p in enumerate(scenario.phases)
                      if p.start_minute <= mention["minute"] < p.end_minute), None)
        (outside if phase is None else by_phase.setdefault(phase, [])).append(mention)
    phases = [PhaseSample(p.name, p.start_minute, p.end_minute, len(by_phase.get(i, [])),
                          _spread_pick(by_phase.get(i, []), SAMPLES_PER_PHASE))
              for i, p in enumerate(scenario.phases)]
    if outside:
        phases.append(PhaseSample(OUTSIDE_PHASES, 0, scenario.duration_minutes, len(outside),
                                  _spread_pick(outside, SAMPLES_PER_PHASE)))
    kinds: Counter[str] = Counter()
    for row in run.volume:
        kinds[row["kind"]] += row["posts"]
    return DraftPreview(
        seed=seed, minutes=float(minutes or scenario.duration_minutes), run=run,
        personas=dict(Counter(m["persona"] for m in run.mentions).most_common()),
        intents=dict(Counter(m["intent"] for m in run.mentions).most_common()),
        phases=phases, follow_ups=kinds["follow-up"], spread=kinds["quote/retweet"],
        new_mentions=len(run.mentions), seconds=time.perf_counter() - started)
