"""The AsyncAPI 3.0 document of Tawasul's topics, generated from the contracts.

Which event travels on which topic comes from `EVENTS` (each event's `TOPIC`), and which service
writes it from each event's `PRODUCER`, so a new event appears here by itself; `ROUTES` says what
each topic is keyed by, who outside the services writes it, and who reads it.
Every JSON Schema sits under `components.schemas` and every `$ref` points inside the
document. `tawasul schemas` writes it to `contracts/schemas/asyncapi.json`.
"""

import json
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from contracts import topics
from contracts.envelope import Envelope
from contracts.events import EVENTS
from contracts.registry import RegistryChange
from contracts.submission import PortalSubmission

Document = dict[str, Any]

CONTRACTS_VERSION = "1"
"""The version of the contracts as a whole; `info.version` of the document."""

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SERVER = "kafka"
SCHEMAS = "#/components/schemas/"
ENVELOPE = "Envelope.v1"
SUBMISSION = "PortalSubmission.v1"
REGISTRY = "RegistryChange.v1"
DEAD_LETTER = "DeadLetter"


@dataclass(frozen=True)
class Route:
    """Who writes and who reads one topic, and what its Kafka key is."""

    key: str
    description: str
    writers: tuple[str, ...]
    """Who outside the services writes here; the services that do come from their events' `PRODUCER`."""
    readers: tuple[str, ...]
    portals: str = ""
    """What a portal does here (`send` or `receive`), if it takes part."""


ROUTES: dict[str, Route] = {
    topics.SUBMISSIONS: Route(
        key="submission_id, the portal's idempotency key",
        description="Portals publish a beneficiary's request here; intake answers each one once.",
        writers=("portals",), readers=("intake",), portals="send",
    ),
    topics.SUBMISSION_RESULTS: Route(
        key="submission_id of the submission answered",
        description="Intake's answer to every submission: accepted with a tracking number, or rejected with reasons.",
        writers=(), readers=("portals",), portals="receive",
    ),
    topics.CASE_EVENTS: Route(
        key="the tracking number (the envelope's case_id), so one case stays in one partition",
        description="The append-only case log: every case's events in order, in one partition per case.",
        writers=(), readers=("intake", "routing", "casework", "notify"),
    ),
    topics.REGISTRY: Route(
        key="account_id of the account holder",
        description="The population registry publishes who is linked to whose account (dependents, sponsored "
        "residents, visitors); intake keeps its own read model of the links to check a request's subject.",
        writers=("registry",), readers=("intake",),
    ),
}
"""Every topic in `topics.ALL`; a topic some Tawasul service reads has a dead-letter topic too."""

PORTALS = {
    "send": "A portal (Absher, Muqeem) publishes a beneficiary's request, keyed by its submission_id; "
    "resending the same submission_id is answered once.",
    "receive": "A portal (Absher, Muqeem) reads intake's answer to each of its submissions, keyed by submission_id: "
    "SubmissionAccepted with the tracking number, or SubmissionRejected with the reasons.",
}
"""The operations of a portal, described from the portal's side."""


EXTERNAL = frozenset({"portals", "operators", "registry"})
"""Parties outside Tawasul's services."""


def message_name(type_: str, version: int) -> str:
    return f"{type_}.v{version}"


def writers(topic: str) -> tuple[str, ...]:
    """Everyone who writes `topic`: the parties `ROUTES` names, then the services whose events travel on it."""
    producers = dict.fromkeys(model.PRODUCER for model in EVENTS.values() if model.TOPIC == topic)
    return (*ROUTES[topic].writers, *producers)


def routes() -> dict[str, Route]:
    """Every topic with all its writers, plus a dead-letter topic for every topic a Tawasul service reads, written
    by those services."""
    result = {topic: replace(route, writers=writers(topic)) for topic, route in ROUTES.items()}
    for topic, route in ROUTES.items():
        readers = _services(route.readers)
        if readers:
            result[topics.dead_letters(topic)] = Route(
                key="the original message's key",
                description=f"Dead letters of `{topic}`: what {_names(readers)} could never apply. Operators read it.",
                writers=readers, readers=("operators",),
            )
    return result


