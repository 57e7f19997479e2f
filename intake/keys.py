"""API keys of portals and officers: issued once, stored only as their SHA-256 (`services.tokens`), looked up by
it."""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.vocabulary import PORTALS
from intake.projection import api_keys
from services.tokens import digest, new_token

Role = Literal["portal", "officer"]


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role


class UnknownPortal(ValueError):
    """A portal key was asked for a portal Tawasul does not serve."""


def check_principal(name: str, role: Role) -> None:
    """UnknownPortal unless a portal's key names one of the portals (an officer's may name anyone)."""
    if role == "portal" and name not in PORTALS:
        raise UnknownPortal(f"no portal {name!r}; the portals are {', '.join(PORTALS)}")


async def issue(session: AsyncSession, principal: str, role: Role, label: str = "") -> str:
    """A new key for `principal`; only its hash is kept, so this is the one time it can be read."""
    check_principal(principal, role)
    key = new_token(f"tw_{role}_")
    await session.execute(api_keys.insert().values(key_hash=digest(key), principal=principal, role=role,
                                                   label=label))
    return key


async def revoke_labelled(session: AsyncSession, label: str) -> int:
    """Revoke every live key carrying `label` (e.g. the development keys of a previous `tawasul up`)."""
    result = await session.execute(
        update(api_keys).where(api_keys.c.label == label, api_keys.c.revoked_at.is_(None)).values(revoked_at=func.now())
    )
    return result.rowcount


async def issue_keys(
    sessions: async_sessionmaker[AsyncSession], principals: Sequence[tuple[str, Role]], label: str, *,
    replace: bool = False,
) -> dict[str, str]:
    """Keys for `principals`, in one transaction; with `replace`, the live keys carrying `label` are revoked
    first."""
    async with sessions.begin() as session:
        if replace:
            await revoke_labelled(session, label)
        return {name: await issue(session, name, role, label) for name, role in principals}


class Keys:
    """Authenticates keys against the table, remembering answers for a few seconds (a revocation takes that long)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl_s: float = 10.0) -> None:
        self._sessions = sessions
        self._ttl_s = ttl_s
        self._known: dict[str, tuple[float, Principal | None]] = {}

    async def authenticate(self, key: str | None) -> Principal | None:
        if not key:
            return None
        hashed = digest(key)
        cached = self._known.get(hashed)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._sessions() as session:
            row = (await session.execute(
                select(api_keys.c.principal, api_keys.c.role)
                .where(api_keys.c.key_hash == hashed, api_keys.c.revoked_at.is_(None))
            )).one_or_none()
        principal = None if row is None else Principal(row.principal, row.role)
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[hashed] = (time.monotonic() + self._ttl_s, principal)
        return principal
