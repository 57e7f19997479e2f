"""Each recorded routing decision re-derived from what it recorded.

`rederive` checks that a first `Routed` follows from its inputs: the rule set of the recorded version gives the
same department for the recorded loads, and the calendar of the recorded version gives the same due time. A
decision recorded under another version than the ones given is not re-derived (it cannot be, here).
"""

from datetime import datetime

from contracts import RequestSubmitted, Routed
from routing.calendar import Calendar
from routing.rules import RuleSet
from routing.sla import working_days_for


def rederive(submitted: RequestSubmitted, routed: Routed, *, rules: RuleSet, calendar: Calendar) -> list[str]:
    """Why the recorded first routing of a request does not follow from its recorded inputs (empty when it does)."""
    problems = []
    if routed.rules_version == rules.version:
        decision = rules.decide(submitted.section, submitted.sub_service, submitted.subject_nationality,
                                submitted.region, routed.loads or {})
        if (decision.department, decision.rule) != (routed.department, routed.rule):
            problems.append(f"rules give {decision.department} by {decision.rule}, not {routed.department}")
    if routed.calendar_version == calendar.version:
        due: datetime = calendar.due_at(submitted.submitted_at, working_days_for(submitted.sub_service))
        if due != routed.due_at:
            problems.append(f"the calendar gives {due.isoformat()}, not {routed.due_at}")
    return problems
