"""What the upstream population registry publishes to `tawasul.registry`: who is linked to whose account.

Plain JSON messages keyed by `account_id` (not case-event envelopes: the registry is not ours).
"""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.vocabulary import IDENTITY_PATTERN, NATIONALITY_PATTERN, Relation


class RegistryChange(BaseModel):
    """A person linked to (or unlinked from) an account holder: a dependent, a sponsored resident, a visitor."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: str = Field(min_length=1, max_length=128)
    type: Literal["PersonLinked", "PersonUnlinked"]
    account_id: str = Field(pattern=IDENTITY_PATTERN)
    person_id: str = Field(pattern=IDENTITY_PATTERN)
    relation: Relation
    nationality: str = Field(pattern=NATIONALITY_PATTERN, description="ISO 3166-1 alpha-2")
    occurred_at: AwareDatetime
