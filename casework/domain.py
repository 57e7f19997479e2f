"""Casework's decisions, free of I/O: may this case be resolved now."""

from dataclasses import dataclass
from typing import Literal

from contracts import Resolved


class CaseNotResolvable(Exception):
    """The command does not fit the case's state; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ResolveCase:
    case_id: str
    outcome: Literal["completed", "declined"]
    public_reply: str
    officer_id: str


def resolve(command: ResolveCase, *, status: str, department: str | None) -> Resolved:
    if status == "resolved":
        raise CaseNotResolvable("the case is resolved already")
    if status != "open" or department is None:
        raise CaseNotResolvable("the case has not been routed to a department yet")
    return Resolved(
        department=department,
        outcome=command.outcome,
        public_reply=command.public_reply,
        officer_id=command.officer_id,
    )
