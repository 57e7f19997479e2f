"""JSON Schemas of every message, the committed snapshots of them, and the compatibility rule.

`tawasul schemas` writes the snapshots, and the AsyncAPI document, into `contracts/schemas/`;
the contract tests hold each committed file against what the code generates today.
"""

import json
from pathlib import Path
from typing import Any

from contracts import asyncapi
from contracts.envelope import Envelope
from contracts.events import EVENTS
from contracts.registry import RegistryChange
from contracts.submission import PortalSubmission

Schema = dict[str, Any]

SNAPSHOTS = Path(__file__).parent / "schemas"
"""Where the committed snapshots live."""

ASYNCAPI = "asyncapi.json"
"""The AsyncAPI document beside the snapshots; not a message schema, so not in `json_schemas()`."""

ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "$comment"})
"""Keywords that document a schema without changing what it accepts."""


def event_schema_name(type_: str, version: int) -> str:
    """The snapshot file name of one event version, relative to `SNAPSHOTS`."""
    return f"events/{type_}.v{version}.json"


def json_schemas() -> dict[str, Schema]:
    """Every message's JSON Schema by snapshot file name; an event's is that of its `data`."""
    schemas = {event_schema_name(t, v): model.model_json_schema() for (t, v), model in EVENTS.items()}
    schemas["envelope.v1.json"] = Envelope.model_json_schema()
    schemas["submission.v1.json"] = PortalSubmission.model_json_schema()
    schemas["registry.v1.json"] = RegistryChange.model_json_schema()
    return dict(sorted(schemas.items()))


def render(schema: Schema) -> str:
    """A schema as its snapshot file holds it."""
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def export(directory: Path) -> list[Path]:
    """Write every schema, and the AsyncAPI document (`ASYNCAPI`), under `directory`; return the files written."""
    files = {name: render(schema) for name, schema in json_schemas().items()}
    files[ASYNCAPI] = asyncapi.render(asyncapi.asyncapi_document())
    written = []
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def breaking_changes(committed: Schema, generated: Schema) -> list[str]:
    """Why data valid under `committed` may be refused, or read differently, under `generated`.

    Compatible means: every property keeps its shape, none turns required, and any new
    property is optional. Annotations (titles, descriptions, defaults) are ignored.
    """
    problems: list[str] = []
    _compare(_Side(committed, committed), _Side(generated, generated), "", problems)
    return problems


class _Side:
    """One schema node together with the document its `$ref`s point into."""

    def __init__(self, node: Schema, root: Schema) -> None:
        self.node, self.root = _resolve(node, root), root

    def at(self, node: Schema) -> "_Side":
        return _Side(node, self.root)


def _resolve(node: Schema, root: Schema) -> Schema:
    """`node` with a local `$ref` replaced by its target (sibling keywords kept)."""
    seen = set()
    while isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        ref = node["$ref"]
        seen.add(ref)
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _compare(old: _Side, new: _Side, path: str, problems: list[str], depth: int = 0) -> None:
    if depth > 32:  # a recursive model: what is above this depth has been compared
        return
    where = f"`{path}`" if path else "the message"
    _compare_properties(old, new, path, problems, depth)
    keys = (old.node.keys() | new.node.keys()) - ANNOTATIONS - {"properties", "required", "$defs"}
    for key in sorted(keys):
        before, after = old.node.get(key), new.node.get(key)
        if isinstance(before, dict) and isinstance(after, dict) and key not in ("const", "enum"):
            _compare(old.at(before), new.at(after), f"{path}.{key}" if path else key, problems, depth + 1)
        elif _both_schema_lists(before, after):
            for index, (b, a) in enumerate(zip(before, after, strict=True)):
                _compare(old.at(b), new.at(a), f"{path}.{key}[{index}]", problems, depth + 1)
        elif before != after:
            problems.append(f"{where}: {key!r} changed from {before!r} to {after!r}")


def _compare_properties(old: _Side, new: _Side, path: str, problems: list[str], depth: int) -> None:
    before, after = old.node.get("properties", {}), new.node.get("properties", {})
    was_required, is_required = set(old.node.get("required", ())), set(new.node.get("required", ()))
    prefix = f"{path}." if path else ""
    for name in sorted(before.keys() | after.keys()):
        field = f"`{prefix}{name}`"
        if name not in after:
            problems.append(f"{field}: removed")
        elif name not in before and name in is_required:
            problems.append(f"{field}: added as a required property")
        elif name in before and name in is_required - was_required:
            problems.append(f"{field}: was optional, is now required")
        if name in before and name in after:
            _compare(old.at(before[name]), new.at(after[name]), prefix + name, problems, depth + 1)


def _both_schema_lists(before: Any, after: Any) -> bool:
    """Two lists of sub-schemas (`anyOf`, `prefixItems`…) of the same length."""
    return (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and all(isinstance(item, dict) for item in before + after)
    )
