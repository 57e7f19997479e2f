"""The envelope every event travels in, on the wire and in each service's event store."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from uuid6 import uuid7


def new_event_id() -> UUID:
    """A time-ordered UUIDv7."""
    return uuid7()


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """One event: who emitted what, about which case, caused by what.

    `case_id` is the tracking number and the Kafka key of case events. Events that
    answer a submission which never became a case (`SubmissionRejected`) carry no
    case id; they are keyed by `submission_id`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=new_event_id)
    type: str
    version: int = Field(ge=1)
    case_id: str | None
    sequence: int = Field(ge=1, description="position in the producer's stream for this case")
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    correlation_id: UUID
    causation_id: UUID | None = None
    data: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        return value.astimezone(UTC)


TYPE_HEADER = "tawasul-type"
"""A Kafka header on every published event naming its `type`, so a consumer can skip what it does not handle
without parsing the body."""
CONTENT_HASH_HEADER = "tawasul-content-hash"
"""The hex SHA-256 of the event's canonical content as its producer stored it (`services.integrity`)."""
CHAIN_HASH_HEADER = "tawasul-chain-hash"
"""The hex chain hash of the event in its producer's store: the Kafka log can be checked against the stores."""
