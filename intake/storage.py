"""Where attachments' bytes live: stored once under their sha256, read back by reference.

Two stores behind one interface. `DatabaseStore` keeps the bytes in intake's database, written in
the same transaction as the case that refers to them (the embedded default: nothing else to run).
`FileStore` keeps them as files under a directory (`.tawasul/attachments` by default), written
before that transaction commits; a file left by a rolled-back transaction is harmless, because a
name is its content's hash and the next writer of the same bytes finds it in place.
"""

import asyncio
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.domain import File
from intake.projection import attachments


class AttachmentStore(Protocol):
    async def put(self, session: AsyncSession, files: Sequence[File]) -> None:
        """Store each file's bytes unless they are there already, within `session`'s transaction."""

    async def get(self, session: AsyncSession, sha256: str) -> tuple[str, bytes] | None:
        """The content type and bytes stored under `sha256`, or None."""


async def _record(session: AsyncSession, files: Sequence[File], *, with_content: bool) -> None:
    rows = {
        file.ref.sha256: dict(sha256=file.ref.sha256, content_type=file.ref.content_type, size=file.ref.size,
                              content=file.content if with_content else None)
        for file in files
    }
    if rows:
        await session.execute(insert(attachments).on_conflict_do_nothing(), list(rows.values()))


class DatabaseStore:
    async def put(self, session: AsyncSession, files: Sequence[File]) -> None:
        await _record(session, files, with_content=True)

    async def get(self, session: AsyncSession, sha256: str) -> tuple[str, bytes] | None:
        row = (await session.execute(
            select(attachments.c.content_type, attachments.c.content).where(attachments.c.sha256 == sha256)
        )).one_or_none()
        return None if row is None or row.content is None else (row.content_type, row.content)


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def put(self, session: AsyncSession, files: Sequence[File]) -> None:
        await asyncio.to_thread(self._write, files)
        await _record(session, files, with_content=False)

    def _write(self, files: Sequence[File]) -> None:
        for file in files:
            path = self.path_of(file.ref.sha256)
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as out:
                out.write(file.content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(out.name, path)

    async def get(self, session: AsyncSession, sha256: str) -> tuple[str, bytes] | None:
        content_type = await session.scalar(select(attachments.c.content_type).where(attachments.c.sha256 == sha256))
        path = self.path_of(sha256)
        if content_type is None or not path.exists():
            return None
        return content_type, await asyncio.to_thread(path.read_bytes)
