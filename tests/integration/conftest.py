import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import db, migrations


@pytest.fixture(scope="module")
def database(infra, request) -> Iterator[URL]:
    """A database of the module's own, dropped after: the runtime tables and the read model of the service
    the module names in `MIGRATIONS` (default routing's)."""
    name = f"{request.module.__name__.rpartition('.')[2]}_{uuid.uuid4().hex[:8]}"
    url = make_url(infra.database_url).set(drivername="postgresql+psycopg", database=name)
    db.ensure_database(url)
    migrations.upgrade(url, getattr(request.module, "MIGRATIONS", Path("routing/migrations")))
    yield url
    with psycopg.connect(db.libpq_dsn(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def sessions(database: URL) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database)
    yield db.session_factory(engine)
    await engine.dispose()
