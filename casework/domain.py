"""Casework's decisions, free of I/O: what a user may do to a case in its current state, as the event it causes.

Every command is decided against the case as it stands, by a user (`casework.access` says whether it is theirs to
do at all, before anything about the case is said). A command may name the version of the case the user saw; if
the case has moved on since, it is a `Conflict` naming what changed, never a silent overwrite.
"""

from dataclasses import dataclass
from datetime import datetime

from casework.access import Forbidden, check_assign, check_work
from casework.users import User
from contracts import (
    CaseAssigned,
    CaseClaimed,
    CaseReleased,
    Escalated,
    IdentityRevealed,
    InfoRequested,
    NoteAdded,
    Resolved,
    TransferRequested,
)
from contracts.vocabulary import Outcome, RejectionReason


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
    assignee: str | None = None
    escalated_due_at: datetime | None = None


@dataclass(frozen=True)
class ResolveCase:
    outcome: Outcome
    public_reply: str
    rejection_reason: RejectionReason | None = None


@dataclass(frozen=True)
class RequestInformation:
    question: str


@dataclass(frozen=True)
class RequestTransfer:
    to_department: str
    reason: str


@dataclass(frozen=True)
class Claim:
    pass


@dataclass(frozen=True)
class Assign:
    officer: User | None
    """The officer to assign to, as casework's users know them (None: no such user)."""
    username: str


@dataclass(frozen=True)
class Release:
    pass


@dataclass(frozen=True)
class AddNote:
    note: str


@dataclass(frozen=True)
class RevealIdentity:
    fields: tuple[str, ...]
    reason: str


Command = ResolveCase | RequestInformation | RequestTransfer | Claim | Assign | Release | AddNote | RevealIdentity
Decided = (Resolved | InfoRequested | TransferRequested | CaseClaimed | CaseAssigned | CaseReleased | NoteAdded
           | IdentityRevealed)

OPEN = frozenset({"open", "awaiting_information"})


def _routed(case: Case) -> str:
    if case.status == "resolved":
        raise CaseNotActionable("the case is resolved already")
    if case.status == "submitted" or case.department is None:
        raise CaseNotActionable("the case has not been routed to a department yet")
    return case.department


def decide(command: Command, case: Case, by: User) -> Decided:
    """The event `by` causes with `command`; `Forbidden` if it is not theirs to do, `CaseNotActionable` if the
    case's state does not allow it."""
    if isinstance(command, Assign):
        check_assign(by, case.department)
    else:
        check_work(by, case.department)
    if isinstance(command, AddNote):  # a note may be added to a resolved case too: it is internal
        if case.department is None:
            raise CaseNotActionable("the case has not been routed to a department yet")
        return NoteAdded(department=case.department, note=command.note, officer_id=by.username)
    if isinstance(command, RevealIdentity):  # so is seeing the numbers: whoever works the case may need them
        if case.department is None:
            raise CaseNotActionable("the case has not been routed to a department yet")
        return IdentityRevealed(department=case.department, fields=command.fields, reason=command.reason,
                                officer_id=by.username)
    department = _routed(case)
    match command:
        case ResolveCase():
            return _resolve(command, department, by)
        case RequestInformation():
            if case.status == "awaiting_information":
                raise CaseNotActionable("the case is already waiting for the beneficiary's answer")
            return InfoRequested(department=department, question=command.question, officer_id=by.username)
        case RequestTransfer():
            if command.to_department == department:
                raise CaseNotActionable(f"the case is already with {department}")
            return TransferRequested(from_department=department, to_department=command.to_department,
                                     reason=command.reason, officer_id=by.username)
        case Claim():
            if case.assignee == by.username:
                raise CaseNotActionable("the case is yours already")
            if case.assignee is not None:
                raise CaseNotActionable(f"the case is assigned to {case.assignee}; a supervisor can reassign it")
            return CaseClaimed(department=department, officer_id=by.username)
        case Assign():
            officer = command.officer
            if officer is None or officer.disabled or officer.department != department or \
                    officer.role not in ("officer", "supervisor"):
                raise CaseNotActionable(f"{command.username} is not an active officer of {department}")
            if case.assignee == officer.username:
                raise CaseNotActionable(f"the case is assigned to {officer.username} already")
            return CaseAssigned(department=department, officer_id=officer.username, assigned_by=by.username)
        case Release():
            if case.assignee is None:
                raise CaseNotActionable("the case is assigned to nobody")
            if case.assignee != by.username and by.role != "supervisor":
                raise CaseNotActionable(f"the case is {case.assignee}'s: only they or a supervisor can release it")
            return CaseReleased(department=department, officer_id=case.assignee, released_by=by.username)
    raise TypeError(f"not a command: {command!r}")


def _resolve(command: ResolveCase, department: str, by: User) -> Resolved:
    if command.outcome == "closed_no_response":
        raise CaseNotActionable("closed_no_response is decided by the clock, when an information request goes "
                                "unanswered; an officer completes or rejects")
    if (command.outcome == "rejected") != (command.rejection_reason is not None):
        raise CaseNotActionable("a rejection needs its reason, and only a rejection has one")
    return Resolved(department=department, outcome=command.outcome, rejection_reason=command.rejection_reason,
                    public_reply=command.public_reply, officer_id=by.username)


CANDIDATES: dict[str, Command] = {
    "claim": Claim(), "release": Release(), "resolve": ResolveCase(outcome="completed", public_reply="-"),
    "request_information": RequestInformation(question="-"), "transfer": RequestTransfer(to_department="", reason="-"),
    "note": AddNote(note="-"),
    "reveal": RevealIdentity(fields=("subject_id",), reason="any reason"),
}
"""One of each command, to find which the case's state allows."""


def available(case: Case, by: User) -> set[str]:
    """The actions `by` may take on `case` as it stands (a page offers these and no others)."""
    allowed = set()
    for name, command in CANDIDATES.items():
        try:
            decide(command, case, by)
        except (CaseNotActionable, Forbidden):
            continue
        allowed.add(name)
    try:  # an assignment, judged before knowing to whom
        check_assign(by, case.department)
        _routed(case)
        allowed.add("assign")
    except (CaseNotActionable, Forbidden):
        pass
    return allowed


NO_RESPONSE_REPLY = {
    "ar": "أُغلق طلبك لعدم ورود رد على طلب المعلومات خلال المدة المحددة. يمكنك تقديم طلب جديد عبر البوابة متى شئت.",
    "en": "Your request was closed because the information we asked for did not reach us in time. You can submit "
          "a new request through the portal at any time.",
}


def close_unanswered(case: Case, language: str | None) -> Resolved | None:
    """The clock's decision when an information request went unanswered: closed, in the beneficiary's language,
    if the case is still waiting for the answer (None if it is not)."""
    if case.status != "awaiting_information" or case.department is None:
        return None
    return Resolved(department=case.department, outcome="closed_no_response", officer_id=None,
                    public_reply=NO_RESPONSE_REPLY.get(language or "ar", NO_RESPONSE_REPLY["ar"]))


def escalate(case: Case, due_at: datetime) -> Escalated | None:
    """A breached case goes to the department's supervisors, once per due time, unless it is closed."""
    if case.status not in OPEN or case.department is None or case.escalated_due_at == due_at:
        return None
    return Escalated(department=case.department, due_at=due_at)


STATUS_AFTER = {"Resolved": "resolved", "InfoRequested": "awaiting_information"}
"""The queue status right after casework's own events (the others leave it as it was)."""
