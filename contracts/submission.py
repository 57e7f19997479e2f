"""What upstream portals publish to `tawasul.submissions` (and POST to intake)."""

from pydantic import BaseModel, ConfigDict, Field

from contracts.vocabulary import IDENTITY_PATTERN, Channel, Language, Line, Portal, Region, Text


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Line = Field(min_length=1, max_length=64, description="attachment kind code from the catalog")
    name: Line = Field(min_length=1, max_length=255)
    content_type: Line = Field(min_length=1, max_length=127)
    data_base64: Line


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    email: Line | None = Field(default=None, max_length=254)
    mobile: Line | None = Field(default=None, max_length=20)


class PortalSubmission(BaseModel):
    """A beneficiary's request as the portal hands it over; `submission_id` is the portal's idempotency key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    submission_id: Line = Field(min_length=1, max_length=128)
    portal: Portal
    account_id: str = Field(pattern=IDENTITY_PATTERN, description="ID of the account holder submitting")
    subject_id: str = Field(pattern=IDENTITY_PATTERN, description="ID of the person the request concerns")
    section: Line = Field(min_length=1, max_length=64)
    sub_service: Line = Field(min_length=1, max_length=64)
    description: Text = Field(min_length=1, max_length=4000)
    attachments: list[Attachment] = Field(default_factory=list)
    language: Language
    contact: Contact
    channels: list[Channel] = Field(min_length=1)
    region: Region | None = Field(default=None, description="the account holder's region, where the portal knows it")
