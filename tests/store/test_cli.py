"""``python -m store``: bootstrap commands, their messages and exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from store.cli import EXIT_DATABASE, EXIT_OK, EXIT_REFUSED, CliError, main, read_password
from store.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nested' / 'cli.db'}"


def run(url: str, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["--url", url, *args])


def test_upgrade_creates_database_and_folder(url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(url, "upgrade", monkeypatch=monkeypatch) == EXIT_OK
    assert (tmp_path / "nested" / "cli.db").exists()
    head = head_revision()
    assert f"schema at revision {head} (head {head})" in capsys.readouterr().out


def test_create_admin_then_duplicate_refused(url: str, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    args = ("create-admin", "--username", "Root", "--password-stdin")
    assert run(url, *args, stdin="s3cret-enough\n", monkeypatch=monkeypatch) == EXIT_OK
    assert "created admin 'root'" in capsys.readouterr().out
    assert run(url, *args, stdin="s3cret-enough\n", monkeypatch=monkeypatch) == EXIT_REFUSED
    assert "taken" in capsys.readouterr().err


def test_create_user_needs_an_existing_team(url: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    args = ("create-user", "--username", "dana", "--role", "manager", "--team", "Support",
            "--password-stdin")
    assert run(url, *args, stdin="s3cret-enough\n", monkeypatch=monkeypatch) == EXIT_REFUSED
    assert "create-team" in capsys.readouterr().err
    assert run(url, "create-team", "Support", monkeypatch=monkeypatch) == EXIT_OK
    assert run(url, *args, stdin="s3cret-enough\n", monkeypatch=monkeypatch) == EXIT_OK
    assert "created manager 'dana' (id 1) in team 'Support'" in capsys.readouterr().out


@pytest.mark.parametrize(("stdin", "flag", "message"), [
    ("short\n", "--password-stdin", "at least 8 characters"),
    ("", "--password-stdin", "stdin was empty"),
    ("s3cret-enough\n", None, "no terminal"),  # no flag and no terminal to prompt on
])
def test_create_user_password_problems_refused(url: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], stdin: str,
                                               flag: str | None, message: str) -> None:
    args = ["create-user", "--username", "eve"] + ([flag] if flag else [])
    assert run(url, *args, stdin=stdin, monkeypatch=monkeypatch) == EXIT_REFUSED
    assert message in capsys.readouterr().err


def test_unreachable_database_exit_code(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = run("postgresql+psycopg://nobody@127.0.0.1:1/none", "upgrade",
               monkeypatch=monkeypatch)
    assert code == EXIT_DATABASE
    assert "cannot open the database" in capsys.readouterr().err


def test_read_password_prompts_twice_at_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["typed-twice-ok", "typed-twice-ok"])
    assert read_password(False, Tty(), prompt=lambda _: next(answers)) == "typed-twice-ok"
    differing = iter(["one-password", "another-one"])
    with pytest.raises(CliError, match="differ"):
        read_password(False, Tty(), prompt=lambda _: next(differing))


def test_module_entry_point_usage_error_exit_2() -> None:
    done = subprocess.run([sys.executable, "-m", "store"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2 and "COMMAND" in done.stderr
