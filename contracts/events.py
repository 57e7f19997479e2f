"""Version 1 of every event the flow emits. Events are past tense; each has an integer version and one producer.

Adding an optional field keeps the version; any other change is a new version plus an
upcaster in `contracts.upcasting`, and consumers accept both for a release. `PRODUCER` names
the one service that may emit an event type.
"""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts import topics
from contracts.submission import Contact
from contracts.vocabulary import (
    NATIONALITY_PATTERN,
    Channel,
    Language,
    Outcome,
    Portal,
    Region,
    RejectionReason,
    Subject,
)

INTAKE, ROUTING, CASEWORK, NOTIFY = "intake", "routing", "casework", "notify"
"""The services that emit events, by the names they go by on the wire (`Envelope.producer`)."""


class Event(BaseModel):
    """The `data` of an envelope. `TYPE`/`VERSION` name it on the wire, never a Python path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = topics.CASE_EVENTS
    PRODUCER: ClassVar[str]
    """The one service that emits this event type."""


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
    PRODUCER = INTAKE
    TOPIC = topics.SUBMISSION_RESULTS

    submission_id: str
    portal: Portal
    tracking_number: str


class SubmissionRejected(Event):
    TYPE = "SubmissionRejected"
    PRODUCER = INTAKE
    TOPIC = topics.SUBMISSION_RESULTS

    submission_id: str
    portal: Portal | None = None
    reasons: list[Reason] = Field(min_length=1)


class RequestSubmitted(Event):
    TYPE = "RequestSubmitted"
    PRODUCER = INTAKE

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
    region: Region | None = Field(default=None, description="the account's region, when the portal knows it")
    subject_relation: Subject | None = Field(
        default=None, description="how the subject is linked to the account, per the population registry"
    )
    subject_nationality: str | None = Field(
        default=None, pattern=NATIONALITY_PATTERN,
        description="the subject's nationality (ISO 3166-1 alpha-2), when known",
    )


class Routed(Event):
    TYPE = "Routed"
    PRODUCER = ROUTING

    department: str
    rule: str = Field(description="the routing rule that matched")
    rules_version: str
    due_at: AwareDatetime | None = Field(default=None, description="the SLA due time (UTC)")
    calendar_version: str | None = Field(default=None, description="the business calendar the due time came from")
    loads: dict[str, int] | None = Field(
        default=None, description="open cases of each candidate department when the rule named several"
    )
    flagged: bool = Field(default=False, description="no rule covered the request: it went to the fallback desk")
    transferred_from: str | None = Field(default=None, description="set when this routing is a transfer")
    department_names: dict[str, str] | None = Field(
        default=None, description="the department's name by language (ar, en), for what the beneficiary is shown"
    )
    sla_seconds: int | None = Field(default=None, ge=0, description="the working time the case is allowed, "
                                    "from its submission to its due time")
    warn_at: AwareDatetime | None = Field(default=None, description="when the warning share of that working time "
                                          "has passed (UTC)")


class TransferRequested(Event):
    """An officer finds the case is not their department's and asks routing to send it elsewhere."""

    TYPE = "TransferRequested"
    PRODUCER = CASEWORK

    from_department: str
    to_department: str
    reason: str = Field(min_length=1, max_length=1000, description="internal: never shown to the beneficiary")
    officer_id: str


class TransferRefused(Event):
    TYPE = "TransferRefused"
    PRODUCER = ROUTING

    to_department: str
    reason: str


class InfoRequested(Event):
    """An officer needs something from the beneficiary; the SLA clock pauses until it arrives."""

    TYPE = "InfoRequested"
    PRODUCER = CASEWORK

    department: str
    question: str = Field(min_length=1, max_length=2000, description="public: sent to the beneficiary")
    officer_id: str


class InfoProvided(Event):
    """The beneficiary answered an information request through their portal."""

    TYPE = "InfoProvided"
    PRODUCER = INTAKE

    answer: str = Field(min_length=1, max_length=4000)
    attachments: list[AttachmentRef] = Field(default_factory=list)


class SlaPaused(Event):
    TYPE = "SlaPaused"
    PRODUCER = ROUTING

    paused_at: AwareDatetime
    remaining_seconds: int = Field(ge=0, description="working time left until the due time when the clock paused")
    due_at: AwareDatetime = Field(description="the due time that was running")
    answer_due_at: AwareDatetime | None = Field(
        default=None, description="when the case closes unless the beneficiary has answered (working days after "
        "the question)")


class SlaResumed(Event):
    TYPE = "SlaResumed"
    PRODUCER = ROUTING

    resumed_at: AwareDatetime
    due_at: AwareDatetime = Field(description="the new due time")
    calendar_version: str
    warn_at: AwareDatetime | None = Field(default=None, description="the new moment of the SLA warning")


