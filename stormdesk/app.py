"""``StormDesk``: the application, one per server process. The UI holds one (cached) and only
talks to its services; tests, the headless player and benchmarks build their own."""

from __future__ import annotations

from functools import cache
from typing import Any

from store.records import Viewer
from store.repository import Store
from stormdesk.accounts import Accounts
from stormdesk.catalogue import Catalogue, load_catalogue
from stormdesk.drills import Drills
from stormdesk.editor import Editor
from stormdesk.grading import Grader, JudgeFactory, StoreGrader, env_judge
from stormdesk.reviews import Reviews


@cache
def builtin_catalogue() -> Catalogue:
    """The shipped scenarios, loaded once per process."""
    return load_catalogue()


class StormDesk:
    """The services the UI renders: accounts, drills, reviews and the editor over one store."""

    def __init__(self, store: Store, catalogue: Catalogue | None = None,
                 judge_factory: JudgeFactory = env_judge, grader: Grader | None = None) -> None:
        self.store = store
        self._catalogue = catalogue
        self.grader = grader or Grader(judge_factory)
        self.accounts = Accounts(store)
        self.editor = Editor(store, self.builtins)
        self.drills = Drills(store, self.catalogue, self.grader, versions=self.editor.resolve)
        self.reviews = Reviews(store, self.catalogue, self.grader, versions=self.editor.resolve)

    def builtins(self) -> Catalogue:
        """The shipped drills (or the catalogue this app was built with)."""
        return self._catalogue if self._catalogue is not None else builtin_catalogue()

    def catalogue(self, viewer: Viewer | None = None) -> Catalogue:
        """The drills ``viewer`` may start: the built-ins and the newest published version of
        each drill written in the editor that the viewer may play (their team's and those
        published to everyone; without a viewer, those published to everyone). A drill id not
        listed is still found by ``get`` (its newest published version) for resume and review."""
        published = self.editor.published_scenarios(viewer)
        return self.builtins().with_scenarios(published, lookup=self.editor.newest)

    def scorer_version(self) -> str:
        """The scorer this app grades with (a re-score is offered for older scorecards)."""
        from scoring import SCORER_VERSION

        return SCORER_VERSION

    def store_grader(self) -> StoreGrader:
        """The grader the store calls to recompute what it is asked to keep."""
        return StoreGrader(self.builtins().get, self.grader, versions=self.editor.resolve)

    @classmethod
    def open(cls, url: str | None = None, catalogue: Catalogue | None = None,
             judge_factory: JudgeFactory = env_judge, **store_options: Any) -> StormDesk:
        """The app on ``url`` (else ``$STORMDESK_DATABASE_URL``, else SQLite under data/).

        The store gets this app's grader: it recomputes every scorecard it keeps from the
        actions it holds (``store_options`` go to ``Store.open``, e.g. a test hasher)."""
        if judge_factory is env_judge:
            # A bad LLM setting (-1, nan, a broken URL) is a clear error at start-up, not a
            # surprise at the first End drill.
            from llm import settings_from_env

            settings_from_env()
        grader = Grader(judge_factory)
        cat = catalogue

        editors: list[Editor] = []  # the app's editor, once the app exists

        def scenarios(scenario_id: str) -> Any:
            return (cat if cat is not None else builtin_catalogue()).get(scenario_id)

        def versions(scenario_id: str, content_hash: str) -> Any:
            return editors[0].resolve(scenario_id, content_hash) if editors else None

        store = Store.open(url, grader=StoreGrader(scenarios, grader, versions=versions),
                           **store_options)
        app = cls(store, catalogue, judge_factory, grader=grader)
        editors.append(app.editor)
        return app
