"""What casework reads with routing's calendar and directory and intake's catalog: the SLA countdown and its
colour, names in the user's language, the canned replies each department is offered."""

from datetime import UTC, datetime, timedelta

import pytest

from casework.reference import Reference, canned_replies, colour
from tawasul.system import reference

DAY = 7 * 3600  # 08:00 to 15:00


@pytest.mark.parametrize(("share", "paused", "due", "expected"), [
    (0.0, False, False, "green"), (0.5, False, False, "green"), (0.51, False, False, "amber"),
    (0.8, False, False, "amber"), (0.81, False, False, "red"), (0.2, False, True, "red"),
    (0.9, True, True, "grey"), (None, False, False, "green"), (None, False, True, "red"),
])
def test_the_sla_colour_follows_the_share_of_working_time_used_and_is_grey_while_paused(share, paused, due, expected):
    assert colour(share, paused=paused, due=due) == expected


def test_the_countdown_is_in_working_days_and_hours_over_the_saudi_calendar():
    calendar = reference()
    # Sunday 2026-12-06 09:00 Riyadh; due at the close of Thursday 2026-12-10: 6 h that day, then 4 whole days.
    now = datetime(2026, 12, 6, 6, tzinfo=UTC)
    due = datetime(2026, 12, 10, 12, tzinfo=UTC)
    countdown = calendar.countdown(due_at=due, sla_seconds=7 * DAY, paused_at=None, now=now)
    assert (countdown.days, countdown.hours) == (4, 6)
    assert countdown.share == pytest.approx(1 - 34 / 49) and countdown.colour == "green"
    # Over a weekend (Friday and Saturday) nothing is spent; paused, the clock stands at the pause.
    weekend = calendar.countdown(due_at=due, sla_seconds=7 * DAY, paused_at=now, now=now + timedelta(days=3))
    assert (weekend.days, weekend.hours, weekend.colour) == (4, 6, "grey")
    late = calendar.countdown(due_at=due, sla_seconds=7 * DAY, paused_at=None, now=due + timedelta(hours=1))
    assert (late.days, late.hours, late.share, late.colour) == (0, 0, 1.0, "red")
    assert Reference().countdown(due_at=due, sla_seconds=None, paused_at=None, now=now) is None  # no calendar


def test_names_are_in_the_user_s_language_and_an_unknown_code_shows_as_itself():
    known = reference()
    assert known.department_name("passports", "en") == "Saudi Passports Department"
    assert known.department_name("passports", "ar") == "إدارة الجوازات السعودية"
    assert known.section_name("saudi-passport", "ar") == "الجواز السعودي وتصاريح السفر"
    assert known.sub_service_name("saudi-passport", "renew", "en") == "Renew a Saudi passport"
    assert known.department_name("nowhere", "ar") == "nowhere" and known.department_name(None, "en") == "—"


def test_every_canned_reply_is_in_both_languages_for_departments_that_exist():
    departments = set(reference().departments)
    replies = canned_replies()
    assert replies and len({reply.id for reply in replies}) == len(replies)
    for reply in replies:
        assert set(reply.titles) == set(reply.texts) == {"ar", "en"} and all(reply.texts.values())
        assert set(reply.departments) <= departments | {"*"} and set(reply.uses) <= {"reply", "question"}
    offered = reference().replies_for("visit-visas", "reply")
    assert "visit-visa-issued" in {r.id for r in offered} and "residency-renewed" not in {r.id for r in offered}
    assert all("question" in r.uses for r in reference().replies_for("passports", "question"))
