"""One contract for both attachment stores: stored once by hash, read back by it, and rolled back with the case
(the database store) or harmlessly left behind (the filesystem store)."""

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contracts import AttachmentRef
from intake.domain import File
from intake.projection import attachments
from intake.storage import DatabaseStore, FileStore

MIGRATIONS = Path("intake/migrations")


def a_file(content: bytes) -> File:
    ref = AttachmentRef(kind="iqama-copy", name="iqama.pdf", content_type="application/pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest())
    return File(ref=ref, content=content)


@pytest.fixture(params=["database", "filesystem"])
def store(request, tmp_path):
    return DatabaseStore() if request.param == "database" else FileStore(tmp_path / "attachments")


async def test_the_same_bytes_are_stored_once_and_read_back_by_their_hash(store, sessions):
    file = a_file(b"%PDF-1.4 " + os.urandom(1000))
    async with sessions.begin() as session:
        await store.put(session, [file, file])
    async with sessions.begin() as session:
        await store.put(session, [file])
    async with sessions() as session:
        assert await store.get(session, file.ref.sha256) == ("application/pdf", file.content)
        rows = await session.scalar(select(func.count()).where(attachments.c.sha256 == file.ref.sha256))
        assert rows == 1
        assert await store.get(session, "0" * 64) is None


async def test_a_rolled_back_case_leaves_no_readable_attachment(store, sessions):
    file = a_file(b"%PDF-1.4 " + os.urandom(1000))
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            await store.put(session, [file])
            raise RuntimeError("the case's transaction fails")
    async with sessions() as session:
        assert await store.get(session, file.ref.sha256) is None
    async with sessions.begin() as session:  # the next writer of the same bytes is not disturbed by any leftover
        await store.put(session, [file])
    async with sessions() as session:
        assert await store.get(session, file.ref.sha256) == ("application/pdf", file.content)


async def test_the_filesystem_store_keeps_files_under_their_hash(sessions, tmp_path):
    store = FileStore(tmp_path)
    file = a_file(b"\x89PNG\r\n\x1a\n" + os.urandom(100))
    async with sessions.begin() as session:
        await store.put(session, [file])
    assert (tmp_path / file.ref.sha256[:2] / file.ref.sha256).read_bytes() == file.content
    async with sessions() as session:
        assert await session.scalar(select(attachments.c.content).where(attachments.c.sha256 == file.ref.sha256)) \
            is None  # the bytes are not duplicated into the database
