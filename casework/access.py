"""Who may do what, free of I/O: the roles' rights over a department's cases.

- an **officer** reads and works the cases of their own department;
- a **supervisor** does too, and also assigns them;
- an **auditor** reads every case and acts on none;
- an **admin** manages users and departments and sees no case.

A case not yet routed belongs to no department: only an auditor sees it.
"""

from casework.users import User, a_role
from contracts.vocabulary import Role

WORKERS: frozenset[Role] = frozenset({"officer", "supervisor"})
READERS: frozenset[Role] = WORKERS | {"auditor"}


class Forbidden(Exception):
    """The user may not do this to this case; `reason` says why (without telling what the case holds)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _own(user: User, department: str | None, doing: str) -> None:
    if department is None or department != user.department:
        raise Forbidden(f"{doing} another department's cases is not allowed")


def check_read(user: User, department: str | None) -> None:
    """Forbidden unless `user` may read a case of `department`."""
    if user.role == "auditor":
        return
    if user.role not in WORKERS:
        raise Forbidden(f"{a_role(user.role)} reads no cases")
    _own(user, department, "reading")


def check_work(user: User, department: str | None) -> None:
    """Forbidden unless `user` may act on a case of `department`."""
    if user.role not in WORKERS:
        raise Forbidden(f"{a_role(user.role)} acts on no case" + (" (read-only)" if user.role == "auditor" else ""))
    _own(user, department, "working")


def check_assign(user: User, department: str | None) -> None:
    """Forbidden unless `user` may assign cases of `department` to its officers."""
    if user.role != "supervisor":
        raise Forbidden("only a supervisor of the department assigns its cases")
    _own(user, department, "assigning")


def queue_department(user: User, asked: str | None) -> str | None:
    """The department whose queue `user` sees when asking for `asked` (None: every department's, auditors only)."""
    if user.role == "auditor":
        return asked
    if user.role not in WORKERS:
        raise Forbidden(f"{a_role(user.role)} reads no cases")
    if asked is not None and asked != user.department:
        raise Forbidden("reading another department's cases is not allowed")
    return user.department
