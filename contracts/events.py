"""Version 1 of every event the flow emits. Events are past tense; each has an integer version.

Adding an optional field keeps the version; any other change is a new version plus an
upcaster in `contracts.upcasting`, and consumers accept both for a release.
"""

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts import topics
from contracts.submission import Channel, Contact, Language, Portal


class Event(BaseModel):
    """The `data` of an envelope. `TYPE`/`VERSION` name it on the wire, never a Python path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = topics.CASE_EVENTS


class Reason(BaseModel):
    """Why a submission was refused: a machine-readable code, the field, and a message in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    field: str | None = None
    message_en: str
    message_ar: str


class AttachmentRef(BaseModel):
    """An attachment stored once by intake; events carry only its reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    name: str
    content_type: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class SubmissionAccepted(Event):
    TYPE = "SubmissionAccepted"
    TOPIC = topics.SUBMISSION_RESULTS

    submission_id: str
    portal: Portal
    tracking_number: str


class SubmissionRejected(Event):
    TYPE = "SubmissionRejected"
    TOPIC = topics.SUBMISSION_RESULTS

    submission_id: str
    portal: Portal | None = None
    reasons: list[Reason] = Field(min_length=1)


class RequestSubmitted(Event):
    TYPE = "RequestSubmitted"

    submission_id: str
    portal: Portal
    account_id: str
    subject_id: str
    section: str
    sub_service: str
    description: str
    attachments: list[AttachmentRef] = Field(default_factory=list)
    language: Language
    contact: Contact
    channels: list[Channel]
    submitted_at: AwareDatetime
    catalog_version: str | None = Field(default=None, description="the intake catalog version it was checked against")
    subject_relation: Literal["holder", "dependent", "sponsored", "visitor"] | None = Field(
        default=None, description="how the subject is linked to the account, per the population registry"
    )
    subject_nationality: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="the subject's nationality (ISO 3166-1 alpha-2), when known"
    )


class Routed(Event):
    TYPE = "Routed"

    department: str
    rule: str = Field(description="the routing rule that matched")
    rules_version: str
    due_at: AwareDatetime | None = Field(default=None, description="the SLA due time (UTC)")
    calendar_version: str | None = Field(default=None, description="the business calendar the due time came from")


class Resolved(Event):
    TYPE = "Resolved"

    department: str
    outcome: Literal["completed", "declined"]
    public_reply: str = Field(min_length=1, max_length=4000)
    officer_id: str


CATALOG: dict[tuple[str, int], type[Event]] = {
    (cls.TYPE, cls.VERSION): cls
    for cls in (SubmissionAccepted, SubmissionRejected, RequestSubmitted, Routed, Resolved)
}
"""Every event model by (type, version)."""
