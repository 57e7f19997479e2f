"""The one place that decides which Kafka and PostgreSQL the tests run against.

In order: addresses from the environment (`TAWASUL_KAFKA_BOOTSTRAP`, `TAWASUL_DATABASE_URL`,
each on its own); testcontainers when `TAWASUL_TEST_INFRA=containers` and a Docker engine
answers; otherwise the embedded Tansu broker and PostgreSQL. Tests only see `Infra`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog

from services.embedded import EmbeddedKafka, EmbeddedPostgres

KAFKA_ENV = "TAWASUL_KAFKA_BOOTSTRAP"
DATABASE_ENV = "TAWASUL_DATABASE_URL"
MODE_ENV = "TAWASUL_TEST_INFRA"
# testcontainers' KafkaContainer drives Confluent's image of Apache Kafka; run in KRaft mode.
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
POSTGRES_IMAGE = "postgres:18"

log = structlog.get_logger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Infra:
    """Where the tests' broker and database are.

    `kind` is "env", "containers" or "embedded"; "<kafka kind>+<database kind>" when they differ.
    `database_url` is a server URL (database `postgres`); tests derive their own databases.
    """

    kafka_bootstrap: str
    database_url: str
    kind: str


@contextmanager
def provide_infra(tmp_dir: Path) -> Iterator[Infra]:
    """Yield the infrastructure for a test session, stopping whatever was started here."""
    kafka = os.environ.get(KAFKA_ENV) or None
    database = os.environ.get(DATABASE_ENV) or None
    backend = "env"
    if kafka is None or database is None:
        backend = "containers" if _containers_wanted() else "embedded"
    with ExitStack() as stack:
        kafka_kind = database_kind = "env"
        if kafka is None:
            kafka, kafka_kind = stack.enter_context(_kafka(backend, tmp_dir)), backend
        if database is None:
            database, database_kind = stack.enter_context(_database(backend, tmp_dir)), backend
        kind = kafka_kind if kafka_kind == database_kind else f"{kafka_kind}+{database_kind}"
        log.info("test_infra.ready", kind=kind, kafka=kafka, database=database)
        yield Infra(kafka_bootstrap=kafka, database_url=database, kind=kind)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    with provide_infra(tmp_path_factory.mktemp("infra")) as value:
        yield value


def _containers_wanted() -> bool:
    if os.environ.get(MODE_ENV) != "containers":
        return False
    if _docker_reachable():
        return True
    log.warning("test_infra.no_docker", fallback="embedded")
    return False


def _docker_reachable() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no socket, no permission, no daemon: all mean "not reachable"
        return False


def _kafka(backend: str, tmp_dir: Path) -> AbstractContextManager[str]:
    return _kafka_container() if backend == "containers" else _embedded_kafka(tmp_dir)


def _database(backend: str, tmp_dir: Path) -> AbstractContextManager[str]:
    return _postgres_container() if backend == "containers" else _embedded_postgres(tmp_dir)


@contextmanager
def _embedded_kafka(tmp_dir: Path) -> Iterator[str]:
    with EmbeddedKafka(port=free_port(), log_path=tmp_dir / "tansu.log") as kafka:
        yield kafka.bootstrap


@contextmanager
def _embedded_postgres(tmp_dir: Path) -> Iterator[str]:
    with EmbeddedPostgres(tmp_dir / "pgdata", keep=False) as postgres:
        yield postgres.url


@contextmanager
def _kafka_container() -> Iterator[str]:
    from testcontainers.community.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        yield kafka.get_bootstrap_server()


@contextmanager
def _postgres_container() -> Iterator[str]:
    from testcontainers.community.postgres import PostgresContainer

    container = PostgresContainer(
        POSTGRES_IMAGE, username="postgres", password="postgres", dbname="postgres", driver="psycopg"
    )
    with container as postgres:
        yield postgres.get_connection_url()
