"""``Editor``: team leads write their own drills. Start blank or from a copy of a built-in (the
built-ins stay read-only), check every change with the engine's own loader and schema, preview
the flood, save drafts with a change note, publish to the team (admins: to everyone), list the
versions, import and export YAML files ``python -m engine validate`` accepts.

Published versions are playable: ``published_scenarios(viewer)`` is what the viewer's catalogue
adds to the built-ins, and ``resolve(scenario_id, content_hash)`` finds the exact version a
drill was played on (its world's scenario hash) for recovery, grading and re-scoring.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from typing import Any, Literal

from engine.scenario import Scenario, ScenarioError
from store import NewVersion, ScenarioVersion, Store, Viewer
from store.scenario_versions import AuditEntry
from stormdesk.catalogue import Catalogue
from stormdesk.editor_preview import DraftPreview, preview_draft
from stormdesk.editor_yaml import (
    DRAFT_NAME,
    Check,
    check_text,
    data_of,
    scenario_from_bytes,
    to_yaml,
)

Scope = Literal["team", "everyone"]
#: Parsed published versions kept per process (a version never changes: keyed by id + hash).
MAX_CACHED = 256

#: The blank drill: the smallest file ``engine validate`` accepts, in words a lead replaces.
BLANK: dict[str, dict[str, Any]] = {
    "en": {
        "id": "my-drill", "title": "My drill", "language": "en", "difficulty": "medium",
        "start_clock": "09:00", "duration_minutes": 60,
        "briefing": "What happens in this drill, and what the trainee should do.",
        "brand": {"name": "My Brand", "handle": "MyBrand", "voice": "friendly",
                  "sign_with_initials": False, "emoji": "sparing",
                  "products": ["our app"], "banned_phrases": [], "macros": []},
        "sla_minutes": {"urgent": 5, "high": 15, "normal": 30, "low": 60},
        "phases": [{"name": "Normal day", "start_minute": 0, "end_minute": 60,
                    "rate_per_minute": 1, "personas": {"neutral": 1, "confused": 1},
                    "intents": {"product_question": 1, "delivery": 1}}],
        "injects": [], "incident": [],
        "scoring_weights": {"speed": 0.25, "empathy": 0.25, "tone": 0.25, "privacy": 0.25},
    },
    "ko": {
        "id": "my-drill-ko", "title": "나의 훈련", "language": "ko", "difficulty": "medium",
        "start_clock": "09:00", "duration_minutes": 60,
        "briefing": "이 훈련에서 일어나는 일과 상담원이 해야 할 일을 적어 주세요.",
        "brand": {"name": "우리 브랜드", "handle": "MyBrand", "voice": "friendly",
                  "sign_with_initials": False, "emoji": "sparing",
                  "products": ["앱"], "banned_phrases": [], "macros": []},
        "sla_minutes": {"urgent": 5, "high": 15, "normal": 30, "low": 60},
        "phases": [{"name": "평소", "start_minute": 0, "end_minute": 60,
                    "rate_per_minute": 1, "personas": {"neutral": 1, "confused": 1},
                    "intents": {"product_question": 1, "delivery": 1}}],
        "injects": [], "incident": [],
        "scoring_weights": {"speed": 0.25, "empathy": 0.25, "tone": 0.25, "privacy": 0.25},
    },
}


class EditorError(ValueError):
    """A draft the editor will not save; ``problems`` has one line per problem (the engine's
    lines for a file that does not validate)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def file_name(scenario_id: str) -> str:
    """The file a drill is saved as (``engine validate`` and the built-ins use the id)."""
    return f"{re.sub(r'[^a-z0-9_-]', '-', scenario_id.lower())[:64] or 'drill'}.yaml"


