"""The production stack in deploy/ authenticates every Kafka client and lets each write only what it owns: the
ACLs kafka-init applies are the ones the code implies, and every service signs in as itself."""

import re
from pathlib import Path

import yaml

from contracts import topics
from contracts.events import EVENTS
from services.kafka import all_topics
from services.settings import Settings
from tawasul import acls, system

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_committed_acls_are_the_ones_the_code_implies():
    committed = (DEPLOY / "kafka-acls.sh").read_text()
    assert committed == acls.script(), "deploy/kafka-acls.sh is stale: run `tawasul schemas`"


def test_each_service_writes_only_its_own_events_topics_and_the_dead_letters_of_what_it_reads():
    by_name = {principal.name: principal for principal in acls.principals()}
    owners = {(model.PRODUCER, model.TOPIC) for model in EVENTS.values()}
    for name in system.NAMES:
        principal = by_name[name]
        for topic in principal.writes:
            assert (name, topic) in owners or (topic.endswith(".dlq") and topic.removesuffix(".dlq") in principal.reads)
    assert by_name["routing"].writes == ("tawasul.case-events", "tawasul.case-events.dlq")
    assert not any(topics.SUBMISSIONS in by_name[name].writes for name in system.NAMES)  # portals alone submit
    assert [p.name for p in acls.principals() if topics.REGISTRY in p.writes] == ["registry"]
    assert [p.name for p in acls.principals() if topics.SUBMISSIONS in p.reads] == ["intake"]


def test_every_broker_listener_authenticates_and_what_no_acl_allows_is_denied():
    for broker in ("kafka-1", "kafka-2", "kafka-3"):
        env = COMPOSE["services"][broker]["environment"]
        protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
        assert set(protocols.values()) == {"SASL_PLAINTEXT"}
        assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
        assert env["KAFKA_SUPER_USERS"] == "User:admin"
        assert env["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")


def test_every_service_signs_in_as_itself_and_kafka_init_creates_every_topic_and_applies_the_acls():
    for name in system.NAMES:
        env = COMPOSE["services"][name]["environment"]
        assert env["TAWASUL_KAFKA_USERNAME"] == name
        assert env["TAWASUL_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert f"KAFKA_PASSWORD_{name.upper()}" in env["TAWASUL_KAFKA_PASSWORD"]
    init = COMPOSE["services"]["kafka-init"]
    script = init["command"][0]
    created = set(re.findall(r"^topic (\S+)", script, flags=re.M))
    assert created == set(all_topics(Settings())), "no service may create a topic: kafka-init must create each"
    assert "./kafka-acls.sh:/etc/tawasul/kafka-acls.sh:ro" in init["volumes"]
    assert ". /etc/tawasul/kafka-acls.sh" in script
    for principal in acls.principals():
        assert f"KAFKA_PASSWORD_{principal.name.upper()}" in init["environment"]
