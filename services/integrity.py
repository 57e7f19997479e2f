"""Tamper evidence for every stored event: a hash of its canonical content, chained through its stream.

The canonical form of a stored event is the UTF-8 JSON of `{"envelope": ENVELOPE, "stream": STREAM}` — the
envelope exactly as stored (its JSON document) and the stream it was appended to — with object keys sorted, no
whitespace (`,` and `:` as separators), strings as they are (not escaped to ASCII), integers in decimal and
other numbers in their shortest round-trip form. Then, for the event at `sequence` n of a stream:

    content_hash = SHA-256(canonical form)
    chain_hash   = SHA-256(previous chain_hash || content_hash)   (32 zero bytes before the first event)

The database computes the chain on insert (`tawasul_contiguous`, one lookup of the predecessor by its unique key, as
the contiguity check already did), so writers of different streams never wait for each other; the writer
supplies the content hash. Editing an event's content breaks its own content hash; removing or reordering
events inside a stream breaks the chain of every event after it. Dropping a whole stream, or the last events of
one, leaves the chains intact: the store's Merkle tree and its signed checkpoints see that.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = bytes(32)
"""The chain hash before a stream's first event."""


def canonical(value: Any) -> bytes:
    """The canonical JSON of `value` (module docstring)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def content_hash(stream: str, envelope: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical({"envelope": envelope, "stream": stream})).digest()


def chained(previous: bytes | None, content: bytes) -> bytes:
    return hashlib.sha256((previous or GENESIS) + content).digest()


@dataclass(frozen=True)
class Broken:
    """The first stored event whose hashes do not hold, and why."""

    position: int
    event_id: str
    stream: str
    sequence: int
    reason: str


@dataclass(frozen=True)
class Stored:
    position: int
    event_id: str
    stream: str
    sequence: int
    envelope: dict[str, Any]
    content_hash: bytes
    previous_hash: bytes
    chain_hash: bytes


class Chains:
    """Checks stored events one at a time, in (stream, sequence) order, counting what it has seen."""

    def __init__(self) -> None:
        self.stream: str | None = None
        self.head, self.expected = GENESIS, 1
        self.events = self.streams = 0

    def check(self, row: Stored) -> Broken | None:
        """None if `row` holds: its content, its place in its stream and its chain."""
        if row.stream != self.stream:
            self.stream, self.head, self.expected, self.streams = row.stream, GENESIS, 1, self.streams + 1
        self.events += 1
        where = (row.position, row.event_id, row.stream, row.sequence)
        if row.sequence != self.expected:
            return Broken(*where, f"sequence {self.expected} of the stream is missing")
        if content_hash(row.stream, row.envelope) != row.content_hash:
            return Broken(*where, "its content is not what was stored (content hash)")
        if row.envelope.get("sequence") != row.sequence or row.envelope.get("event_id") != row.event_id:
            return Broken(*where, "its row does not say what its envelope says (event id or sequence)")
        if row.previous_hash != self.head:
            return Broken(*where, "it does not follow the event stored before it (previous hash)")
        if chained(self.head, row.content_hash) != row.chain_hash:
            return Broken(*where, "its chain hash is not its predecessor's and its content's")
        self.head, self.expected = row.chain_hash, self.expected + 1
        return None


def first_broken(rows: Iterable[Stored]) -> Broken | None:
    """The first broken link among `rows`, given in (stream, sequence) order; None if every one holds."""
    chains = Chains()
    return next((broken for row in rows if (broken := chains.check(row)) is not None), None)
