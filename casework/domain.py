"""Casework's decisions, free of I/O: what an officer may do to a case in its current state."""

from dataclasses import dataclass

from casework.access import check_work
from casework.users import User
from contracts import InfoRequested, Resolved, TransferRequested
from contracts.vocabulary import Outcome


class CaseNotActionable(Exception):
    """The command does not fit the case's state; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Case:
    """What the decisions need to know of a case."""

    status: str  # submitted | open | awaiting_information | resolved
    department: str | None


@dataclass(frozen=True)
class ResolveCase:
    outcome: Outcome
    public_reply: str


@dataclass(frozen=True)
class RequestInformation:
    question: str


@dataclass(frozen=True)
class RequestTransfer:
    to_department: str
    reason: str


Command = ResolveCase | RequestInformation | RequestTransfer


def _routed(case: Case) -> str:
    if case.status == "resolved":
        raise CaseNotActionable("the case is resolved already")
    if case.status == "submitted" or case.department is None:
        raise CaseNotActionable("the case has not been routed to a department yet")
    return case.department


def decide(command: Command, case: Case, by: User) -> Resolved | InfoRequested | TransferRequested:
    """The event `by` causes with `command`; `Forbidden` if it is not theirs to do, `CaseNotActionable` if the
    case's state does not allow it."""
    check_work(by, case.department)
    department = _routed(case)
    if isinstance(command, ResolveCase):
        return Resolved(department=department, outcome=command.outcome, public_reply=command.public_reply,
                        officer_id=by.username)
    if isinstance(command, RequestInformation):
        if case.status == "awaiting_information":
            raise CaseNotActionable("the case is already waiting for the beneficiary's answer")
        return InfoRequested(department=department, question=command.question, officer_id=by.username)
    if command.to_department == department:
        raise CaseNotActionable(f"the case is already with {department}")
    return TransferRequested(from_department=department, to_department=command.to_department,
                             reason=command.reason, officer_id=by.username)


STATUS_AFTER = {"Resolved": "resolved", "InfoRequested": "awaiting_information"}
"""The queue status right after casework's own events (a transfer leaves it as it was)."""
