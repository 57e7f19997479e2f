"""Reading events of any known version: upcast old `data` step by step, then validate it.

A breaking change to an event is a new version plus one upcaster from the old version.
Register it on `UPCASTERS`; tests build their own `Upcasters` and pass it to `decode_event`.
"""

from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import Any

from contracts.envelope import Envelope
from contracts.events import EVENTS, Event

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]
Events = Mapping[tuple[str, int], type[Event]]


class UnknownEventType(ValueError):
    """The envelope names a type, or a version of it, that this code base does not know."""


class Upcasters:
    """Upcasters by `(type, from_version)`; each returns the data of `from_version + 1`."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: `fn` moves `type_` data from `from_version` to the next version."""

        def add(fn: Upcaster) -> Upcaster:
            key = (type_, from_version)
            if key in self._steps:
                raise ValueError(f"an upcaster for {type_} v{from_version} is already registered")
            self._steps[key] = fn
            return fn

        return add

    def __contains__(self, key: object) -> bool:
        return key in self._steps

    def upcast(self, type_: str, data: Data, *, from_version: int, to_version: int) -> Data:
        """Apply the chain of upcasters from `from_version` to `to_version` to a copy of `data`."""
        data = deepcopy(data)
        for version in range(from_version, to_version):
            step = self._steps.get((type_, version))
            if step is None:
                raise LookupError(f"no upcaster registered for {type_} v{version} -> v{version + 1}")
            data = step(data)
        return data


UPCASTERS = Upcasters()
"""The upcasters of every event in `EVENTS`."""


@UPCASTERS.register("Resolved", 1)
def _resolved_v1(data: Data) -> Data:
    """v1 knew `completed` and `declined`; a declined case is a rejected one whose reason the reply gives."""
    declined = data.get("outcome") == "declined"
    return {**data, "outcome": "rejected" if declined else data.get("outcome"),
            "rejection_reason": "other" if declined else None}


_LATEST = {name: max(version for known, version in EVENTS if known == name) for name, _ in EVENTS}
"""The highest version of each event type of `EVENTS`."""


def latest_version(type_: str, *, events: Events = EVENTS) -> int:
    """The highest version of `type_` in `events`; `UnknownEventType` if there is none."""
    if events is EVENTS and type_ in _LATEST:
        return _LATEST[type_]
    versions = [version for known, version in events if known == type_]
    if not versions:
        known = ", ".join(sorted({name for name, _ in events}))
        raise UnknownEventType(f"unknown event type {type_!r}; known types: {known}")
    return max(versions)


def decode_event(
    envelope: Envelope, *, events: Events = EVENTS, upcasters: Upcasters = UPCASTERS
) -> Event:
    """The envelope's event at the latest version of its type.

    Fields this version does not know (added by a newer producer) are ignored; other bad
    data raises pydantic's `ValidationError`.
    """
    latest = latest_version(envelope.type, events=events)
    if envelope.version > latest:
        raise UnknownEventType(
            f"unknown event version {envelope.type} v{envelope.version}; the latest known is v{latest}"
        )
    data = envelope.data
    if envelope.version < latest:
        data = upcasters.upcast(envelope.type, data, from_version=envelope.version, to_version=latest)
    return events[(envelope.type, latest)].model_validate(data, extra="ignore")
