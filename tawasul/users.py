"""`tawasul users …` and `tawasul departments`: the people who work cases and their API keys, managed from the
command line beside casework (its database found as every command run beside `tawasul up` finds it). Each change
is recorded with who made it: `cli:<the operating-system user>`."""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar, get_args

from contracts.vocabulary import ROLES, Language
from tawasul import system

if TYPE_CHECKING:
    from casework.accounts import Accounts

T = TypeVar("T")


def departments() -> dict[str, tuple[str, str]]:
    """Routing's departments by code: (English name, Arabic name)."""
    names = system.reference().departments
    return {code: (name["en"], name["ar"]) for code, name in names.items()}


def add_parsers(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="the people who work cases: add, list, disable, set a password")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="add a user (the password is read from stdin or asked for)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--department", default=None, help="a department code (`tawasul departments`); officers "
                     "and supervisors only")
    add.add_argument("--language", choices=get_args(Language), default="ar")
    add.add_argument("--display-name", default=None, help="the name colleagues see (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    actions.add_parser("list", help="every user: role, department, language, whether disabled")
    disable = actions.add_parser("disable", help="stop a user from signing in (the record stays)")
    disable.add_argument("username")
    passwd = actions.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    key = actions.add_parser("key", help="issue an API key for a user (printed once, stored hashed): "
                             "`Authorization: Bearer …` on casework's API acts as that user")
    key.add_argument("username")
    key.add_argument("--label", default="", help="what the key is for, to find it again")
    revoke = actions.add_parser("revoke-keys", help="revoke a user's API keys")
    revoke.add_argument("username")
    revoke.add_argument("--label", default=None, help="only the keys with this label")
    commands.add_parser("departments", help="the department codes and names (from routing's rules)")


def run(args: argparse.Namespace) -> None:
    if args.command == "departments":
        for code, (english, arabic) in departments().items():
            print(f"{code:<22} {english}  |  {arabic}")
        return
    from casework.users import User

    actor = f"cli:{getpass.getuser()}"
    if args.users_command == "list":
        for user in _with_accounts(lambda accounts: accounts.list()):
            state = "disabled" if user.disabled else "active"
            print(f"{user.username:<20} {user.role:<11} {user.department or '-':<22} {user.language}  {state}  "
                  f"{user.display_name}")
    elif args.users_command == "add":
        user = User(username=args.username, display_name=args.display_name or args.username, role=args.role,
                    department=args.department, language=args.language)
        password = _password(args.password_stdin)
        _with_accounts(lambda accounts: accounts.add(user, password, actor=actor))
        print(f"added {user.username} ({user.role}{', ' + user.department if user.department else ''})")
    elif args.users_command == "disable":
        _with_accounts(lambda accounts: accounts.disable(args.username, actor=actor))
        print(f"disabled {args.username}")
    elif args.users_command == "key":
        print(_with_accounts(lambda accounts: _credentials(accounts).issue_key(args.username, label=args.label,
                                                                                 actor=actor)))
    elif args.users_command == "revoke-keys":
        count = _with_accounts(lambda accounts: _credentials(accounts).revoke_keys(args.username, actor=actor,
                                                                                   label=args.label))
        print(f"revoked {count} key{'s' if count != 1 else ''} of {args.username}")
    elif args.users_command == "passwd":
        password = _password(args.password_stdin)
        _with_accounts(lambda accounts: accounts.set_password(args.username, password, actor=actor))
        print(f"password set for {args.username}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        sys.exit("tawasul users: give --password-stdin to read the password from a pipe")
    first, second = getpass.getpass("password: "), getpass.getpass("again: ")
    if first != second:
        sys.exit("tawasul users: the two passwords differ")
    return first


def _credentials(accounts: "Accounts"):
    from casework.credentials import Credentials

    return Credentials(accounts.sessions, absolute_s=0)


def _with_accounts(act: Callable[["Accounts"], Awaitable[T]]) -> T:
    from casework.accounts import Accounts, UnknownUser
    from casework.users import Invalid
    from services.app import service_database
    from services.supervisor import beside_running

    casework = system.service("casework")
    settings = beside_running(casework.settings())

    async def go() -> T:
        async with service_database(casework, settings) as sessions:
            return await act(Accounts(sessions, frozenset(departments())))

    try:
        return asyncio.run(go())
    except (Invalid, UnknownUser) as error:
        sys.exit(f"tawasul users: {error}")
