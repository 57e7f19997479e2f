"""Routing's read model: each case it knows, where it went, by which rule, and its SLA clock — and the fold
that builds it from the case log.

Routing folds its own events (`Routed`, `SlaPaused`, `SlaResumed`, `SlaWarning`, `SlaBreached`,
`AnswerOverdue`) as it emits them, and the
events of others it decides on as it reads them; a rebuild folds the same events from the log, in the same
order, through the same steps.
"""

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Text, Uuid

from contracts import (
    AnswerOverdue,
    Envelope,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    SlaWarning,
)
from services.projection import Row, of_the_case_log

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("section", Text),
    Column("sub_service", Text),
    Column("department", Text),  # None until routed
    Column("status", Text, nullable=False),  # submitted | open | resolved
    Column("routed_at", DateTime(timezone=True)),
    Column("rule", Text),
    Column("flagged", Boolean, nullable=False, server_default="false"),
    Column("submitted_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),  # None while the clock is paused
    Column("calendar_version", Text),
    Column("paused_at", DateTime(timezone=True)),
    Column("remaining_seconds", Integer),  # working time left when the clock paused
    Column("breached_due_at", DateTime(timezone=True)),  # the due time last reported as breached
    Column("sla_seconds", Integer),  # the working time allowed
    Column("warn_at", DateTime(timezone=True)),  # when the warning is due
    Column("warned_due_at", DateTime(timezone=True)),  # the due time last warned of
    Column("answer_due_at", DateTime(timezone=True)),  # while paused: when the unanswered question closes it
    Column("answer_overdue_at", DateTime(timezone=True)),  # the answer deadline last reported as passed
    Column("correlation_id", Uuid),
)


def _case(row: Row | None, envelope: Envelope) -> Row:
    return row or dict(case_id=envelope.case_id, status="submitted", flagged=False)


def _submitted(row: Row | None, envelope: Envelope, event: RequestSubmitted) -> Row:
    return {**_case(row, envelope), "section": event.section, "sub_service": event.sub_service,
            "submitted_at": event.submitted_at, "correlation_id": envelope.correlation_id}


def _routed(row: Row | None, envelope: Envelope, event: Routed) -> Row:
    case = _case(row, envelope)
    if event.transferred_from is not None:  # a transfer moves the case and leaves its clock as it is
        return {**case, "department": event.department, "rule": event.rule, "routed_at": envelope.occurred_at}
    if case.get("department") is not None:
        return case  # routed once already: this is that routing again
    return {**case, "department": event.department, "rule": event.rule, "flagged": event.flagged,
            "routed_at": envelope.occurred_at, "due_at": event.due_at, "calendar_version": event.calendar_version,
            "sla_seconds": event.sla_seconds, "warn_at": event.warn_at,
            "status": "open" if case["status"] == "submitted" else case["status"],
            "correlation_id": case.get("correlation_id") or envelope.correlation_id}


def _paused(row: Row | None, envelope: Envelope, event: SlaPaused) -> Row | None:
    return row and {**row, "paused_at": event.paused_at, "remaining_seconds": event.remaining_seconds,
                    "due_at": None, "answer_due_at": event.answer_due_at}


def _resumed(row: Row | None, envelope: Envelope, event: SlaResumed) -> Row | None:
    return row and {**row, "paused_at": None, "remaining_seconds": None, "due_at": event.due_at,
                    "calendar_version": event.calendar_version, "warn_at": event.warn_at, "answer_due_at": None}


def _warned(row: Row | None, envelope: Envelope, event: SlaWarning) -> Row | None:
    return row and {**row, "warned_due_at": event.due_at}


def _overdue(row: Row | None, envelope: Envelope, event: AnswerOverdue) -> Row | None:
    return row and {**row, "answer_overdue_at": event.answer_due_at}


def _breached(row: Row | None, envelope: Envelope, event: SlaBreached) -> Row | None:
    return row and {**row, "breached_due_at": event.due_at}


def _resolved(row: Row | None, envelope: Envelope, event: Any) -> Row:
    return {**_case(row, envelope), "status": "resolved"}  # resolved is final, whatever comes after


CASES = of_the_case_log(cases, {
    RequestSubmitted: _submitted, Routed: _routed, SlaPaused: _paused, SlaResumed: _resumed,
    SlaWarning: _warned, SlaBreached: _breached, AnswerOverdue: _overdue, Resolved: _resolved,
})
