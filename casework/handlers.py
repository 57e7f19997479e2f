"""What changes a case in casework, each in one transaction that decides from the locked row, appends the event
and folds it into every read model (the queue as it decides, then the timeline and the auditors' copy of the case
log): a user's command (`act`), and casework's answers to the clock — a breached case is escalated to its
supervisors, a question left unanswered closes the case (`Casework.handlers`)."""

from collections.abc import Callable, Sequence

from casework import domain
from casework.case_log import CASE_LOG
from casework.projection import QUEUE, known
from casework.timeline import TIMELINE
from casework.users import User
from contracts import AnswerOverdue, Envelope, Event, SlaBreached
from services.app import Runtime
from services.case_events import Handler
from services.eventstore import Cause, ConcurrencyError, Unit, unit_of_work
from services.projection import Row, apply_all, emit_and_fold

RECORDS = (TIMELINE, CASE_LOG)
"""Casework's read models of a row per event, folded after the queue in the transaction that emits (or reads)."""


class Conflict(Exception):
    """The case changed since the version the user saw; `changes` says how (what happened since, by whom)."""

    def __init__(self, changes: list[str]) -> None:
        super().__init__("; ".join(changes))
        self.changes = changes


def case_of(row: Row) -> domain.Case:
    return domain.Case(status=row["status"], department=row["department"], assignee=row["assignee"],
                       escalated_due_at=row["escalated_due_at"])


async def act(unit: Unit, case_id: str, command: domain.Command, by: User, seen: int | None = None) -> Event:
    """`by`'s `command` on the case, if it is still at version `seen` (when given)."""
    async with QUEUE.editing(unit.session, [(case_id,)]) as rows:
        row = rows.get((case_id,))
        if not known(row):
            raise LookupError(case_id)
        case = case_of(row)
        if seen is not None and seen != row["version"]:
            domain.decide(command, case, by)  # not theirs to do at all: that answer comes first
            if changes := await changes_since(unit, case_id, seen):
                raise Conflict(changes)
        event = domain.decide(command, case, by)
        emitted = await emit_and_fold(unit, rows, [event], key=case_id, case_id=case_id,
                                      cause=Cause(correlation_id=row["correlation_id"]),
                                      expected_version=row["version"])
    await apply_all(unit.session, RECORDS, list(zip(emitted, [event], strict=True)))
    return event


async def perform(runtime: Runtime, case_id: str, command: domain.Command, by: User, seen: int | None) -> Event:
    """`act` in a transaction of its own: `LookupError` (no such case), `domain.CaseNotActionable`, `Forbidden`,
    or `Conflict` — also when another action on the case was saved at the very same moment."""
    try:
        async with unit_of_work(runtime.sessions, runtime.store) as unit:
            return await act(unit, case_id, command, by, seen=seen)
    except ConcurrencyError:
        raise Conflict(["another action on the case was saved at the same moment"]) from None


DESCRIBED: dict[str, Callable[[dict], str]] = {
    "CaseClaimed": lambda d: f"{d['officer_id']} claimed it",
    "CaseAssigned": lambda d: f"{d['assigned_by']} assigned it to {d['officer_id']}",
    "CaseReleased": lambda d: f"{d['released_by']} released it from {d['officer_id']}",
    "NoteAdded": lambda d: f"{d['officer_id']} added a note",
    "InfoRequested": lambda d: f"{d['officer_id']} asked the beneficiary for information",
    "TransferRequested": lambda d: f"{d['officer_id']} asked to transfer it to {d['to_department']}",
    "Resolved": lambda d: f"{d.get('officer_id') or 'the clock'} resolved it ({d['outcome']})",
    "Escalated": lambda d: "it was escalated to the supervisors",
    "IdentityRevealed": lambda d: f"{d['officer_id']} revealed its ID numbers",
}
UNCHANGING = frozenset({"IdentityRevealed"})
"""Casework's events that change nothing another officer decides on: acting after one is no conflict."""


async def changes_since(unit: Unit, case_id: str, seen: int) -> list[str]:
    """What casework recorded on the case after version `seen` that changes it, in words (none: nothing did)."""
    events = [envelope for envelope in await unit.store.read(unit.session, case_id) if envelope.sequence > seen]
    if not events:
        return ["it changed"]  # a version it never had
    return [DESCRIBED.get(envelope.type, lambda d, t=envelope.type: t)(envelope.data) for envelope in events
            if envelope.type not in UNCHANGING]


def handlers() -> dict[type[Event], Handler]:
    """The clock's events casework decides on, besides folding them."""
    return {SlaBreached: on_breached, AnswerOverdue: on_answer_overdue}


async def on_breached(unit: Unit, run: Sequence[tuple[Envelope, SlaBreached]]) -> None:
    await _decide(unit, run, lambda row, event: domain.escalate(case_of(row), event.due_at))


async def on_answer_overdue(unit: Unit, run: Sequence[tuple[Envelope, AnswerOverdue]]) -> None:
    await _decide(unit, run, lambda row, event: domain.close_unanswered(case_of(row), row["language"]))


async def _decide(unit: Unit, run: Sequence[tuple[Envelope, Event]],
                  decide: Callable[[Row, Event], Event | None]) -> None:
    """Fold each event, and emit what casework decides on it for the case as it stands then (nothing for a case it
    does not know)."""
    facts = list(run)
    async with QUEUE.editing(unit.session, [(envelope.case_id,) for envelope, _ in run]) as rows:
        for envelope, event in run:
            rows.fold([(envelope, event)])
            row = rows.get((envelope.case_id,))
            decided = decide(row, event) if known(row) else None
            if decided is not None:
                emitted = await emit_and_fold(unit, rows, [decided], key=envelope.case_id,
                                              case_id=envelope.case_id, cause=Cause.following(envelope),
                                              expected_version=row["version"])
                facts.append((emitted[0], decided))
    await apply_all(unit.session, RECORDS, facts)
