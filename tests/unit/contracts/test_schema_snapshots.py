"""The committed JSON Schema snapshots hold: every change to a message is compatible or versioned."""

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from contracts.schemas import SNAPSHOTS, breaking_changes, json_schemas, render
from contracts.upcasting import UPCASTERS, latest_version

GENERATED = json_schemas()
REEXPORT = "re-export the snapshots with `tawasul schemas` and commit them"


def committed(name: str) -> dict:
    """The committed snapshot `name`; fails the test when there is none."""
    path = SNAPSHOTS / name
    if not path.exists():
        pytest.fail(f"no committed snapshot {name}: {REEXPORT}")
    return json.loads(path.read_text(encoding="utf-8"))


def schema(model: type[BaseModel]) -> dict:
    """The JSON Schema of a test-local message."""
    return model.model_json_schema()


@pytest.mark.parametrize("name", GENERATED)
def test_each_message_is_compatible_with_its_committed_snapshot(name: str) -> None:
    problems = breaking_changes(committed(name), GENERATED[name])
    assert not problems, (
        f"{name} changed incompatibly:\n  " + "\n  ".join(problems) + "\n"
        "Keep this version as it was: bump the version (a new model with VERSION + 1) "
        "and add an upcaster in contracts.upcasting from the old version."
    )


@pytest.mark.parametrize("name", GENERATED)
def test_each_committed_snapshot_is_current(name: str) -> None:
    snapshot = committed(name)  # an incompatible change fails here too, and the test above says what to do
    assert render(snapshot) == render(GENERATED[name]), f"{name} is stale: {REEXPORT}"


@pytest.mark.parametrize("path", sorted(SNAPSHOTS.glob("events/*.json")), ids=lambda p: p.name)
def test_every_committed_event_version_upcasts_to_the_latest(path: Path) -> None:
    type_, version = path.name.removesuffix(".json").rsplit(".v", 1)
    steps = range(int(version), latest_version(type_))
    missing = [f"v{v} -> v{v + 1}" for v in steps if (type_, v) not in UPCASTERS]
    assert not missing, f"{type_}: add upcasters {', '.join(missing)} so stored v{version} events decode"



# The checker itself, on two versions of a small message.


class Address(BaseModel):
    city: str


class Message(BaseModel):
    name: str
    size: int
    note: str | None = None
    address: Address


class WithoutSize(BaseModel):
    name: str
    note: str | None = None
    address: Address


class SizeAsText(BaseModel):
    name: str
    size: str
    note: str | None = None
    address: Address


class WithRequiredOwner(Message):
    owner: str


class WithOptionalTag(Message):
    tag: str | None = None


class NoteRequired(BaseModel):
    name: str
    size: int
    note: str | None
    address: Address


class PostalAddress(BaseModel):
    city: int


class WithPostalAddress(BaseModel):
    name: str
    size: int
    note: str | None = None
    address: PostalAddress


def test_an_unchanged_schema_is_compatible() -> None:
    assert breaking_changes(schema(Message), schema(Message)) == []


def test_a_new_optional_field_is_compatible() -> None:
    assert breaking_changes(schema(Message), schema(WithOptionalTag)) == []


def test_a_removed_field_is_breaking() -> None:
    assert breaking_changes(schema(Message), schema(WithoutSize)) == ["`size`: removed"]


def test_a_type_change_is_breaking() -> None:
    assert breaking_changes(schema(Message), schema(SizeAsText)) == [
        "`size`: 'type' changed from 'integer' to 'string'"
    ]


def test_a_new_required_field_is_breaking() -> None:
    assert breaking_changes(schema(Message), schema(WithRequiredOwner)) == [
        "`owner`: added as a required property"
    ]


def test_an_optional_field_turned_required_is_breaking() -> None:
    assert breaking_changes(schema(Message), schema(NoteRequired)) == [
        "`note`: was optional, is now required"
    ]


def test_a_change_behind_a_ref_is_breaking() -> None:
    assert breaking_changes(schema(Message), schema(WithPostalAddress)) == [
        "`address.city`: 'type' changed from 'string' to 'integer'"
    ]


def test_annotations_are_not_changes() -> None:
    documented = schema(Message) | {"title": "Renamed", "description": "now documented"}
    assert breaking_changes(schema(Message), documented) == []
