"""Routing's decisions, free of I/O: where a request goes, when it is due, and what happens to the clock.

Every decision records what it was made from (rule, rules version, candidate loads, calendar
version), so a replay folds the recorded decisions and an audit can re-derive each one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts import (
    RequestSubmitted,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    TransferRefused,
    TransferRequested,
)
from routing.calendar import Calendar
from routing.rules import RuleSet


@dataclass(frozen=True)
class CaseClock:
    """What routing knows of a case."""

    department: str | None
    status: str  # submitted | open | resolved
    due_at: datetime | None
    calendar_version: str | None
    paused_at: datetime | None
    remaining_seconds: int | None


def route(
    submitted: RequestSubmitted, *, loads: dict[str, int], calendar: Calendar, working_days: int, rules: RuleSet,
) -> Routed:
    decision = rules.decide(submitted.section, submitted.sub_service, submitted.subject_nationality,
                            submitted.region, loads)
    return Routed(
        department=decision.department, rule=decision.rule, rules_version=rules.version,
        due_at=calendar.due_at(submitted.submitted_at, working_days), calendar_version=calendar.version,
        loads=decision.loads if len(decision.candidates) > 1 else None, flagged=decision.flagged,
        department_names=rules.names_of(decision.department),
    )


def contested(submitted: RequestSubmitted, rules: RuleSet) -> tuple[str, ...]:
    """The departments the request's rule chooses among by load; () when the rule names one (or none matches)."""
    rule = rules.match(submitted.section, submitted.sub_service, submitted.subject_nationality, submitted.region)
    return rule.departments if rule is not None and len(rule.departments) > 1 else ()


def transfer(request: TransferRequested, case: CaseClock | None, *, rules: RuleSet) -> Routed | TransferRefused:
    """Send the case to another department with its clock as it stands, or say why not."""
    refusal = (
        "the case is not known to routing" if case is None or case.department is None
        else "the case is resolved" if case.status == "resolved"
        else f"no department {request.to_department}" if rules.department(request.to_department) is None
        else f"the case is already with {request.to_department}" if case.department == request.to_department
        else None
    )
    if refusal is not None or case is None:
        return TransferRefused(to_department=request.to_department, reason=refusal or "")
    return Routed(
        department=request.to_department, rule="transfer", rules_version=rules.version,
        due_at=case.due_at, calendar_version=case.calendar_version, transferred_from=case.department,
        department_names=rules.names_of(request.to_department),
    )


def pause(case: CaseClock | None, at: datetime, calendar: Calendar) -> SlaPaused | None:
    """The clock stops at `at` with the working time left until the due time; None when it is not running."""
    if case is None or case.status != "open" or case.paused_at is not None or case.due_at is None:
        return None
    remaining = calendar.remaining_at(case.due_at, at)
    return SlaPaused(paused_at=at, remaining_seconds=int(remaining.total_seconds()), due_at=case.due_at)


def resume(case: CaseClock | None, at: datetime, calendar: Calendar) -> SlaResumed | None:
    """The clock runs again from `at` with the working time that was left; None when it was not paused."""
    if case is None or case.status != "open" or case.paused_at is None or case.remaining_seconds is None:
        return None
    due = calendar.resume(timedelta(seconds=case.remaining_seconds), at)
    return SlaResumed(resumed_at=at, due_at=due, calendar_version=calendar.version)


def breach(due_at: datetime, now: datetime, calendar: Calendar, extension_working_days: int) -> SlaBreached:
    """The apology's new expectation: the end of the working day `extension_working_days` after the breach."""
    return SlaBreached(due_at=due_at, new_due_at=calendar.due_at(now, extension_working_days),
                       calendar_version=calendar.version)
