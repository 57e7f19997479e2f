"""Database plumbing: each service owns one database on the server; engines are built per app."""

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def libpq_dsn(url: URL) -> str:
    """The plain libpq form of a SQLAlchemy URL (for psycopg connections opened directly)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def database_exists(url: URL) -> bool:
    with psycopg.connect(libpq_dsn(url.set(database="postgres")), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone() is not None


def ensure_database(url: URL) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    if database_exists(url):
        return
    maintenance = libpq_dsn(url.set(database="postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
        except psycopg.errors.DuplicateDatabase:
            pass  # another process of the same service won the race


def create_engine(url: URL, *, pool_size: int = 5) -> AsyncEngine:
    """An engine whose many-row INSERTs (a batch's events, its inbox and tally rows; read-model rows, which ask
    for it with RETURNING) go as multi-row `INSERT … VALUES` statements of up to 1,000 rows, not as one pipelined
    statement per row: each row of psycopg's executemany is a wait of its own on the event loop, which was the
    largest part of every consumer's time."""
    # hide_parameters: an error's text (logged, or a dead letter's reason) never carries the row's personal data
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=5, pool_pre_ping=True, hide_parameters=True)
    engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
