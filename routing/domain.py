"""Routing's decisions, free of I/O: where a request goes, when it is due, and what happens to the clock.

Every decision records what it was made from (rule, rules version, candidate loads, calendar
version), so a replay folds the recorded decisions and an audit can re-derive each one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts import (
    AnswerOverdue,
    RequestSubmitted,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    SlaWarning,
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
    sla_seconds: int | None = None
    warn_at: datetime | None = None


@dataclass(frozen=True)
class Deadlines:
    """What the clock's deadlines are made of: the share of working time after which a case is warned of, and
    the working days a beneficiary has to answer an information request."""

    warning_share: float = 0.8
    answer_working_days: int = 10


DEADLINES = Deadlines()


def route(
    submitted: RequestSubmitted, *, loads: dict[str, int], calendar: Calendar, working_days: int, rules: RuleSet,
    deadlines: Deadlines = DEADLINES,
) -> Routed:
    decision = rules.decide(submitted.section, submitted.sub_service, submitted.subject_nationality,
                            submitted.region, loads)
    due = calendar.due_at(submitted.submitted_at, working_days)
    allowed = calendar.working_time_between(submitted.submitted_at, due)
    return Routed(
        department=decision.department, rule=decision.rule, rules_version=rules.version,
        due_at=due, calendar_version=calendar.version,
        loads=decision.loads if len(decision.candidates) > 1 else None, flagged=decision.flagged,
        department_names=rules.names_of(decision.department), sla_seconds=int(allowed.total_seconds()),
        warn_at=calendar.add_working_time(submitted.submitted_at, allowed * deadlines.warning_share),
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
        department_names=rules.names_of(request.to_department), sla_seconds=case.sla_seconds, warn_at=case.warn_at,
    )


def pause(case: CaseClock | None, at: datetime, calendar: Calendar,
          deadlines: Deadlines = DEADLINES) -> SlaPaused | None:
    """The clock stops at `at` with the working time left until the due time, and the beneficiary has until the
    end of the `answer_working_days`-th working day to answer; None when it is not running."""
    if case is None or case.status != "open" or case.paused_at is not None or case.due_at is None:
        return None
    remaining = calendar.remaining_at(case.due_at, at)
    return SlaPaused(paused_at=at, remaining_seconds=int(remaining.total_seconds()), due_at=case.due_at,
                     answer_due_at=calendar.due_at(at, deadlines.answer_working_days))


def resume(case: CaseClock | None, at: datetime, calendar: Calendar,
           deadlines: Deadlines = DEADLINES) -> SlaResumed | None:
    """The clock runs again from `at` with the working time that was left; None when it was not paused. The
    warning comes when the working time left is the share the warning leaves (at once if it is less already)."""
    if case is None or case.status != "open" or case.paused_at is None or case.remaining_seconds is None:
        return None
    remaining = timedelta(seconds=case.remaining_seconds)
    warn_at = None
    if case.sla_seconds is not None:
        left_at_warning = timedelta(seconds=case.sla_seconds) * (1 - deadlines.warning_share)
        warn_at = calendar.add_working_time(at, max(remaining - left_at_warning, timedelta(0)))
    return SlaResumed(resumed_at=at, due_at=calendar.resume(remaining, at), calendar_version=calendar.version,
                      warn_at=warn_at)


def warn(due_at: datetime, deadlines: Deadlines = DEADLINES) -> SlaWarning:
    return SlaWarning(due_at=due_at, share=deadlines.warning_share)


def answer_overdue(asked_at: datetime, answer_due_at: datetime) -> AnswerOverdue:
    return AnswerOverdue(asked_at=asked_at, answer_due_at=answer_due_at)


def breach(due_at: datetime, now: datetime, calendar: Calendar, extension_working_days: int) -> SlaBreached:
    """The apology's new expectation: the end of the working day `extension_working_days` after the breach."""
    return SlaBreached(due_at=due_at, new_due_at=calendar.due_at(now, extension_working_days),
                       calendar_version=calendar.version)
