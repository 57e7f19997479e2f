"""Intake's own tables — answered submissions, stored attachments, portal keys — and its read models with the
folds that build them: the registry's links (from `tawasul.registry`), and each request's owner and public
history (from the case log), which status lookups read.

Intake folds its own `RequestSubmitted` and `InfoProvided` as it emits them (a request's status is readable at
once); when they come back from the log the fold finds them applied and changes nothing.
"""

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from contracts import Envelope, InfoProvided, RequestSubmitted
from contracts.registry import RegistryChange
from intake.status import PUBLIC, public_part
from services.projection import Projection, Row, of_the_case_log

metadata = MetaData()

tracking_serial = Sequence("tracking_serial", metadata=metadata)

submissions = Table(
    "submissions",
    metadata,
    Column("submission_id", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("status", Text, nullable=False),  # accepted | rejected
    Column("tracking_number", Text, unique=True),
    Column("reasons", JSONB),  # the rejection's reasons, so a repeat gets the same answer
    Column("answered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("content_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary),  # None when the bytes live in the filesystem store
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

links = Table(
    "links",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("relation", Text, nullable=False),
    Column("nationality", Text, nullable=False),
    Column("linked", Boolean, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Text, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_hash", Text, primary_key=True),
    Column("principal", Text, nullable=False),  # a portal's name, or an officer's id
    Column("role", Text, nullable=False),  # portal | officer
    Column("label", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)

requests = Table(
    "requests",
    metadata,
    Column("tracking_number", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("portal", Text),  # the portal it came through: only that portal's key reaches it
    Column("section", Text, nullable=False),
    Column("sub_service", Text, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("attachments", JSONB, nullable=False),  # every file of the request, its answers' too
    Column("correlation_id", Uuid, nullable=False),
)

request_history = Table(
    "request_history",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("tracking_number", Text, nullable=False, index=True),
    Column("type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=False),  # the public part of the event only
)


def _owner(row: Row | None, envelope: Envelope, event: RequestSubmitted) -> Row:
    if row is not None:
        return row  # a request is submitted once
    return dict(tracking_number=envelope.case_id, account_id=event.account_id, portal=event.portal,
                section=event.section,
                sub_service=event.sub_service, submitted_at=event.submitted_at,
                attachments=[ref.model_dump(mode="json") for ref in event.attachments],
                correlation_id=envelope.correlation_id)


def _answered(row: Row | None, envelope: Envelope, event: InfoProvided) -> Row | None:
    if row is None:
        return None
    known = {ref["sha256"] for ref in row["attachments"]}
    added = [ref.model_dump(mode="json") for ref in event.attachments if ref.sha256 not in known]
    return {**row, "attachments": [*row["attachments"], *added]} if added else row


REQUESTS = of_the_case_log(requests, {RequestSubmitted: _owner, InfoProvided: _answered})
"""Who owns each request, and every file it carries (its answers' too)."""


def _public(row: Row | None, envelope: Envelope, event: Any) -> Row:
    return row or dict(event_id=envelope.event_id, tracking_number=envelope.case_id, type=envelope.type,
                       occurred_at=envelope.occurred_at, data=public_part(event))


HISTORY = of_the_case_log(request_history, dict.fromkeys(PUBLIC, _public), key=lambda envelope: (envelope.event_id,),
                          write_once=True)
"""The public part of every event a beneficiary may hear of, one row each."""


def _link(row: Row | None, change: RegistryChange) -> Row:
    if row is not None and (row["occurred_at"], row["event_id"]) >= (change.occurred_at, change.event_id):
        return row  # the registry's order wins over arrival: a change older than the link's is stale
    return dict(account_id=change.account_id, person_id=change.person_id, relation=change.relation,
                nationality=change.nationality, linked=change.type == "PersonLinked", occurred_at=change.occurred_at,
                event_id=change.event_id)


def change_id(change: RegistryChange) -> UUID:
    """The id of a registry change, as intake's inbox and the read model's tally count it."""
    return uuid5(NAMESPACE_URL, f"tawasul:registry:{change.event_id}")


LINKS = Projection(table=links, key=lambda change: (change.account_id, change.person_id), evolve=_link,
                   identity=change_id)
"""Who is linked to whose account now, by the population registry's own order of changes."""
