"""Casework's copy of the case log, for the auditors: one row per event of every case, of every type the log
carries (every service's — intake's, routing's, casework's own and notify's notifications), each as its envelope
says: producer, type and version, the producer's sequence, when, what caused it and its correlation, and its data.
The auditor's page (`casework.history_page`) tells a case's whole history from here, and what every service's read
models said of it at any moment, without reading another service's database.

Folded from the case log like the queue and the timeline (casework's own events as it emits them, in the same
transaction); a row, once written, never changes.

**Contact details are not kept.** Each e-mail address and mobile number a `RequestSubmitted` carries is replaced by
`REDACTED`; its keys stay, so a row still decodes as the event it was (the page folds it through every service's
projections for as-of, and none of what as-of shows comes from a contact) and says which contacts the beneficiary
gave, never what they are. ID numbers are kept, as in the queue and the timeline: the page masks them.
"""

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from contracts import EVENTS, Envelope, RequestSubmitted, topics
from services.projection import Row, of_the_case_log

metadata = MetaData()

case_log = Table(
    "case_log",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("case_id", Text, nullable=False),
    Column("producer", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Column("causation_id", Uuid),
    Column("data", JSONB, nullable=False),  # as on the wire (its version's shape), contact details redacted
)

REDACTED = "redacted"
PERSONAL: dict[str, tuple[str, ...]] = {RequestSubmitted.TYPE: ("contact",)}
"""The fields of each event type whose values casework does not keep (each value given becomes `REDACTED`)."""


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    return None if value is None else REDACTED


def redacted(envelope: Envelope) -> dict[str, Any]:
    """The envelope's data as casework keeps it: every value of its personal fields replaced, the keys kept."""
    personal = PERSONAL.get(envelope.type)
    if personal is None:
        return envelope.data
    return {key: _blank(value) if key in personal else value for key, value in envelope.data.items()}


def envelope_of(row: Any) -> Envelope:
    """A row as the envelope it keeps (its data redacted)."""
    return Envelope(event_id=row.event_id, type=row.type, version=row.version, case_id=row.case_id,
                    sequence=row.sequence, occurred_at=row.occurred_at, producer=row.producer,
                    correlation_id=row.correlation_id, causation_id=row.causation_id, data=row.data)


def _kept(row: Row | None, envelope: Envelope, event: Any) -> Row:
    return row or dict(event_id=envelope.event_id, case_id=envelope.case_id, producer=envelope.producer,
                       type=envelope.type, version=envelope.version, sequence=envelope.sequence,
                       occurred_at=envelope.occurred_at, correlation_id=envelope.correlation_id,
                       causation_id=envelope.causation_id, data=redacted(envelope))


CASE_LOG = of_the_case_log(case_log, dict.fromkeys((model for model in EVENTS.values()
                                                     if model.TOPIC == topics.CASE_EVENTS), _kept),
                           key=lambda envelope: (envelope.event_id,), write_once=True)
