"""Versioned schema changes through Alembic: one history for the shared runtime tables, one per service."""

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

from services.db import libpq_dsn

RUNTIME_SCRIPTS = Path(__file__).parent / "schema"
RUNTIME_VERSION_TABLE = "tawasul_runtime_version"


def _config(scripts: Path, url: URL, version_table: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["url"] = url
    config.attributes["version_table"] = version_table
    return config


MIGRATION_LOCK = 0x7A5A_0002
"""Advisory lock key: replicas starting together migrate one at a time; the others find the work done."""


def upgrade(url: URL, service_scripts: Path) -> None:
    """Bring a service database to head: runtime tables first, then the service's read model."""
    with psycopg.connect(libpq_dsn(url), autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        command.upgrade(_config(RUNTIME_SCRIPTS, url, RUNTIME_VERSION_TABLE), "head")
        command.upgrade(_config(service_scripts, url, "alembic_version"), "head")


def run_env() -> None:
    """The body of every `env.py`: run migrations online against the URL the caller passed."""
    from alembic import context
    from sqlalchemy import create_engine

    config = context.config
    engine = create_engine(config.attributes["url"])
    with engine.connect() as connection:
        context.configure(connection=connection, version_table=config.attributes["version_table"])
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
