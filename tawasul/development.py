"""What `tawasul up` adds around the services on a developer's machine: development API keys, one demo user per
role, the demo household in the registry, and local mail and SMS providers where none is configured."""

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.vocabulary import Language
from contracts.vocabulary import Role as UserRole
from intake.keys import Role, issue_keys
from notify.providers import local_providers
from notify.settings import NotifySettings
from services.app import service_database
from services.settings import Settings
from services.supervisor import Prepare
from tawasul import demo, system

DEV_LABEL = "tawasul-up"
DEV_PRINCIPALS: list[tuple[str, Role]] = [("absher", "portal"), ("muqeem", "portal"), ("officer-1", "officer")]
CASEWORK_AT_INTAKE: tuple[str, Role] = ("casework", "officer")
"""The key casework opens attachments at intake with, on behalf of the officer who asked (and checked)."""
DEMO_USERS: list[tuple[str, UserRole, str | None, Language]] = [
    ("huda.supervisor", "supervisor", "passports", "ar"),
    ("omar.officer", "officer", "passports", "ar"),
    ("sara.officer", "officer", "passports", "en"),
    ("khalid.officer", "officer", "visit-visas", "ar"),
    ("noura.auditor", "auditor", None, "ar"),
    ("admin", "admin", None, "en"),
]
"""A supervisor and two officers of one department, an officer of another, an auditor and an admin."""


def development(notify: NotifySettings) -> Prepare:
    """The supervisor's `prepare`, given notify's settings as this process read them."""

    @asynccontextmanager
    async def prepare(settings: Settings) -> AsyncIterator[tuple[list[str], dict[str, str]]]:
        notes = await keys_and_household(settings) + await demo_users(settings)
        async with local_providers(notify.model_copy(update={"home": settings.home})) as (more, env):
            yield notes + more, {**env, **session_secret(settings), **await casework_at_intake(settings)}

    return prepare


def session_secret(settings: Settings) -> dict[str, str]:
    """The secret casework signs sessions with, kept in the home so a restart keeps everyone signed in (unless
    the environment gives one)."""
    if os.environ.get("TAWASUL_SESSION_SECRET"):
        return {}
    path = settings.home / "session-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return {"TAWASUL_SESSION_SECRET": path.read_text().strip()}


async def casework_at_intake(settings: Settings) -> dict[str, str]:
    """Casework's key at intake, new each run, and where intake is (unless the environment gives them)."""
    if os.environ.get("TAWASUL_INTAKE_KEY"):
        return {}
    async with service_database(system.service("intake"), settings) as sessions:
        issued = await issue_keys(sessions, [CASEWORK_AT_INTAKE], f"{DEV_LABEL}-casework", replace=True)
    intake = f"http://{settings.http_host}:{system.ports()['intake']}"
    return {"TAWASUL_INTAKE_KEY": issued[CASEWORK_AT_INTAKE[0]], "TAWASUL_INTAKE_URL": intake}


async def keys_and_household(settings: Settings) -> list[str]:
    """Development keys for both portals and an officer (the previous run's are revoked), and the demo household;
    the lines that tell of them."""
    async with service_database(system.service("intake"), settings) as sessions:
        issued = await issue_keys(sessions, DEV_PRINCIPALS, DEV_LABEL, replace=True)
    await demo.publish_household(settings)
    return [f"api key    {name:<10} {key}" for name, key in issued.items()] + [
        f"registry   {len(demo.PEOPLE)} people linked to the demo account holder (README: To try it)"
    ]


async def demo_users(settings: Settings) -> list[str]:
    """The demo users, each with a new random password this run (printed once; the previous run's stop working)."""
    from casework.accounts import Accounts
    from casework.users import User
    from tawasul.users import departments

    lines = []
    async with service_database(system.service("casework"), settings) as sessions:
        accounts = Accounts(sessions, frozenset(departments()))
        known = {user.username for user in await accounts.list()}
        for username, role, department, language in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            while username in password.lower():  # the one rule a random password could break
                password = secrets.token_urlsafe(12)
            if username in known:
                await accounts.set_password(username, password, actor="tawasul-up")
            else:
                user = User(username=username, display_name=username.split(".")[0].title(), role=role,
                            department=department, language=language)
                await accounts.add(user, password, actor="tawasul-up")
            lines.append(f"user       {username:<16} {password}  {role}{', ' + department if department else ''}")
    casework = f"http://{settings.http_host}:{system.ports()['casework']}/"
    return [f"sign in    {casework} as one of these users (their passwords are new each run):", *lines]
