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


SARA = User("sara", "Sara", "officer", "residency-riyadh", "en")


def test_an_officer_claims_an_unassigned_case_and_only_a_supervisor_takes_it_from_another():
    claimed = decide(domain.Claim(), OPEN, OFFICER)
    assert (claimed.TYPE, claimed.officer_id, claimed.department) == ("CaseClaimed", "omar", "residency-riyadh")
    mine = Case(status="open", department="residency-riyadh", assignee="omar")
    with pytest.raises(CaseNotActionable, match="yours already"):
        decide(domain.Claim(), mine, OFFICER)
    with pytest.raises(CaseNotActionable, match="assigned to omar"):
        decide(domain.Claim(), mine, SARA)
    moved = decide(domain.Assign(officer=SARA, username="sara"), mine, SUPERVISOR)
    assert (moved.TYPE, moved.officer_id, moved.assigned_by) == ("CaseAssigned", "sara", "huda")
    with pytest.raises(Forbidden, match="only a supervisor"):
        decide(domain.Assign(officer=SARA, username="sara"), mine, OFFICER)


@pytest.mark.parametrize("officer", [None, ELSEWHERE, AUDITOR, User("gone", "Gone", "officer", "residency-riyadh",
                                                                      "ar", disabled=True)])
def test_a_case_is_assigned_only_to_an_active_officer_of_its_department(officer):
    with pytest.raises(CaseNotActionable, match="not an active officer of residency-riyadh"):
        decide(domain.Assign(officer=officer, username=getattr(officer, "username", "nobody")), OPEN, SUPERVISOR)


def test_a_case_is_released_by_its_officer_or_a_supervisor():
    sara_s = Case(status="open", department="residency-riyadh", assignee="sara")
    released = decide(domain.Release(), sara_s, SARA)
    assert (released.TYPE, released.officer_id, released.released_by) == ("CaseReleased", "sara", "sara")
    assert decide(domain.Release(), sara_s, SUPERVISOR).released_by == "huda"
    with pytest.raises(CaseNotActionable, match="only they or a supervisor"):
        decide(domain.Release(), sara_s, OFFICER)
    with pytest.raises(CaseNotActionable, match="assigned to nobody"):
        decide(domain.Release(), OPEN, OFFICER)


def test_a_note_is_internal_and_may_be_added_after_resolution_but_not_by_an_auditor():
    note = decide(domain.AddNote(note="Called the office."), Case(status="resolved", department="residency-riyadh"),
                  OFFICER)
    assert (note.TYPE, note.note, note.officer_id) == ("NoteAdded", "Called the office.", "omar")
    with pytest.raises(Forbidden, match="read-only"):
        decide(domain.AddNote(note="x"), OPEN, AUDITOR)


def test_a_rejection_needs_a_reason_from_the_list_and_only_the_clock_closes_for_no_response():
    rejected = decide(ResolveCase(outcome="rejected", public_reply="Settle the fines first.",
                                  rejection_reason="violations_outstanding"), OPEN, OFFICER)
    assert (rejected.outcome, rejected.rejection_reason, rejected.officer_id) == (
        "rejected", "violations_outstanding", "omar")
    with pytest.raises(CaseNotActionable, match="needs its reason"):
        decide(ResolveCase(outcome="rejected", public_reply="No."), OPEN, OFFICER)
    with pytest.raises(CaseNotActionable, match="only a rejection"):
        decide(ResolveCase(outcome="completed", public_reply="Done.", rejection_reason="other"), OPEN, OFFICER)
    with pytest.raises(CaseNotActionable, match="decided by the clock"):
        decide(ResolveCase(outcome="closed_no_response", public_reply="Closed."), OPEN, OFFICER)


def test_the_clock_closes_a_case_still_waiting_in_the_beneficiary_s_language_and_nothing_else():
    waiting = Case(status="awaiting_information", department="residency-riyadh")
    closed = domain.close_unanswered(waiting, "en")
    assert (closed.outcome, closed.officer_id, closed.rejection_reason) == ("closed_no_response", None, None)
    assert closed.public_reply == domain.NO_RESPONSE_REPLY["en"]
    assert domain.close_unanswered(waiting, "ar").public_reply == domain.NO_RESPONSE_REPLY["ar"]
    for case in (OPEN, Case(status="resolved", department="residency-riyadh")):
        assert domain.close_unanswered(case, "ar") is None


def test_a_breach_is_escalated_once_per_due_time_and_never_for_a_closed_case():
    from datetime import UTC, datetime

    due = datetime(2026, 12, 1, 12, tzinfo=UTC)
    escalated = domain.escalate(OPEN, due)
    assert (escalated.department, escalated.due_at) == ("residency-riyadh", due)
    assert domain.escalate(Case(status="open", department="residency-riyadh", escalated_due_at=due), due) is None
    assert domain.escalate(Case(status="resolved", department="residency-riyadh"), due) is None
    later = datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert domain.escalate(Case(status="open", department="residency-riyadh", escalated_due_at=due), later)


def test_seeing_the_id_numbers_is_an_event_naming_who_which_and_why_and_only_the_department_s_workers_may():
    reveal = domain.RevealIdentity(fields=("subject_id",), reason="to call the Riyadh office")
    revealed = decide(reveal, Case(status="resolved", department="residency-riyadh"), OFFICER)
    assert (revealed.department, revealed.fields, revealed.reason, revealed.officer_id) == (
        "residency-riyadh", ("subject_id",), "to call the Riyadh office", "omar")
    for user in (ELSEWHERE, AUDITOR, ADMIN):
        with pytest.raises(Forbidden):
            decide(reveal, OPEN, user)


def test_a_page_offers_exactly_the_actions_the_case_s_state_and_the_user_s_role_allow():
    assert domain.available(OPEN, OFFICER) == {"claim", "resolve", "request_information", "transfer", "note",
                                               "reveal"}
    assert domain.available(OPEN, SUPERVISOR) == {"claim", "resolve", "request_information", "transfer", "note",
                                                  "reveal", "assign"}
    mine = Case(status="awaiting_information", department="residency-riyadh", assignee="omar")
    assert domain.available(mine, OFFICER) == {"release", "resolve", "transfer", "note", "reveal"}
    assert domain.available(Case(status="resolved", department="residency-riyadh"), SUPERVISOR) == {"note",
                                                                                                   "reveal"}
    for user in (ELSEWHERE, AUDITOR, ADMIN):
        assert domain.available(OPEN, user) == set()
