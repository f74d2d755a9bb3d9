"""Cached data the pages draw from: the scenario catalogue and headless simulation runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from engine.records import (
    CustomerFollowedUp,
    MentionAmplified,
    MentionArrived,
    ReputationSampled,
)
from engine.scenario import Scenario, ScenarioError, builtin_paths, load_scenario
from engine.session import TrainingSession


@dataclass(frozen=True)
class Catalogue:
    scenarios: dict[str, Scenario]
    problems: list[str]


@st.cache_resource(show_spinner=False)
def catalogue() -> Catalogue:
    """The built-in scenarios; a broken file is reported, not fatal."""
    scenarios: dict[str, Scenario] = {}
    problems: list[str] = []
    for path in builtin_paths():
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
        else:
            scenarios[scenario.id] = scenario
    return Catalogue(scenarios, problems)


@dataclass(frozen=True)
class Run:
    summary: dict[str, Any]
    reputation: pd.DataFrame
    volume: pd.DataFrame
    mentions: pd.DataFrame


@st.cache_data(show_spinner="Simulating the public...", max_entries=16)
def headless_run(scenario_id: str, seed: int, minutes: float) -> Run:
    """Play a drill with no trainee replies and tabulate what happened."""
    scenario = catalogue().scenarios[scenario_id]
    session = TrainingSession(scenario, seed=seed)
    session.advance_to(minutes)
    events = session.transcript
    reputation = pd.DataFrame(
        [{"minute": e.minute, "reputation": e.reputation, "waiting": e.waiting_threads}
         for e in events if isinstance(e, ReputationSampled)])
    kinds = {MentionArrived: "new mention", CustomerFollowedUp: "follow-up",
             MentionAmplified: "quote/retweet"}
    volume = pd.DataFrame(
        [{"minute": int(e.minute), "kind": kinds[type(e)]}
         for e in events if type(e) in kinds])
    if not volume.empty:
        volume = volume.groupby(["minute", "kind"]).size().reset_index(name="posts")
    mentions = pd.DataFrame(
        [{"minute": e.minute, "author": "@" + e.author.handle, "followers": e.author.followers,
          "persona": e.persona, "intent": e.intent, "priority": e.priority, "text": e.text}
         for e in events if isinstance(e, MentionArrived)])
    return Run(session.summary(), reputation, volume, mentions)
