"""A beneficiary answers an officer's information request through their portal: `InfoProvided` on the case."""

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from contracts import Attachment, InfoProvided, Reason
from contracts.vocabulary import IDENTITY_PATTERN, Text
from intake import domain
from intake.handlers import Intake
from intake.history import status_of
from intake.projection import HISTORY, REQUESTS, requests
from services.eventstore import Cause, Unit
from services.projection import apply_all


class InformationReply(BaseModel):
    """A beneficiary's reply to an officer's question, with any files it asks for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str = Field(pattern=IDENTITY_PATTERN)
    answer: Text = Field(min_length=1, max_length=4000)
    attachments: list[Attachment] = Field(default_factory=list)


class NotAwaited(Exception):
    """The request is not waiting for information (never asked, answered already, or resolved)."""


async def provide(
    unit: Unit, intake: Intake, tracking_number: str, answer: InformationReply, *, portal: str
) -> InfoProvided | list[Reason]:
    """Record the answer on the locked request, or say why its files are refused; LookupError when the request
    did not come from this account through this portal."""
    row = (await unit.session.execute(
        select(requests).where(requests.c.tracking_number == tracking_number).with_for_update()
    )).one_or_none()
    if row is None or row.account_id != answer.account_id or row.portal != portal:
        raise LookupError(tracking_number)
    if (await status_of(unit.session, row)).status != "information_requested":
        raise NotAwaited(tracking_number)
    files, reasons = domain.check_files(answer.attachments, intake.limits)
    if reasons:
        return reasons
    await intake.store.put(unit.session, files)
    provided = InfoProvided(answer=answer.answer, attachments=[file.ref for file in files])
    [envelope] = await unit.emit([provided], key=tracking_number, case_id=tracking_number,
                                 cause=Cause(correlation_id=row.correlation_id))
    await apply_all(unit.session, (REQUESTS, HISTORY), [(envelope, provided)])  # a second answer finds it answered
    return provided