class Resolved(Event):
    """The case is closed. Version 2: `rejected` (with its reason) in place of v1's `declined`, and
    `closed_no_response`, which the system decides (no officer)."""

    TYPE = "Resolved"
    VERSION = 2
    PRODUCER = CASEWORK

    department: str
    outcome: Outcome
    rejection_reason: RejectionReason | None = Field(default=None, description="set exactly when rejected")
    public_reply: str = Field(min_length=1, max_length=4000, description="public: sent to the beneficiary")
    officer_id: str | None = Field(description="who resolved it; None when the system closed it")


class CaseClaimed(Event):
    """An officer takes a case: it is theirs to work."""

    TYPE = "CaseClaimed"
    PRODUCER = CASEWORK

    department: str
    officer_id: str


class CaseAssigned(Event):
    """A supervisor gives a case to an officer of the department."""

    TYPE = "CaseAssigned"
    PRODUCER = CASEWORK

    department: str
    officer_id: str = Field(description="the officer it is assigned to")
    assigned_by: str


class CaseReleased(Event):
    """A case is nobody's again (its officer let it go, or a supervisor took it back)."""

    TYPE = "CaseReleased"
    PRODUCER = CASEWORK

    department: str
    officer_id: str = Field(description="the officer it was with")
    released_by: str


class NoteAdded(Event):
    """An internal note on a case: for officers, supervisors and auditors, never for the beneficiary."""

    TYPE = "NoteAdded"
    PRODUCER = CASEWORK

    department: str
    note: str = Field(min_length=1, max_length=4000, description="internal: never shown to the beneficiary")
    officer_id: str


class IdentityRevealed(Event):
    """An officer saw a case's ID numbers in full: who, which numbers and why (the page masks them otherwise)."""

    TYPE = "IdentityRevealed"
    PRODUCER = CASEWORK

    department: str
    fields: tuple[Literal["subject_id", "account_id"], ...] = Field(min_length=1, max_length=2)
    reason: str = Field(min_length=3, max_length=500, description="internal: why the officer needs the numbers")
    officer_id: str


class SlaWarning(Event):
    """A share of the case's working time (`share`, e.g. 0.8) has passed and it is still open."""

    TYPE = "SlaWarning"
    PRODUCER = ROUTING

    due_at: AwareDatetime
    share: float = Field(gt=0, lt=1)


class AnswerOverdue(Event):
    """The beneficiary did not answer the information request by its deadline."""

    TYPE = "AnswerOverdue"
    PRODUCER = ROUTING

    asked_at: AwareDatetime
    answer_due_at: AwareDatetime


class Escalated(Event):
    """A case passed its due time unresolved: it is brought to the department's supervisors."""

    TYPE = "Escalated"
    PRODUCER = CASEWORK

    department: str
    due_at: AwareDatetime = Field(description="the due time that passed")


class SlaBreached(Event):
    """A case passed its due time unresolved; the beneficiary gets an apology and a new expected date."""

    TYPE = "SlaBreached"
    PRODUCER = ROUTING

    due_at: AwareDatetime
    new_due_at: AwareDatetime
    calendar_version: str


class NotificationSent(Event):
    TYPE = "NotificationSent"
    PRODUCER = NOTIFY

    notified_event_id: UUID = Field(description="the update the beneficiary was told of")
    notified_event_type: str
    channel: Channel
    provider_message_id: str
    attempts: int = Field(ge=1)
    templates_version: str


class NotificationFailed(Event):
    TYPE = "NotificationFailed"
    PRODUCER = NOTIFY

    notified_event_id: UUID
    notified_event_type: str
    channel: Channel
    reason: str = Field(description="the provider's refusal or the last temporary error; never the address")
    attempts: int = Field(ge=0)
    permanent: bool


EVENTS: dict[tuple[str, int], type[Event]] = {
    (cls.TYPE, cls.VERSION): cls
    for cls in (
        SubmissionAccepted, SubmissionRejected, RequestSubmitted, Routed, TransferRequested, TransferRefused,
        InfoRequested, InfoProvided, SlaPaused, SlaResumed, SlaWarning, SlaBreached, AnswerOverdue, Escalated,
        CaseClaimed, CaseAssigned, CaseReleased, NoteAdded, IdentityRevealed, Resolved, NotificationSent,
        NotificationFailed,
    )
}
"""Every event model by (type, version)."""

PRODUCERS: dict[str, str] = {model.TYPE: model.PRODUCER for model in EVENTS.values()}
"""The service that may emit each event type."""
