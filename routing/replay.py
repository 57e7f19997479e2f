"""Routing's read model folded from the case log alone, and each recorded decision re-derived from its inputs.

The live read model is built as events are consumed; `fold` builds the same rows from the log, so
a rebuild is a replay, never a re-decision. `rederive` checks that each `Routed` follows from what
it recorded: the rule set gives the same department for the recorded loads, and the calendar of
the recorded version gives the same due time.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from contracts import Envelope, Event, RequestSubmitted, Resolved, Routed, SlaPaused, SlaResumed
from routing.rules import RULES
from routing.sla import load_calendar, working_days_for

Row = dict[str, Any]


def fold(log: Iterable[tuple[Envelope, Event]]) -> dict[str, Row]:
    """The `cases` rows that `log` (one case's events in order; cases interleaved as they like) leads to."""
    rows: dict[str, Row] = {}
    submitted: dict[str, RequestSubmitted] = {}
    for envelope, event in log:
        case_id = envelope.case_id or ""
        row = rows.get(case_id)
        if isinstance(event, RequestSubmitted):
            submitted[case_id] = event
        elif isinstance(event, Routed) and row is None:
            request = submitted[case_id]
            rows[case_id] = dict(section=request.section, sub_service=request.sub_service, department=event.department,
                                 status="open", rule=event.rule, flagged=event.flagged,
                                 submitted_at=request.submitted_at, due_at=event.due_at,
                                 calendar_version=event.calendar_version, paused_at=None, remaining_seconds=None)
        elif isinstance(event, Routed) and row is not None:
            row.update(department=event.department, rule=event.rule)
        elif isinstance(event, SlaPaused) and row is not None:
            row.update(paused_at=event.paused_at, remaining_seconds=event.remaining_seconds, due_at=None)
        elif isinstance(event, SlaResumed) and row is not None:
            row.update(paused_at=None, remaining_seconds=None, due_at=event.due_at,
                       calendar_version=event.calendar_version)
        elif isinstance(event, Resolved) and row is not None:
            row["status"] = "resolved"
    return rows


def rederive(submitted: RequestSubmitted, routed: Routed) -> list[str]:
    """Why the recorded first routing of a request does not follow from its recorded inputs (empty when it does)."""
    problems = []
    if routed.rules_version == RULES.version:
        decision = RULES.decide(submitted.section, submitted.sub_service, submitted.subject_nationality,
                                submitted.region, routed.loads or {})
        if (decision.department, decision.rule) != (routed.department, routed.rule):
            problems.append(f"rules give {decision.department} by {decision.rule}, not {routed.department}")
    calendar = load_calendar()
    if routed.calendar_version == calendar.version:
        due: datetime = calendar.due_at(submitted.submitted_at, working_days_for(submitted.sub_service))
        if due != routed.due_at:
            problems.append(f"the calendar gives {due.isoformat()}, not {routed.due_at}")
    return problems
