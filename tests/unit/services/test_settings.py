"""Settings are read when an app is built, and a namespace keeps systems apart on shared infrastructure."""

import pytest

from services.settings import Settings
from tawasul import system


def test_settings_come_from_the_environment_when_built(monkeypatch):
    monkeypatch.setenv("TAWASUL_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("TAWASUL_TOPIC_PARTITIONS", "12")
    settings = Settings()
    assert (settings.kafka_bootstrap, settings.topic_partitions) == ("kafka-1:9092,kafka-2:9092", 12)


def test_each_service_gets_its_own_database_on_the_server():
    settings = Settings(database_url="postgresql://tawasul:secret@db:5432/postgres")
    url = settings.service_database_url("routing")
    assert (url.drivername, url.host, url.database, url.password) == ("postgresql+psycopg", "db", "routing", "secret")


def test_a_namespace_prefixes_topics_groups_and_databases():
    settings = Settings(namespace="t1", database_url="postgresql://db/postgres")
    assert settings.topic("tawasul.case-events") == "t1.tawasul.case-events"
    assert settings.group("notify") == "t1.tawasul.notify"
    assert settings.service_database_url("notify").database == "t1_notify"
    plain = Settings()
    assert (plain.topic("tawasul.case-events"), plain.group("notify")) == ("tawasul.case-events", "tawasul.notify")


def test_each_service_has_its_fixed_port_unless_overridden():
    ports = [system.port_of(s, Settings()) for s in ("casework", "intake", "routing", "notify")]
    assert ports == [8080, 8081, 8082, 8083]
    assert system.port_of("intake", Settings(http_port=9999)) == 9999


def test_a_command_run_beside_tawasul_up_finds_its_broker_and_database(tmp_path):
    from services.supervisor import RUNNING, beside_running

    with pytest.raises(SystemExit, match="make run"):
        beside_running(Settings(home=tmp_path))
    (tmp_path / RUNNING).write_text('{"kafka_bootstrap": "127.0.0.1:9092", "database_url": "postgresql://h/p"}')
    found = beside_running(Settings(home=tmp_path))
    assert (found.kafka_bootstrap, found.database_url) == ("127.0.0.1:9092", "postgresql://h/p")
    given = Settings(home=tmp_path, kafka_bootstrap="kafka:9092", database_url="postgresql://db/postgres")
    assert beside_running(given) is given  # the environment wins
