"""Who has a case open right now, and who is typing an answer on it: what officers working together see on the
queue and the case page (as Zammad and ServiceNow show it).

Each open case page says so every `BEAT_S` seconds (and at once when its officer starts typing, or 12 s after the
last key, longer than a beat so that every viewer sees it); a mark
older than `STALE_S` has gone. It is shared by every casework process through the database, and it is not a
record: nothing in it is an event, and it is pruned as it goes.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from casework.users import User

BEAT_S = 10
STALE_S = 3 * BEAT_S

metadata = MetaData()
presence = Table(
    "presence",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("username", Text, primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("typing", Boolean, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)


async def beat(session: AsyncSession, case_id: str, user: User, *, typing: bool, now: datetime) -> None:
    """`user` has the case open (typing, or not), as of `now`; marks gone stale are dropped."""
    statement = insert(presence).values(case_id=case_id, username=user.username, display_name=user.display_name,
                                        typing=typing, seen_at=now)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["case_id", "username"], set_={"typing": typing, "seen_at": now,
                                                      "display_name": user.display_name}))
    await session.execute(delete(presence).where(presence.c.seen_at < now - timedelta(seconds=STALE_S)))


async def leave(session: AsyncSession, case_id: str, user: User) -> None:
    await session.execute(delete(presence).where(presence.c.case_id == case_id,
                                                 presence.c.username == user.username))


async def others(session: AsyncSession, case_ids: Iterable[str], user: User, *, now: datetime
                 ) -> dict[str, list[tuple[str, bool]]]:
    """For each of `case_ids` someone else has open: (their name, whether they are typing), by name."""
    rows = await session.execute(
        select(presence.c.case_id, presence.c.display_name, presence.c.typing)
        .where(presence.c.case_id.in_(list(case_ids)), presence.c.username != user.username,
               presence.c.seen_at >= now - timedelta(seconds=STALE_S))
        .order_by(presence.c.case_id, presence.c.display_name))
    seen: dict[str, list[tuple[str, bool]]] = {}
    for case_id, name, typing in rows:
        seen.setdefault(case_id, []).append((name, typing))
    return seen
