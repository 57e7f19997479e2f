"""Routing's decisions: the department and due time of a request, transfers, and the paused clock."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts import PortalSubmission, RequestSubmitted, TransferRequested
from routing import domain
from routing.rules import load
from routing.sla import load_calendar
from tests import samples

CALENDAR = load_calendar()
RULES = load()
THURSDAY_10_RIYADH = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)


def submitted(plan=("iqama", "renew", "holder"), at=THURSDAY_10_RIYADH, **extra) -> RequestSubmitted:
    body = PortalSubmission.model_validate(samples.submission(1, plan=plan))
    fields = body.model_dump(exclude={"attachments"})
    return RequestSubmitted(**{**fields, **extra}, submitted_at=at)


def test_a_request_is_routed_by_rule_with_its_due_time_and_provenance():
    routed = domain.route(submitted(region="eastern"), loads={}, calendar=CALENDAR, working_days=7, rules=RULES)
    assert (routed.department, routed.rule, routed.rules_version) == ("residency-eastern", "iqama-eastern-office",
                                                                      "2026.1")
    assert routed.due_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 15:00 in Riyadh
    assert routed.calendar_version == CALENDAR.version and not routed.flagged and routed.loads is None


def test_several_offices_go_to_the_least_loaded_and_the_loads_seen_are_recorded():
    loads = {"residency-riyadh": 4, "residency-makkah": 1, "residency-eastern": 3}
    routed = domain.route(submitted(), loads=loads, calendar=CALENDAR, working_days=7, rules=RULES)
    assert routed.department == "residency-makkah" and routed.loads == loads


def test_yemeni_and_syrian_visitors_go_to_their_own_team():
    visit = ("visit-extension", "extend", "visitor")
    yemeni = domain.route(submitted(visit, subject_nationality="YE"), loads={}, calendar=CALENDAR, working_days=7,
                          rules=RULES)
    egyptian = domain.route(submitted(visit, subject_nationality="EG"), loads={}, calendar=CALENDAR, working_days=7,
                            rules=RULES)
    assert (yemeni.department, egyptian.department) == ("visit-extensions-yemeni-syrian", "visit-extensions")


def test_a_request_no_rule_covers_goes_to_the_fallback_desk_flagged():
    unknown = submitted().model_copy(update={"section": "something-new"})
    routed = domain.route(unknown, loads={}, calendar=CALENDAR, working_days=7, rules=RULES)
    assert (routed.department, routed.rule, routed.flagged) == ("general-desk", "fallback", True)


CLOCK = domain.CaseClock(department="residency-riyadh", status="open", due_at=datetime(2026, 11, 30, 12, tzinfo=UTC),
                         calendar_version=CALENDAR.version, paused_at=None, remaining_seconds=None)
TRANSFER = TransferRequested(from_department="residency-riyadh", to_department="passports", reason="lost passport",
                             officer_id="o-1")


def test_a_transfer_moves_the_case_and_keeps_its_clock():
    routed = domain.transfer(TRANSFER, CLOCK, rules=RULES)
    assert (routed.department, routed.rule, routed.transferred_from) == ("passports", "transfer", "residency-riyadh")
    assert (routed.due_at, routed.calendar_version) == (CLOCK.due_at, CLOCK.calendar_version)


@pytest.mark.parametrize(("clock", "target", "why"), [
    (None, "passports", "not known"),
    (domain.CaseClock(**{**CLOCK.__dict__, "status": "resolved"}), "passports", "resolved"),
    (CLOCK, "no-such-department", "no department"),
    (CLOCK, "residency-riyadh", "already with"),
])
def test_a_transfer_that_cannot_be_done_is_refused_with_the_reason(clock, target, why):
    refused = domain.transfer(TRANSFER.model_copy(update={"to_department": target}), clock, rules=RULES)
    assert refused.TYPE == "TransferRefused" and why in refused.reason


def test_pausing_keeps_the_working_time_left_and_resuming_gives_it_back():
    asked = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # Tuesday 11:00 Riyadh
    paused = domain.pause(CLOCK, asked, CALENDAR)
    assert paused.remaining_seconds == int(CALENDAR.working_time_between(asked, CLOCK.due_at).total_seconds())
    waiting = domain.CaseClock(**{**CLOCK.__dict__, "paused_at": asked, "remaining_seconds": paused.remaining_seconds,
                                  "due_at": None})
    assert domain.pause(waiting, asked + timedelta(hours=1), CALENDAR) is None  # already paused
    answered = asked + timedelta(days=7)  # a week later
    resumed = domain.resume(waiting, answered, CALENDAR)
    assert resumed.due_at >= CLOCK.due_at + timedelta(days=7)
    assert resumed.due_at.astimezone(CALENDAR.timezone).hour == 15
    assert domain.resume(CLOCK, answered, CALENDAR) is None  # it was not paused


def test_the_warning_comes_when_the_share_of_working_time_has_passed_and_a_transfer_keeps_it():
    routed = domain.route(submitted(), loads={}, calendar=CALENDAR, working_days=7, rules=RULES)
    allowed = CALENDAR.working_time_between(THURSDAY_10_RIYADH, routed.due_at)
    assert routed.sla_seconds == int(allowed.total_seconds())
    assert CALENDAR.working_time_between(THURSDAY_10_RIYADH, routed.warn_at) == allowed * 0.8
    assert CALENDAR.working_time_between(routed.warn_at, routed.due_at) == allowed * 0.2
    half = domain.route(submitted(), loads={}, calendar=CALENDAR, working_days=7, rules=RULES,
                        deadlines=domain.Deadlines(warning_share=0.5))
    assert THURSDAY_10_RIYADH < half.warn_at < routed.warn_at < routed.due_at
    clock = domain.CaseClock(**{**CLOCK.__dict__, "sla_seconds": routed.sla_seconds, "warn_at": routed.warn_at})
    moved = domain.transfer(TRANSFER, clock, rules=RULES)
    assert (moved.sla_seconds, moved.warn_at) == (routed.sla_seconds, routed.warn_at)


def test_a_question_gives_the_beneficiary_ten_working_days_and_a_resumed_clock_warns_as_late_as_before():
    asked = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # Tuesday 11:00 Riyadh
    allowed = CALENDAR.working_time_between(asked - timedelta(days=3), CLOCK.due_at)
    clock = domain.CaseClock(**{**CLOCK.__dict__, "sla_seconds": int(allowed.total_seconds())})
    paused = domain.pause(clock, asked, CALENDAR)
    assert paused.answer_due_at == CALENDAR.due_at(asked, 10)
    assert domain.pause(clock, asked, CALENDAR, domain.Deadlines(answer_working_days=3)).answer_due_at == \
        CALENDAR.due_at(asked, 3)
    waiting = domain.CaseClock(**{**clock.__dict__, "paused_at": asked, "remaining_seconds": paused.remaining_seconds,
                                  "due_at": None})
    answered = asked + timedelta(days=7)
    resumed = domain.resume(waiting, answered, CALENDAR)
    assert CALENDAR.working_time_between(resumed.warn_at, resumed.due_at) == allowed * 0.2
    nearly_due = domain.CaseClock(**{**waiting.__dict__, "remaining_seconds": 60})  # less left than the warning
    assert domain.resume(nearly_due, answered, CALENDAR).warn_at == answered  # leaves: warned at once
