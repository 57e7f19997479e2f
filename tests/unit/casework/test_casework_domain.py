"""What an officer may do to a case in each state."""

import pytest

from casework import domain
from casework.domain import Case, CaseNotActionable, RequestInformation, RequestTransfer, ResolveCase, decide

RESOLVE = ResolveCase(outcome="completed", public_reply="Done", officer_id="o-1")
ASK = RequestInformation(question="Please upload a clear copy of the passport.", officer_id="o-1")
TRANSFER = RequestTransfer(to_department="passports", reason="lost passport, not residency", officer_id="o-1")
OPEN = Case(status="open", department="residency-riyadh")


def test_an_open_case_can_be_resolved_asked_about_or_transferred():
    resolved = decide(RESOLVE, OPEN)
    assert (resolved.department, resolved.outcome, resolved.public_reply) == ("residency-riyadh", "completed", "Done")
    asked = decide(ASK, OPEN)
    assert (asked.department, asked.question) == ("residency-riyadh", ASK.question)
    transfer = decide(TRANSFER, OPEN)
    assert (transfer.from_department, transfer.to_department) == ("residency-riyadh", "passports")


@pytest.mark.parametrize("command", [RESOLVE, ASK, TRANSFER])
def test_nothing_can_be_done_to_a_resolved_or_unrouted_case(command):
    with pytest.raises(CaseNotActionable, match="resolved already"):
        decide(command, Case(status="resolved", department="residency-riyadh"))
    with pytest.raises(CaseNotActionable, match="not been routed"):
        decide(command, Case(status="submitted", department=None))


def test_a_case_waiting_for_the_beneficiary_is_not_asked_twice_but_can_be_resolved_or_transferred():
    waiting = Case(status="awaiting_information", department="residency-riyadh")
    with pytest.raises(CaseNotActionable, match="already waiting"):
        decide(ASK, waiting)
    assert decide(RESOLVE, waiting).outcome == "completed"
    assert decide(TRANSFER, waiting).to_department == "passports"


def test_a_case_is_not_transferred_to_its_own_department():
    with pytest.raises(CaseNotActionable, match="already with"):
        decide(RequestTransfer(to_department="residency-riyadh", reason="x", officer_id="o-1"), OPEN)


def test_the_queue_status_follows_casework_s_own_events():
    assert domain.STATUS_AFTER == {"Resolved": "resolved", "InfoRequested": "awaiting_information"}
