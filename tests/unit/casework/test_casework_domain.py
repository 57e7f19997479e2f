"""What an officer may do to a case in each state, and who may do it."""

import pytest

from casework import domain
from casework.access import Forbidden, check_assign, check_read, check_work, queue_department
from casework.domain import Case, CaseNotActionable, RequestInformation, RequestTransfer, ResolveCase, decide
from casework.users import User

RESOLVE = ResolveCase(outcome="completed", public_reply="Done")
ASK = RequestInformation(question="Please upload a clear copy of the passport.")
TRANSFER = RequestTransfer(to_department="passports", reason="lost passport, not residency")
OPEN = Case(status="open", department="residency-riyadh")
OFFICER = User("omar", "Omar", "officer", "residency-riyadh", "ar")
SUPERVISOR = User("huda", "Huda", "supervisor", "residency-riyadh", "ar")
ELSEWHERE = User("khalid", "Khalid", "officer", "visit-visas", "ar")
AUDITOR = User("noura", "Noura", "auditor", None, "ar")
ADMIN = User("admin", "Admin", "admin", None, "en")


def test_an_open_case_can_be_resolved_asked_about_or_transferred_and_the_event_names_who_did_it():
    resolved = decide(RESOLVE, OPEN, OFFICER)
    assert (resolved.department, resolved.outcome, resolved.public_reply, resolved.officer_id) == (
        "residency-riyadh", "completed", "Done", "omar")
    asked = decide(ASK, OPEN, SUPERVISOR)
    assert (asked.department, asked.question, asked.officer_id) == ("residency-riyadh", ASK.question, "huda")
    transfer = decide(TRANSFER, OPEN, OFFICER)
    assert (transfer.from_department, transfer.to_department) == ("residency-riyadh", "passports")


@pytest.mark.parametrize("command", [RESOLVE, ASK, TRANSFER])
def test_nothing_can_be_done_to_a_resolved_case_and_no_officer_acts_on_an_unrouted_one(command):
    with pytest.raises(CaseNotActionable, match="resolved already"):
        decide(command, Case(status="resolved", department="residency-riyadh"), OFFICER)
    with pytest.raises(Forbidden, match="another department's"):
        decide(command, Case(status="submitted", department=None), OFFICER)


@pytest.mark.parametrize("command", [RESOLVE, ASK, TRANSFER])
@pytest.mark.parametrize(("user", "reason"), [(ELSEWHERE, "another department's"), (AUDITOR, "read-only"),
                                              (ADMIN, "acts on no case")])
def test_only_the_department_s_officers_and_supervisors_act_on_its_cases(command, user, reason):
    with pytest.raises(Forbidden, match=reason):
        decide(command, OPEN, user)
    with pytest.raises(Forbidden):  # whatever the state: a stranger learns nothing of it
        decide(command, Case(status="resolved", department="residency-riyadh"), user)


def test_reading_a_case_its_department_an_auditor_any_an_admin_none():
    for user in (OFFICER, SUPERVISOR, AUDITOR):
        check_read(user, "residency-riyadh")
    check_read(AUDITOR, None)
    for user, department in ((ELSEWHERE, "residency-riyadh"), (ADMIN, "residency-riyadh"), (OFFICER, None)):
        with pytest.raises(Forbidden):
            check_read(user, department)
    check_work(SUPERVISOR, "residency-riyadh")


def test_only_a_supervisor_of_the_department_assigns():
    check_assign(SUPERVISOR, "residency-riyadh")
    for user, department in ((OFFICER, "residency-riyadh"), (SUPERVISOR, "passports"), (AUDITOR, "passports")):
        with pytest.raises(Forbidden):
            check_assign(user, department)


def test_the_queue_an_officer_sees_is_their_department_s_and_an_auditor_chooses():
    assert queue_department(OFFICER, None) == "residency-riyadh"
    assert queue_department(OFFICER, "residency-riyadh") == "residency-riyadh"
    assert queue_department(AUDITOR, None) is None
    assert queue_department(AUDITOR, "passports") == "passports"
    with pytest.raises(Forbidden):
        queue_department(OFFICER, "passports")
    with pytest.raises(Forbidden):
        queue_department(ADMIN, None)


def test_a_case_waiting_for_the_beneficiary_is_not_asked_twice_but_can_be_resolved_or_transferred():
    waiting = Case(status="awaiting_information", department="residency-riyadh")
    with pytest.raises(CaseNotActionable, match="already waiting"):
        decide(ASK, waiting, OFFICER)
    assert decide(RESOLVE, waiting, OFFICER).outcome == "completed"
    assert decide(TRANSFER, waiting, OFFICER).to_department == "passports"


def test_a_case_is_not_transferred_to_its_own_department():
    with pytest.raises(CaseNotActionable, match="already with"):
        decide(RequestTransfer(to_department="residency-riyadh", reason="x"), OPEN, OFFICER)


def test_the_queue_status_follows_casework_s_own_events():
    assert domain.STATUS_AFTER == {"Resolved": "resolved", "InfoRequested": "awaiting_information"}
