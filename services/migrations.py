"""Versioned schema changes through Alembic: one history for the shared runtime tables, one per service."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

RUNTIME_SCRIPTS = Path(__file__).parent / "schema"
RUNTIME_VERSION_TABLE = "tawasul_runtime_version"


def _config(scripts: Path, url: URL, version_table: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.attributes["url"] = url
    config.attributes["version_table"] = version_table
    return config


def upgrade(url: URL, service_scripts: Path) -> None:
    """Bring a service database to head: runtime tables first, then the service's read model."""
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
