"""An officer's command on a case: decide from the locked row, append the event, fold it into the queue — one
transaction."""

from casework import domain
from casework.projection import QUEUE, known
from casework.users import User
from contracts import Event
from services.eventstore import Cause, Unit
from services.projection import emit_and_fold


async def act(unit: Unit, case_id: str, command: domain.Command, by: User) -> Event:
    async with QUEUE.editing(unit.session, [(case_id,)]) as rows:
        row = rows.get((case_id,))
        if not known(row):
            raise LookupError(case_id)
        event = domain.decide(command, domain.Case(status=row["status"], department=row["department"]), by)
        await emit_and_fold(unit, rows, [event], key=case_id, case_id=case_id,
                            cause=Cause(correlation_id=row["correlation_id"]), expected_version=row["version"])
    return event