def asyncapi_document() -> Document:
    """The whole AsyncAPI 3.0 document as a JSON-ready dict."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    on_topic: dict[str, list[str]] = {topic: [] for topic in topics.ALL}

    _add_schema(schemas, ENVELOPE, Envelope)
    _add_schema(schemas, SUBMISSION, PortalSubmission)
    schemas["TraceContext"] = _trace_context()
    schemas["DeadLetterHeaders"] = _dead_letter_headers()
    messages[SUBMISSION] = _message(SUBMISSION, PortalSubmission.__doc__ or "", SUBMISSION, topics.SUBMISSIONS)
    on_topic[topics.SUBMISSIONS].append(SUBMISSION)
    _add_schema(schemas, REGISTRY, RegistryChange)
    messages[REGISTRY] = _message(REGISTRY, RegistryChange.__doc__ or "", REGISTRY, topics.REGISTRY)
    on_topic[topics.REGISTRY].append(REGISTRY)
    for (type_, version), model in EVENTS.items():
        name = message_name(type_, version)
        if model.TOPIC not in on_topic:
            raise ValueError(f"{name} travels on {model.TOPIC!r}: add it to topics.ALL and asyncapi.ROUTES")
        _add_schema(schemas, name, model)
        schemas[f"{name}.envelope"] = _enveloped(type_, version, name)
        summary = f"{type_} version {version} in an envelope whose `data` is {name}."
        messages[name] = _message(name, summary, f"{name}.envelope", model.TOPIC)
        on_topic[model.TOPIC].append(name)
    messages[DEAD_LETTER] = _dead_letter()

    channels = {
        topic: _channel(topic, route.description, on_topic.get(topic, [DEAD_LETTER]))
        for topic, route in routes().items()
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Tawasul",
            "version": CONTRACTS_VERSION,
            "description": "Requests a beneficiary could not finish on a portal: the submission, intake's answer, "
            "and the case log that intake, routing, casework and notify share over Kafka.",
        },
        "defaultContentType": "application/json",
        "servers": {
            SERVER: {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "The Kafka cluster (TAWASUL_KAFKA_BOOTSTRAP).",
                "variables": {"bootstrap": {"default": "127.0.0.1:9092", "description": "bootstrap host:port"}},
            }
        },
        "channels": channels,
        "operations": _operations(channels),
        "components": {"schemas": schemas, "messages": messages},
    }


def render(document: Document) -> str:
    """The document as `asyncapi.json` holds it (keys in the order the spec reads best)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _add_schema(schemas: dict[str, Any], name: str, model: type[BaseModel]) -> None:
    """`model`'s schema as `name`, its `$defs` lifted beside it; a name two models define differently fails."""
    schema = model.model_json_schema(ref_template=SCHEMAS + "{model}")
    for nested, definition in {**schema.pop("$defs", {}), name: schema}.items():
        if schemas.setdefault(nested, definition) != definition:
            raise ValueError(f"two models define the schema {nested!r} differently: rename one")


def _enveloped(type_: str, version: int, data: str) -> dict[str, Any]:
    return {
        "title": f"{type_} v{version} envelope",
        "allOf": [
            {"$ref": SCHEMAS + ENVELOPE},
            {
                "type": "object",
                "properties": {
                    "type": {"const": type_},
                    "version": {"const": version},
                    "data": {"$ref": SCHEMAS + data},
                },
            },
        ],
    }


def _message(name: str, summary: str, payload: str, topic: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": name,
        "summary": summary.strip(),
        "contentType": "application/json",
        "headers": {"$ref": SCHEMAS + "TraceContext"},
        "payload": {"$ref": SCHEMAS + payload},
        "bindings": _key(ROUTES[topic].key),
    }


def _dead_letter() -> dict[str, Any]:
    return {
        "name": DEAD_LETTER,
        "title": DEAD_LETTER,
        "summary": "A message no consumer could apply: its original bytes, key and headers, plus why.",
        "contentType": "application/octet-stream",
        "headers": {"$ref": SCHEMAS + "DeadLetterHeaders"},
        "payload": {"type": "string", "format": "binary", "description": "the original message bytes, unchanged"},
        "bindings": _key("the original message's key"),
    }


def _key(description: str) -> dict[str, Any]:
    return {"kafka": {
        "key": {"type": "string", "description": description},
        "bindingVersion": KAFKA_BINDING_VERSION,
    }}


def _trace_context() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "W3C trace context; a consumer continues the trace of the message it handles.",
        "properties": {"traceparent": {"type": "string"}, "tracestate": {"type": "string"}},
    }


def _dead_letter_headers() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "The original message's headers, plus these.",
        "properties": {name: {"type": "string", "description": text}
                       for name, text in topics.DEAD_LETTER_HEADERS.items()},
        "required": list(topics.DEAD_LETTER_HEADERS),
    }


def _channel(address: str, description: str, messages: list[str]) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "servers": [{"$ref": f"#/servers/{SERVER}"}],
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {"kafka": {"topic": address, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _operations(channels: dict[str, Any]) -> dict[str, Any]:
    """A portal's operations, then one `send` per channel a service writes and one `receive` per channel one reads."""
    operations: dict[str, Any] = {}
    for topic, route in ROUTES.items():
        if route.portals:
            verb = "publish to" if route.portals == "send" else "consume"
            summary = f"From a portal's side: {verb} {topic}."
            operations[f"portals.{route.portals}.{topic}"] = _operation(
                route.portals, topic, channels[topic], summary, PORTALS[route.portals]
            )
    for action, done in (("send", "Published to"), ("receive", "Consumed from")):
        for topic, route in routes().items():
            services = _services(route.writers if action == "send" else route.readers)
            if services:
                summary = f"{done} {topic} by {_names(services)}."
                operations[f"services.{action}.{topic}"] = _operation(action, topic, channels[topic], summary)
    return operations


def _operation(action: str, topic: str, channel: dict[str, Any], summary: str, description: str = "") -> dict[str, Any]:
    operation = {
        "action": action,
        "channel": {"$ref": f"#/channels/{topic}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{topic}/messages/{name}"} for name in channel["messages"]],
    }
    if description:
        operation["description"] = description
    return operation


def _services(parties: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(party for party in parties if party not in EXTERNAL)


def _names(services: tuple[str, ...]) -> str:
    return services[0] if len(services) == 1 else ", ".join(services[:-1]) + " and " + services[-1]
