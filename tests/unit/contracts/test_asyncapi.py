"""The AsyncAPI document: committed as generated, self-contained, and true to the contracts.

No package on PyPI ships the official AsyncAPI 3.0 JSON Schema for offline use, so the
document's structure is held here by the rules of the spec it relies on.
"""

import re
from typing import Any

import pytest

from contracts import topics
from contracts.asyncapi import CONTRACTS_VERSION, ROUTES, asyncapi_document, message_name, render
from contracts.events import EVENTS
from contracts.schemas import ASYNCAPI, SNAPSHOTS
from contracts.submission import PortalSubmission
from contracts.topics import CONSUMER_HEADER, DEAD_LETTER_HEADERS, REASON_HEADER, SOURCE_HEADER

DOCUMENT = asyncapi_document()
COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")


def resolve(ref: str, root: dict[str, Any]) -> Any:
    """The target of a local `$ref` (a JSON Pointer into `root`)."""
    assert ref.startswith("#/"), f"{ref} points outside the document"
    target: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(target, dict) and part in target, f"{ref} does not resolve"
        target = target[part]
    return target


def refs(node: Any) -> list[str]:
    """Every `$ref` in `node`, however deep."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def inlined(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """`node` with every `$ref` replaced by its target, and `$defs` dropped: what it accepts, spelled out."""
    assert depth < 32, "recursive schema"
    if isinstance(node, dict):
        if "$ref" in node:
            return inlined(resolve(node["$ref"], root), root, depth + 1)
        return {key: inlined(value, root, depth + 1) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [inlined(value, root, depth + 1) for value in node]
    return node


def channel_message(topic: str, name: str) -> dict[str, Any]:
    channel = DOCUMENT["channels"][topic]
    assert name in channel["messages"], f"{name} is not a message of {topic}"
    return inlined(channel["messages"][name], DOCUMENT)


def test_the_committed_document_is_the_generated_one() -> None:
    path = SNAPSHOTS / ASYNCAPI
    assert path.exists(), f"no committed {ASYNCAPI}: run `tawasul schemas` and commit it"
    assert path.read_text(encoding="utf-8") == render(DOCUMENT), f"{ASYNCAPI} is stale: run `tawasul schemas`"


def test_the_document_has_what_asyncapi_3_requires() -> None:
    assert DOCUMENT["asyncapi"] == "3.0.0"
    assert DOCUMENT["info"]["title"] == "Tawasul"
    assert DOCUMENT["info"]["version"] == CONTRACTS_VERSION
    server = DOCUMENT["servers"]["kafka"]
    assert server["protocol"] == "kafka"
    assert set(re.findall(r"{(\w+)}", server["host"])) == set(server["variables"])
    assert {"channels", "operations", "components"} <= DOCUMENT.keys()
    for kind, entries in DOCUMENT["components"].items():
        assert all(COMPONENT_KEY.match(key) for key in entries), f"components.{kind} has a key the spec refuses"


def test_every_ref_resolves_inside_the_document() -> None:
    found = refs(DOCUMENT)
    assert found
    for ref in found:
        resolve(ref, DOCUMENT)


def test_no_schema_keeps_its_own_definitions() -> None:
    assert "$defs" not in str(DOCUMENT)


def test_every_operation_uses_its_channel_and_messages_of_that_channel() -> None:
    for name, operation in DOCUMENT["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        assert operation["summary"], name
        channel = resolve(operation["channel"]["$ref"], DOCUMENT)
        prefix = operation["channel"]["$ref"] + "/messages/"
        assert operation["messages"], name
        for message in operation["messages"]:
            assert message["$ref"].startswith(prefix), f"{name}: {message['$ref']} is not on its channel"
            assert message["$ref"].removeprefix(prefix) in channel["messages"]


def test_a_portal_sends_submissions_and_receives_results() -> None:
    portals = [op for name, op in DOCUMENT["operations"].items() if name.startswith("portals.")]
    assert {(op["action"], op["channel"]["$ref"].removeprefix("#/channels/")) for op in portals} == {
        ("send", topics.SUBMISSIONS),
        ("receive", topics.SUBMISSION_RESULTS),
    }
    assert all("portal" in op["description"] for op in portals)


def test_every_topic_has_a_channel_and_every_read_topic_a_dead_letter_channel() -> None:
    assert set(ROUTES) == set(topics.ALL)
    read = (topics.SUBMISSIONS, topics.CASE_EVENTS, topics.REGISTRY)
    expected = {*topics.ALL, *(topics.dead_letters(t) for t in read)}
    assert set(DOCUMENT["channels"]) == expected
    for topic, channel in DOCUMENT["channels"].items():
        assert channel["address"] == topic


@pytest.mark.parametrize("key", sorted(EVENTS), ids=lambda key: message_name(*key))
def test_every_event_is_an_envelope_on_the_channel_of_its_topic(key: tuple[str, int]) -> None:
    model = EVENTS[key]
    message = channel_message(model.TOPIC, message_name(*key))
    assert message["name"] == message_name(model.TYPE, model.VERSION)
    envelope, specific = message["payload"]["allOf"]
    assert "data" in envelope["required"]
    assert specific["properties"]["type"] == {"const": model.TYPE}
    assert specific["properties"]["version"] == {"const": model.VERSION}
    schema = model.model_json_schema()
    assert specific["properties"]["data"] == inlined(schema, schema)
    assert message["bindings"]["kafka"]["key"]["type"] == "string"


def test_the_submissions_channel_carries_the_portal_submission() -> None:
    (name,) = DOCUMENT["channels"][topics.SUBMISSIONS]["messages"]
    message = channel_message(topics.SUBMISSIONS, name)
    schema = PortalSubmission.model_json_schema()
    assert message["payload"] == inlined(schema, schema)
    assert "submission_id" in message["bindings"]["kafka"]["key"]["description"]


@pytest.mark.parametrize("topic", [topics.dead_letters(topics.SUBMISSIONS), topics.dead_letters(topics.CASE_EVENTS)])
def test_dead_letters_are_the_original_bytes_with_the_consumers_headers(topic: str) -> None:
    (message,) = [channel_message(topic, name) for name in DOCUMENT["channels"][topic]["messages"]]
    assert message["payload"]["format"] == "binary"
    required = set(message["headers"]["required"])
    assert required == set(DEAD_LETTER_HEADERS) == {REASON_HEADER, SOURCE_HEADER, CONSUMER_HEADER}
