"""``StormDesk``: the application, one per server process. The UI holds one (cached) and only
talks to its services; tests, the headless player and benchmarks build their own."""

from __future__ import annotations

from store.repository import Store
from stormdesk.accounts import Accounts


class StormDesk:
    """The services the UI renders: accounts (more join as the drill lifecycle moves here)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.accounts = Accounts(store)

    @classmethod
    def open(cls, url: str | None = None) -> StormDesk:
        """The app on ``url`` (else ``$STORMDESK_DATABASE_URL``, else SQLite under data/)."""
        return cls(Store.open(url))
