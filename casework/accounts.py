"""Casework's users in its database: add, list, disable, change a password; each change recorded, with who made
it and when, in `user_changes` (append-only: the database refuses to alter or remove a record). Disabling a user
or changing their password ends their sessions."""

from collections.abc import Sequence
from typing import Any

from psycopg.errors import UniqueViolation
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.tables import user_changes, user_sessions, users
from casework.users import Invalid, Passwords, User, check, check_password
from contracts.vocabulary import Language


class UnknownUser(LookupError):
    pass


def user_from(row: Any) -> User:
    return User(username=row.username, display_name=row.display_name, role=row.role, department=row.department,
                language=row.language, disabled=row.disabled)


class Accounts:
    """The users table and its record of changes; every method is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], departments: frozenset[str],
                 passwords: Passwords | None = None) -> None:
        self.sessions = sessions
        self.departments = departments
        self.passwords = passwords or Passwords()

    async def add(self, user: User, password: str, *, actor: str) -> User:
        check(user, self.departments)
        check_password(password, user.username)
        digest = self.passwords.hash(password)
        try:
            async with self.sessions.begin() as session:
                await session.execute(insert(users).values(
                    username=user.username, display_name=user.display_name, role=user.role,
                    department=user.department, language=user.language, password_hash=digest, disabled=False,
                ))
                await record_change(session, actor, user.username, "added", {
                    "role": user.role, "department": user.department, "language": user.language,
                    "display_name": user.display_name,
                })
        except IntegrityError as error:
            if not isinstance(error.orig, UniqueViolation):
                raise
            raise Invalid(f"username {user.username!r} is taken") from None
        return user

    async def list(self) -> Sequence[User]:
        async with self.sessions() as session:
            rows = (await session.execute(select(users).order_by(users.c.username))).all()
        return [user_from(row) for row in rows]

    async def get(self, username: str) -> User | None:
        found = await self.credentials(username)
        return found[0] if found else None

    async def credentials(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, for signing in."""
        async with self.sessions() as session:
            row = (await session.execute(select(users).where(users.c.username == username))).one_or_none()
        return (user_from(row), row.password_hash) if row else None

    async def disable(self, username: str, *, actor: str) -> None:
        async with self.sessions.begin() as session:
            changed = await session.execute(
                update(users).where(users.c.username == username, users.c.disabled.is_(False)).values(disabled=True)
            )
            if changed.rowcount == 0:
                await self._exists(session, username)
                return  # already disabled: nothing changed, nothing to record
            await session.execute(delete(user_sessions).where(user_sessions.c.username == username))
            await record_change(session, actor, username, "disabled", {})

    async def set_language(self, username: str, language: Language, *, actor: str) -> None:
        """The language `username`'s pages are in from now on (the user's own choice, remembered)."""
        async with self.sessions.begin() as session:
            changed = await session.execute(update(users).where(users.c.username == username,
                                                                users.c.language != language)
                                            .values(language=language))
            if changed.rowcount == 0:
                await self._exists(session, username)
                return
            await record_change(session, actor, username, "language_changed", {"language": language})

    async def set_password(self, username: str, password: str, *, actor: str) -> None:
        check_password(password, username)
        await self._store(username, self.passwords.hash(password), actor, "password_changed")

    async def rehash(self, username: str, password: str) -> None:
        """The same password under today's hashing parameters (after a sign-in proved it)."""
        await self._store(username, self.passwords.hash(password), f"sign-in:{username}", "password_rehashed")

    async def _store(self, username: str, digest: str, actor: str, change: str) -> None:
        async with self.sessions.begin() as session:
            values = {"password_hash": digest}
            if change == "password_changed":
                values["password_changed_at"] = func.now()
            changed = await session.execute(update(users).where(users.c.username == username).values(**values))
            if changed.rowcount == 0:
                raise UnknownUser(f"no user {username!r}")
            if change == "password_changed":
                await session.execute(delete(user_sessions).where(user_sessions.c.username == username))
            await record_change(session, actor, username, change, {})  # never the password, nor its hash

    async def changes(self, username: str | None = None) -> Sequence[dict[str, Any]]:
        """The record, oldest first: (at, actor, username, change, details)."""
        query = select(user_changes).order_by(user_changes.c.id)
        if username is not None:
            query = query.where(user_changes.c.username == username)
        async with self.sessions() as session:
            return [dict(row._mapping) for row in (await session.execute(query)).all()]

    async def _exists(self, session: AsyncSession, username: str) -> None:
        if not await session.scalar(select(users.c.username).where(users.c.username == username)):
            raise UnknownUser(f"no user {username!r}")


async def record_change(session: AsyncSession, actor: str, username: str, change: str,
                        details: dict[str, Any]) -> None:
    await session.execute(insert(user_changes).values(actor=actor, username=username, change=change, details=details))
