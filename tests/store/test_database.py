"""Engine helpers: URL resolution, the default SQLite file, the write gate, password rehash."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from store import Store, database
from store.database import DEFAULT_SQLITE_PATH, URL_ENV, FairGate, resolve_url
from store.passwords import FAST_TEST_HASHER


def test_resolve_url_default_is_the_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    url = resolve_url()
    assert url.drivername == "sqlite" and url.database == str(DEFAULT_SQLITE_PATH)


@pytest.mark.parametrize("raw", ["postgres://u@h/db", "postgresql://u@h/db",
                                 "postgresql+psycopg://u@h/db"])
def test_resolve_url_postgres_means_psycopg3(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(URL_ENV, raw)
    assert resolve_url().drivername == "postgresql+psycopg"


def test_fair_gate_admits_waiters_in_arrival_order() -> None:
    gate = FairGate(1)
    order: list[int] = []
    gate.acquire()
    threads = []

    def enter(i: int) -> None:
        with gate:
            order.append(i)

    for i in range(5):
        thread = threading.Thread(target=enter, args=(i,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # let thread i queue before thread i + 1
    gate.release()
    for thread in threads:
        thread.join(timeout=5)
    assert order == [0, 1, 2, 3, 4]


def test_fair_gate_slots_bound_concurrency() -> None:
    gate = FairGate(3)
    inside, peak, lock = [0], [0], threading.Lock()

    def work() -> None:
        with gate:
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.005)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert peak[0] == 3


def test_open_without_url_creates_data_folder_with_wal_and_foreign_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data" / "stormdesk.db"
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr(database, "DEFAULT_SQLITE_PATH", path)
    store = Store.open(hasher=FAST_TEST_HASHER)
    try:
        assert path.exists()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_login_rehashes_when_argon2_parameters_change(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rehash.db'}"
    old = Store.open(url, hasher=FAST_TEST_HASHER)
    old.create_user("dana", "long enough password", "trainee")
    old.close()
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    new = Store.open(url, hasher=stronger)
    try:
        new.authenticate("dana", "long enough password", datetime.now(UTC))
        with new.engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
        assert "m=2048,t=2,p=1" in stored
        again = new.authenticate("dana", "long enough password", datetime.now(UTC))
        assert again.username == "dana"
    finally:
        new.close()