class Editor:
    """Drafts, versions and previews of drills written by managers and admins."""

    def __init__(self, store: Store, builtins: Callable[[], Catalogue]) -> None:
        self._store = store
        self._builtins = builtins
        self._parsed: dict[tuple[str, str], Scenario] = {}
        self._lock = threading.Lock()

    # --------------------------------------------------------------------------- starting
    def blank(self, language: str = "en") -> str:
        """The YAML of a blank drill in ``language`` (en or ko)."""
        return to_yaml(copy.deepcopy(BLANK["ko" if language == "ko" else "en"]))

    def builtin_ids(self) -> list[str]:
        return self._builtins().ids()

    def export_builtin(self, scenario_id: str) -> str:
        """A built-in drill as the editor writes it (same content, same hash as its file)."""
        data = self._builtin_data(scenario_id)
        return to_yaml(data)

    def copy_builtin(self, scenario_id: str) -> str:
        """A built-in drill as a new draft: the same content under a new id and title."""
        data = self._builtin_data(scenario_id)
        data["id"] = f"{scenario_id}-copy"[:64]
        data["title"] = f"{data.get('title', scenario_id)} (copy)"[:120]
        return to_yaml(data)

    def _builtin_data(self, scenario_id: str) -> dict[str, Any]:
        from engine.scenario import builtin_paths

        if self._builtins().get(scenario_id) is None:
            raise EditorError([f"{scenario_id}: not a built-in drill"])
        for path in builtin_paths():
            data = data_of(path.read_text(encoding="utf-8-sig"), path.name)
            if data is not None and data.get("id") == scenario_id:
                return data
        raise EditorError([f"{scenario_id}: not a built-in drill"])

    # --------------------------------------------------------------------------- checking
    def check(self, text: str, name: str = DRAFT_NAME) -> Check:
        """The engine's verdict on ``text``, and a clash with a built-in id (read-only)."""
        result = check_text(text, name)
        if result.scenario is not None and self._builtins().get(result.scenario.id):
            return Check(text, None, [f"{name}: id: {result.scenario.id!r} is a built-in "
                                      "drill, which is read-only; give your copy another id"])
        return result

    def check_data(self, data: dict[str, Any]) -> Check:
        """A form's data written out as the file it will save, then checked."""
        return self.check(to_yaml(data))

    def import_file(self, data: bytes, name: str = DRAFT_NAME) -> Check:
        """An uploaded file, read exactly as ``engine validate`` reads it."""
        try:
            scenario_from_bytes(data, name)
        except ScenarioError as exc:
            text = data.decode("utf-8", "replace")
            return Check(text, None, list(exc.problems))
        return self.check(data.decode("utf-8-sig"), name)

    def data(self, text: str) -> dict[str, Any] | None:
        """The plain data of a text (for the form), or None when it is not a YAML mapping."""
        return data_of(text)

    def yaml(self, data: dict[str, Any]) -> str:
        return to_yaml(data)

    # ---------------------------------------------------------------------- drafting help
    def can_draft(self) -> bool:
        """Whether an LLM endpoint is configured ("draft from a description")."""
        from stormdesk.editor_draft import can_draft

        return can_draft()

    def draft_from_description(self, description: str, language: str = "en") -> Check | None:
        """A draft built from the LLM's outline of ``description``, checked like anything
        typed (it may have problems to fix); None without an endpoint or when the call fails."""
        from stormdesk.editor_draft import draft

        found = draft(description, language, copy.deepcopy(BLANK["ko" if language == "ko"
                                                                  else "en"]))
        return None if found is None else self.check(found.text)

    # ---------------------------------------------------------------------------- preview
    def preview(self, text: str, seed: int, minutes: float | None = None) -> DraftPreview:
        """A headless run of a valid draft (``EditorError`` with the problems otherwise)."""
        result = check_text(text)
        if result.scenario is None:
            raise EditorError(result.problems)
        return preview_draft(result.scenario, seed, minutes)

    # ---------------------------------------------------------------------- saving, sharing
    def save_draft(self, viewer: Viewer, text: str, note: str = "") -> ScenarioVersion:
        """Save a valid draft exactly as written (audited); invalid text is never saved."""
        result = self.check(text)
        if result.scenario is None:
            raise EditorError(result.problems)
        scenario = result.scenario
        return self._store.save_scenario_draft(viewer, NewVersion(
            scenario.id, scenario.content_hash, text, scenario.title, scenario.language, note))

    def publish(self, viewer: Viewer, version_id: int, scope: Scope = "team",
                note: str = "") -> ScenarioVersion:
        return self._store.publish_scenario(viewer, version_id, scope, note)

    def versions(self, viewer: Viewer, scenario_id: str | None = None) -> list[ScenarioVersion]:
        return self._store.scenario_versions(viewer, scenario_id=scenario_id)

    def version(self, viewer: Viewer, version_id: int) -> ScenarioVersion:
        return self._store.scenario_version(viewer, version_id)

    def audit(self, viewer: Viewer) -> list[AuditEntry]:
        return self._store.scenario_audit(viewer)

    def export(self, viewer: Viewer, version_id: int) -> tuple[str, bytes]:
        """A stored version as a file: its name and its bytes, exactly as saved."""
        found = self._store.scenario_version(viewer, version_id)
        return file_name(found.scenario_id), found.yaml_text.encode("utf-8")

    # ------------------------------------------------------------------- playing versions
    def published_scenarios(self, viewer: Viewer | None = None) -> list[Scenario]:
        """The newest published version of each drill the viewer may play (no viewer: those
        published to everyone). A version whose text no longer validates (an engine change
        since) is left out, as a broken file is left out of the built-ins."""
        found = (self._store.published_to_everyone() if viewer is None
                 else self._store.published_scenarios(viewer))
        out = []
        for version in found:
            scenario = self._parse(version.scenario_id, version.content_hash, version.yaml_text)
            if scenario is not None and self._builtins().get(scenario.id) is None:
                out.append(scenario)
        return out

    def newest(self, scenario_id: str) -> Scenario | None:
        """Privileged: the newest published version of a drill id (a stored drill's review
        when its exact version is unknown); None for unknown ids."""
        text = self._store.published_scenario_text(scenario_id)
        if text is None:
            return None
        result = check_text(text, file_name(scenario_id))
        return result.scenario if result.scenario is not None and \
            result.scenario.id == scenario_id else None

    def resolve(self, scenario_id: str, content_hash: str) -> Scenario | None:
        """The published version a drill was played on (by id and content hash), or None."""
        with self._lock:
            cached = self._parsed.get((scenario_id, content_hash))
        if cached is not None:
            return cached
        text = self._store.published_scenario_text(scenario_id, content_hash)
        return None if text is None else self._parse(scenario_id, content_hash, text)

    def _parse(self, scenario_id: str, content_hash: str, text: str) -> Scenario | None:
        key = (scenario_id, content_hash)
        with self._lock:
            if key in self._parsed:
                return self._parsed[key]
        result = check_text(text, file_name(scenario_id))
        scenario = result.scenario
        if scenario is None or scenario.id != scenario_id:
            return None
        with self._lock:
            if len(self._parsed) >= MAX_CACHED:
                self._parsed.pop(next(iter(self._parsed)))
            self._parsed[key] = scenario
        return scenario
