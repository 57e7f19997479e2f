"""Intake's pure decisions: tracking numbers and the checks a submission must pass."""

import pytest

from contracts import PortalSubmission
from intake import domain
from intake.catalog import SECTIONS


def a_submission(**overrides) -> PortalSubmission:
    body = {
        "submission_id": "portal-1",
        "portal": "absher",
        "account_id": "1000000008",
        "subject_id": "1000000008",
        "section": "iqama",
        "sub_service": "renew",
        "description": "Renewal failed online for 1000000008",
        "language": "ar",
        "contact": {"email": "a@example.sa", "mobile": "+966500000000"},
        "channels": ["email", "sms"],
    }
    body.update(overrides)
    return PortalSubmission.model_validate(body)


def test_tracking_numbers_carry_the_year_the_serial_and_a_check_digit_that_catches_a_typo():
    number = domain.tracking_number(1234, 2026)
    assert number.startswith("TW26") and len(number) == 12
    assert domain.is_valid_tracking_number(number)
    typo = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    assert not domain.is_valid_tracking_number(typo)
    swapped = number[:4] + number[5] + number[4] + number[6:]
    assert number == swapped or not domain.is_valid_tracking_number(swapped)


@pytest.mark.parametrize("value", ["", "TW", "TW26000012349X", "XX26000012349", "TW2600001234"])
def test_malformed_tracking_numbers_are_invalid(value):
    assert not domain.is_valid_tracking_number(value)


def test_distinct_serials_give_distinct_tracking_numbers():
    assert len({domain.tracking_number(serial, 2026) for serial in range(1, 5001)}) == 5000


def test_every_listed_section_and_sub_service_is_accepted():
    for section, sub_services in SECTIONS.items():
        for sub_service in sub_services:
            assert domain.check(a_submission(section=section, sub_service=sub_service)) == []


def test_a_section_not_listed_is_refused_as_unknown_service_on_the_section():
    [reason] = domain.check(a_submission(section="general-inquiry", sub_service="ask"))
    assert (reason.code, reason.field) == ("unknown_service", "section")
    assert reason.message_ar and reason.message_en


def test_a_sub_service_of_another_section_is_refused_on_the_sub_service():
    [reason] = domain.check(a_submission(section="iqama", sub_service="issue-single"))
    assert (reason.code, reason.field) == ("unknown_service", "sub_service")


def test_every_reason_is_reported_at_once():
    reasons = domain.check(
        a_submission(section="nope", contact={"email": None, "mobile": None}, channels=["email", "sms"])
    )
    assert [(r.code, r.field) for r in reasons] == [
        ("unknown_service", "section"),
        ("contact_missing", "contact.email"),
        ("contact_missing", "contact.mobile"),
    ]


def test_a_channel_without_its_contact_is_refused_but_an_unused_contact_may_be_missing():
    assert domain.check(a_submission(channels=["email"], contact={"email": "a@example.sa"})) == []
    [reason] = domain.check(a_submission(channels=["sms"], contact={"email": "a@example.sa"}))
    assert reason.field == "contact.mobile"


def test_the_fingerprint_ignores_how_the_json_was_spelled_but_not_what_it_says():
    one = a_submission()
    same = PortalSubmission.model_validate_json(one.model_dump_json())
    assert domain.fingerprint(one) == domain.fingerprint(same)
    assert domain.fingerprint(one) != domain.fingerprint(a_submission(description="Something else 1000000008"))
