"""Casework's users in PostgreSQL: every change recorded with who made it, the record append-only; signing in
answers a wrong password, an unknown user and a disabled one alike, and throttles repeated failures per username
and per client address."""

import io
import json
import sys
import uuid
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from casework.accounts import Accounts, UnknownUser
from casework.signin import WRONG, LocalPasswords, Refused
from casework.users import Invalid, Passwords, User
from services.ratelimit import RateLimiter
from tawasul import cli

MIGRATIONS = Path("casework/migrations")
DEPARTMENTS = frozenset({"passports", "visit-visas"})
PASSWORD = "a long enough passphrase"


def officer(username: str, **overrides) -> User:
    return User(**{"username": username, "display_name": username.title(), "role": "officer",
                   "department": "passports", "language": "ar", **overrides})


@pytest.fixture
def accounts(sessions) -> Accounts:
    return Accounts(sessions, DEPARTMENTS)


def sign_in(accounts: Accounts, *, per_username: int = 5, per_address: int = 20) -> LocalPasswords:
    return LocalPasswords(accounts, per_username=RateLimiter(rate=0.001, burst=per_username),
                          per_address=RateLimiter(rate=0.001, burst=per_address))


async def test_adding_disabling_and_a_new_password_are_recorded_with_their_actor(accounts: Accounts):
    await accounts.add(officer("layla"), PASSWORD, actor="cli:root")
    await accounts.disable("layla", actor="cli:root")
    await accounts.disable("layla", actor="cli:root")  # already disabled: nothing changes, nothing recorded
    await accounts.set_password("layla", "another long passphrase", actor="cli:admin")
    changes = await accounts.changes("layla")
    assert [(c["actor"], c["change"]) for c in changes] == [
        ("cli:root", "added"), ("cli:root", "disabled"), ("cli:admin", "password_changed")]
    assert changes[0]["details"] == {"role": "officer", "department": "passports", "language": "ar",
                                     "display_name": "Layla"}
    assert PASSWORD not in json.dumps([c["details"] for c in changes])
    assert [u.disabled for u in await accounts.list() if u.username == "layla"] == [True]


async def test_a_taken_username_an_unknown_department_and_an_unknown_user_are_refused(accounts: Accounts):
    await accounts.add(officer("omar"), PASSWORD, actor="cli:root")
    with pytest.raises(Invalid, match="username 'omar' is taken"):
        await accounts.add(officer("omar"), PASSWORD, actor="cli:root")
    with pytest.raises(Invalid, match="department 'mars'"):
        await accounts.add(officer("omar2", department="mars"), PASSWORD, actor="cli:root")
    with pytest.raises(UnknownUser):
        await accounts.disable("nobody", actor="cli:root")
    with pytest.raises(UnknownUser):
        await accounts.set_password("nobody", PASSWORD, actor="cli:root")


async def test_the_record_of_changes_cannot_be_altered_or_removed(accounts: Accounts, sessions):
    await accounts.add(officer("huda"), PASSWORD, actor="cli:root")
    for statement in ("UPDATE user_changes SET actor = 'someone else'", "DELETE FROM user_changes",
                      "TRUNCATE user_changes"):
        with pytest.raises(DBAPIError, match="user_changes is append-only"):
            async with sessions.begin() as session:
                await session.execute(text(statement))
    assert [c["actor"] for c in await accounts.changes("huda")] == ["cli:root"]


async def test_a_wrong_password_an_unknown_user_and_a_disabled_one_get_the_same_answer(accounts: Accounts):
    await accounts.add(officer("nora"), PASSWORD, actor="cli:root")
    await accounts.add(officer("gone"), PASSWORD, actor="cli:root")
    await accounts.disable("gone", actor="cli:root")
    signing = sign_in(accounts)
    signed = await signing.sign_in("nora", PASSWORD, "10.0.0.1")
    assert isinstance(signed, User) and (signed.username, signed.role, signed.department) == \
        ("nora", "officer", "passports")
    for username, password in [("nora", PASSWORD + "!"), ("nobody", PASSWORD), ("gone", PASSWORD)]:
        assert await signing.sign_in(username, password, "10.0.0.1") == Refused(WRONG)


async def test_repeated_failures_lock_the_username_then_the_address_even_with_the_right_password(accounts):
    await accounts.add(officer("sami"), PASSWORD, actor="cli:root")
    await accounts.add(officer("rana"), PASSWORD, actor="cli:root")
    signing = sign_in(accounts, per_username=3, per_address=5)
    for _ in range(3):
        assert await signing.sign_in("sami", "a wrong guess, long", "10.0.0.2") == Refused(WRONG)
    locked = await signing.sign_in("sami", PASSWORD, "10.0.0.3")  # the right password, another address
    assert isinstance(locked, Refused) and "too many failed sign-ins" in locked.reason and locked.retry_after_s > 0
    assert isinstance(await signing.sign_in("rana", PASSWORD, "10.0.0.2"), User)  # the address has 2 left
    for _ in range(2):
        await signing.sign_in("rana", "a wrong guess, long", "10.0.0.2")
    from_there = await signing.sign_in("rana", PASSWORD, "10.0.0.2")
    assert isinstance(from_there, Refused) and "too many failed sign-ins" in from_there.reason
    assert isinstance(await signing.sign_in("rana", PASSWORD, "10.0.0.9"), User)


async def test_a_password_hashed_with_weaker_parameters_is_rehashed_at_sign_in(sessions):
    weak = Accounts(sessions, DEPARTMENTS, Passwords(PasswordHasher(time_cost=1, memory_cost=8 * 1024)))
    await weak.add(officer("dana"), PASSWORD, actor="cli:root")
    accounts = Accounts(sessions, DEPARTMENTS)
    assert isinstance(await sign_in(accounts).sign_in("dana", PASSWORD, "10.0.0.4"), User)
    async with sessions() as session:
        stored = await session.scalar(text("SELECT password_hash FROM users WHERE username = 'dana'"))
    assert not accounts.passwords.outdated(stored)
    assert [c["change"] for c in await accounts.changes("dana")] == ["added", "password_rehashed"]


def test_the_cli_adds_lists_and_disables_users_and_refuses_a_bad_one(infra, monkeypatch, capsys):
    monkeypatch.setenv("TAWASUL_DATABASE_URL", infra.database_url)  # casework's database is made beside it
    monkeypatch.setenv("TAWASUL_KAFKA_BOOTSTRAP", infra.kafka_bootstrap)
    monkeypatch.setenv("TAWASUL_NAMESPACE", f"cli{uuid.uuid4().hex[:8]}")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    cli.main(["users", "add", "amal", "--role", "supervisor", "--department", "passports", "--password-stdin"])
    cli.main(["users", "list"])
    cli.main(["users", "disable", "amal"])
    out = capsys.readouterr().out
    assert "added amal (supervisor, passports)" in out and "disabled amal" in out
    assert any(line.startswith("amal") and "supervisor" in line and "active" in line for line in out.splitlines())
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit, match="an auditor belongs to no department"):
        cli.main(["users", "add", "zaid", "--role", "auditor", "--department", "passports", "--password-stdin"])
