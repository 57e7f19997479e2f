"""Every Kafka client a service makes authenticates the same way: not at all on the embedded broker, as the
service's own SASL/SCRAM principal on a production cluster (deploy/ gives each principal its ACLs)."""

import ssl

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from services.kafka import client_options, create_broker, create_producer
from services.settings import Settings

SCRAM = Settings(kafka_security_protocol="SASL_SSL", kafka_username="routing", kafka_password="s3cret-routing")


def test_the_embedded_broker_gets_plain_clients():
    assert client_options(Settings()) == {}


async def test_the_producer_the_consumer_and_the_admin_client_all_sign_in_as_the_service_over_tls():
    producer = create_producer(SCRAM, "kafka-1:9092")
    consumer = AIOKafkaConsumer(**client_options(SCRAM), bootstrap_servers="kafka-1:9092")
    admin = AIOKafkaAdminClient(**client_options(SCRAM), bootstrap_servers="kafka-1:9092")
    for client in (producer.client, consumer._client, admin._client):
        assert (client._security_protocol, client._sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
        assert (client._sasl_plain_username, client._sasl_plain_password) == ("routing", "s3cret-routing")
        assert isinstance(client._ssl_context, ssl.SSLContext)
    await admin.close()


def test_the_service_consumer_signs_in_the_same_way():
    broker = create_broker(SCRAM, "kafka-1:9092", service="routing", topic_names=["tawasul.case-events"],
                           on_batch=None)  # type: ignore[arg-type]
    consumer = broker.config.broker_config.builder.keywords  # what FastStream builds each consumer with
    assert (consumer["security_protocol"], consumer["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (consumer["sasl_plain_username"], consumer["sasl_plain_password"]) == ("routing", "s3cret-routing")


def test_sasl_without_credentials_is_refused_and_the_password_never_printed():
    with pytest.raises(ValidationError, match="needs TAWASUL_KAFKA_USERNAME and TAWASUL_KAFKA_PASSWORD"):
        Settings(kafka_security_protocol="SASL_PLAINTEXT")
    assert "s3cret" not in repr(SCRAM) and "s3cret" not in str(SCRAM.model_dump())
