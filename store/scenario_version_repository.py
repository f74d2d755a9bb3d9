"""``Store``'s scenario-version methods (a mixin of ``Store``): drafts and published versions
of drills written in the editor, the catalogue's reads, and the audit (``store.scenario_versions``
holds the rules)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from store import scenario_versions
from store.records import Viewer
from store.scenario_versions import (
    AuditEntry,
    NewVersion,
    ScenarioVersion,
    VersionScope,
    VersionStatus,
)
from store.transactions import Transactions


class ScenarioVersionMethods(Transactions):
    """The scenario-version half of ``Store`` (``Store.__init__`` sets the clock)."""

    _clock: Callable[[], datetime]

    def save_scenario_draft(self, viewer: Viewer, spec: NewVersion) -> ScenarioVersion:
        """A new draft (managers for their team, admins), audited; versions are never changed
        once written."""
        with self._write() as s:
            return scenario_versions.save_draft(s, viewer, spec, self._clock())

    def publish_scenario(self, viewer: Viewer, version_id: int, scope: VersionScope = "team",
                         note: str = "") -> ScenarioVersion:
        """Publish a draft to its team (or, admins only, to everyone), audited."""
        with self._write() as s:
            return scenario_versions.publish(s, viewer, version_id, scope, note, self._clock())

    def scenario_versions(self, viewer: Viewer, *, scenario_id: str | None = None,
                          status: VersionStatus | None = None) -> list[ScenarioVersion]:
        """Versions the viewer may read, newest first (trainees: published ones only)."""
        with self._read() as s:
            return scenario_versions.versions(s, viewer, scenario_id, status)

    def scenario_version(self, viewer: Viewer, version_id: int) -> ScenarioVersion:
        with self._read() as s:
            return scenario_versions.version(s, viewer, version_id)

    def published_scenarios(self, viewer: Viewer) -> list[ScenarioVersion]:
        """The newest published version of each drill id the viewer may play."""
        with self._read() as s:
            return scenario_versions.published_latest(s, viewer)

    def published_to_everyone(self) -> list[ScenarioVersion]:
        """The newest version of each drill published to everyone (no viewer needed: any
        signed-in user may play them)."""
        with self._read() as s:
            return scenario_versions.published_to_everyone(s)

    def published_scenario_text(self, scenario_id: str,
                                content_hash: str | None = None) -> str | None:
        """Privileged (the application's grader and recovery): a published version's YAML by
        drill id and content hash (without a hash: the newest published)."""
        with self._read() as s:
            return scenario_versions.published_text(s, scenario_id, content_hash)

    def scenario_audit(self, viewer: Viewer, *, scenario_id: str | None = None
                       ) -> list[AuditEntry]:
        """Every save and publish the viewer may see (admins all, managers their team's)."""
        with self._read() as s:
            return scenario_versions.audit(s, viewer, scenario_id)
