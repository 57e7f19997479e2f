"""The embedded broker and database start, serve, and stop without leaving anything behind."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from services.embedded import EmbeddedKafka, EmbeddedPostgres, EmbeddedStartError
from services.topics import ensure_topics
from tests.infra import free_port


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedKafka]:
    log_path = tmp_path_factory.mktemp("kafka") / "tansu.log"
    with EmbeddedKafka(port=free_port(), log_path=log_path) as broker:
        yield broker


def _topics(prefix: str, count: int) -> list[str]:
    run = uuid.uuid4().hex[:8]
    return [f"{prefix}-{run}-{i}" for i in range(count)]


async def test_ensure_topics_creates_missing_topics_with_their_partitions(kafka: EmbeddedKafka) -> None:
    names = _topics("embedded", 3)
    await ensure_topics(kafka.bootstrap, names, 6)
    await ensure_topics(kafka.bootstrap, names, 6)  # a second call finds them all and changes nothing

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics(None)}
    finally:
        await admin.close()
    for name in names:
        assert sorted(p["partition"] for p in described[name]["partitions"]) == list(range(6))


async def test_a_keyed_message_is_consumed_back(kafka: EmbeddedKafka) -> None:
    [topic] = _topics("roundtrip", 1)
    await ensure_topics(kafka.bootstrap, [topic], 6)

    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, b'{"n": 1}', key=b"case-42")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=10)
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"case-42", b'{"n": 1}')
    assert (record.partition, record.offset) == (sent.partition, sent.offset)


def test_kafka_stop_leaves_no_process_and_frees_the_port(tmp_path: Path) -> None:
    broker = EmbeddedKafka(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    pid = broker.pid
    assert pid is not None and broker.alive()

    broker.stop()

    assert not broker.alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone and reaped, not a zombie
    with socket.socket() as sock:
        sock.bind((broker.host, broker.port))


def test_kafka_refuses_a_port_that_already_has_a_listener() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmbeddedStartError, match=str(port)):
            EmbeddedKafka(port=port).start()


def _execute(url: str | sa.URL, sql: str) -> object:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def _answers(url: str | sa.URL) -> bool:
    try:
        return _execute(url, "select 1") == 1
    except sa.exc.OperationalError:
        return False


def test_postgres_serves_queries_creates_databases_and_stops(tmp_path: Path) -> None:
    postgres = EmbeddedPostgres(tmp_path / "pgdata", keep=False)
    postgres.start()
    try:
        assert str(_execute(postgres.url, "show server_version_num")).startswith("18")
        _execute(postgres.url, "create database tawasul_probe")
        assert _answers(sa.make_url(postgres.url).set(database="tawasul_probe"))
    finally:
        url = postgres.url
        postgres.stop()

    assert not _answers(url)
    assert not (tmp_path / "pgdata").exists()


def test_postgres_second_start_reuses_the_server_and_keep_survives_stop(tmp_path: Path) -> None:
    data_dir = tmp_path / "pgdata"
    first = EmbeddedPostgres(data_dir)
    first.start()
    second = EmbeddedPostgres(data_dir)
    try:
        first.start()
        second.start()
        assert first.pid == second.pid
        _execute(first.url, "create table kept (n int)")
    finally:
        first.stop()
    assert not _answers(second.url)

    again = EmbeddedPostgres(data_dir)
    again.start()
    try:
        assert _execute(again.url, "select count(*) from kept") == 0
    finally:
        again.stop()
    assert (data_dir / "PG_VERSION").exists()
