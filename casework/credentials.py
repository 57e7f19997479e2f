"""What a request may carry to say who it is: a signed-in session, or a user's API key. Each is a random secret
(`services.tokens`) of which casework keeps only the SHA-256; either is looked up together with its user in one
query, and a disabled user's are worth nothing."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.accounts import UnknownUser, record_change, user_from
from casework.tables import user_keys, user_sessions, users
from casework.users import User
from services.tokens import digest, new_token

KEY_PREFIX = "tw_user_"


class Credentials:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, absolute_s: int) -> None:
        self.sessions = sessions
        self.absolute_s = absolute_s

    async def open_session(self, username: str) -> str:
        """A new session for `username`, ending `absolute_s` from now at the latest; its secret, for the cookie."""
        secret = new_token()
        expires = datetime.now(UTC) + timedelta(seconds=self.absolute_s)
        async with self.sessions.begin() as session:
            await session.execute(insert(user_sessions).values(secret_hash=digest(secret), username=username,
                                                               expires_at=expires))
            # Ended sessions are of no use to anyone: each sign-in clears the signer's own.
            await session.execute(delete(user_sessions).where(user_sessions.c.username == username,
                                                              user_sessions.c.expires_at <= func.now()))
        return secret

    async def close_session(self, secret: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(delete(user_sessions).where(user_sessions.c.secret_hash == digest(secret)))

    async def session_user(self, secret: str) -> User | None:
        """The user of a live session: not past its absolute end, the user not disabled."""
        found = and_(user_sessions.c.secret_hash == digest(secret), user_sessions.c.expires_at > func.now())
        return await self._one(select(users).join(user_sessions).where(found))

    async def issue_key(self, username: str, *, label: str, actor: str) -> str:
        """A new API key for `username`; only its hash is kept, so this is the one time it can be read."""
        key = new_token(KEY_PREFIX)
        async with self.sessions.begin() as session:
            if not await session.scalar(select(users.c.username).where(users.c.username == username)):
                raise UnknownUser(f"no user {username!r}")
            await session.execute(insert(user_keys).values(secret_hash=digest(key), username=username, label=label))
            await record_change(session, actor, username, "key_issued", {"label": label})
        return key

    async def revoke_keys(self, username: str, *, actor: str, label: str | None = None) -> int:
        """Revoke `username`'s live keys (those with `label`, if given); how many."""
        live = [user_keys.c.username == username, user_keys.c.revoked_at.is_(None)]
        if label is not None:
            live.append(user_keys.c.label == label)
        async with self.sessions.begin() as session:
            revoked = (await session.execute(update(user_keys).where(*live).values(revoked_at=func.now()))).rowcount
            if revoked:
                await record_change(session, actor, username, "keys_revoked", {"label": label, "count": revoked})
        return revoked

    async def key_user(self, key: str) -> User | None:
        if not key.startswith(KEY_PREFIX):
            return None
        found = and_(user_keys.c.secret_hash == digest(key), user_keys.c.revoked_at.is_(None))
        return await self._one(select(users).join(user_keys).where(found))

    async def _one(self, query) -> User | None:
        async with self.sessions() as session:
            row = (await session.execute(query.where(users.c.disabled.is_(False)))).one_or_none()
        return user_from(row) if row is not None else None
