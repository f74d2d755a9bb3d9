"""``python -m store``: migrate the database and bootstrap accounts from a shell.

Exit codes: 0 done, 1 refused (bad input, taken name, unknown team), 2 usage error,
3 database unreachable or failing.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from sqlalchemy.exc import DBAPIError, OperationalError

from store.database import URL_ENV
from store.errors import StoreError
from store.migrate import current_revision, head_revision, new_revision
from store.repository import Store

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3


class CliError(Exception):
    """A message for the user and the exit code to leave with."""

    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.code = code


def read_password(from_stdin: bool, stdin: TextIO,
                  prompt: Callable[[str], str] = getpass.getpass) -> str:
    """The first line of stdin, or typed twice at a terminal prompt."""
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("--password-stdin: stdin was empty")
        return password
    if not stdin.isatty():
        raise CliError("no terminal to prompt for a password: pipe it with --password-stdin")
    first = prompt("Password: ")
    if first != prompt("Password (again): "):
        raise CliError("the two passwords differ")
    return first


def _cmd_upgrade(store: Store, _args: argparse.Namespace) -> str:
    return (f"{store.url}: schema at revision {current_revision(store.engine)} "
            f"(head {head_revision()})")


def _cmd_create_team(store: Store, args: argparse.Namespace) -> str:
    team = store.create_team(args.name)
    return f"created team {team.name!r} (id {team.id})"


def _team_id(store: Store, name: str | None) -> int | None:
    if name is None:
        return None
    team = store.team_by_name(name)
    if team is None:
        raise CliError(f"no team {name!r}; create it first: python -m store create-team {name!r}")
    return team.id


def _create(store: Store, args: argparse.Namespace, role: str) -> str:
    team_id = _team_id(store, args.team)
    password = read_password(args.password_stdin, sys.stdin)
    user = store.create_user(args.username, password, role, team_id,  # type: ignore[arg-type]
                             args.display_name or "")
    team = f" in team {args.team!r}" if args.team else ""
    return f"created {user.role} {user.username!r} (id {user.id}){team}"


def _cmd_create_admin(store: Store, args: argparse.Namespace) -> str:
    return _create(store, args, "admin")


def _cmd_create_user(store: Store, args: argparse.Namespace) -> str:
    return _create(store, args, args.role)


def _cmd_revision(store: Store, args: argparse.Namespace) -> str:
    new_revision(store.engine, args.message)
    return "wrote a new revision under store/migrations/versions: review it before committing"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m store", description="StormDesk's database: migrations and accounts.",
        epilog=f"The database is --url, else ${URL_ENV}, else data/stormdesk.db (SQLite).")
    parser.add_argument("--url", help="database URL (e.g. postgresql+psycopg://user@host/db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("upgrade", help="create or migrate the schema to the newest revision")
    up.set_defaults(run=_cmd_upgrade)
    team = commands.add_parser("create-team", help="add a team")
    team.add_argument("name")
    team.set_defaults(run=_cmd_create_team)
    admin = commands.add_parser("create-admin", help="add an admin account (bootstrap)")
    _account_arguments(admin)
    admin.set_defaults(run=_cmd_create_admin)
    user = commands.add_parser("create-user", help="add a manager or trainee account")
    _account_arguments(user)
    user.add_argument("--role", choices=("admin", "manager", "trainee"), default="trainee")
    user.set_defaults(run=_cmd_create_user)
    rev = commands.add_parser("revision", help="(developers) autogenerate a migration")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(run=_cmd_revision)
    return parser


def _account_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True)
    parser.add_argument("--display-name")
    parser.add_argument("--team", help="team name (see create-team)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        store = Store.open(args.url)
    except (OperationalError, DBAPIError) as exc:
        print(f"error: cannot open the database: {exc.orig or exc}", file=sys.stderr)
        return EXIT_DATABASE
    try:
        print(args.run(store, args))
        return EXIT_OK
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (OperationalError, DBAPIError) as exc:
        print(f"error: database failure: {exc.orig or exc}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        store.close()
