"""The business calendar: due times at closing time on working days, pauses that never shorten the clock."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.vocabulary import RIYADH
from routing import holidays
from routing.calendar import Calendar, calendar_from
from routing.sla import load_calendar
from tawasul.cli import main

CALENDAR = load_calendar()

instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 20), timezones=st.sampled_from([RIYADH, UTC])
)
working_days = st.integers(min_value=1, max_value=15)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
examples = settings(max_examples=150, deadline=None)


def riyadh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=RIYADH)


def at_closing_on_a_working_day(instant: datetime) -> bool:
    local = instant.astimezone(RIYADH)
    return instant.tzinfo is UTC and local.time() == time(15) and CALENDAR.is_working_day(local.date())


def test_the_packaged_calendar_has_a_stable_version_and_the_official_holidays():
    assert CALENDAR.version == f"sa-2026.1+2027.1+{holidays.VERSION}"  # the announced years, then the derivation
    assert load_calendar() is CALENDAR
    assert (CALENDAR.timezone, CALENDAR.opens, CALENDAR.closes) == (RIYADH, time(8), time(15))
    assert CALENDAR.years == {2026, 2027}
    for day in ("2026-02-22", "2026-03-20", "2026-05-27", "2026-09-23", "2027-02-22", "2027-03-09", "2027-05-16",
                "2027-09-23"):
        assert date.fromisoformat(day) in CALENDAR.holidays
        assert not CALENDAR.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        pytest.param("2026-11-19T10:00", "2026-11-30", id="thursday"),
        pytest.param("2027-09-21T10:00", "2027-10-03", id="national-day-2027-thursday"),
        pytest.param("2026-09-21T10:00", "2026-10-01", id="national-day-2026-wednesday"),
        pytest.param("2026-02-19T10:00", "2026-03-03", id="founding-day-2026"),
        pytest.param("2026-02-22T09:00", "2026-03-03", id="submitted-on-founding-day"),
        pytest.param("2027-02-18T10:00", "2027-03-02", id="founding-day-2027"),
        pytest.param("2026-03-16T10:00", "2026-03-31", id="eid-al-fitr-2026"),
        pytest.param("2026-05-24T10:00", "2026-06-08", id="eid-al-adha-2026"),
        pytest.param("2027-03-04T10:00", "2027-03-22", id="eid-al-fitr-2027"),
        pytest.param("2027-05-12T10:00", "2027-05-30", id="eid-al-adha-2027"),
        pytest.param("2026-11-16T00:00", "2026-11-25", id="midnight"),
        pytest.param("2026-11-16T14:59", "2026-11-25", id="before-closing"),
        pytest.param("2026-11-16T15:30", "2026-11-25", id="after-hours"),
        pytest.param("2026-11-16T23:59", "2026-11-25", id="last-minute"),
        pytest.param("2026-11-20T10:00", "2026-11-30", id="friday"),
        pytest.param("2026-11-21T23:59", "2026-11-30", id="saturday"),
        pytest.param("2026-12-24T10:00", "2027-01-04", id="year-boundary"),
        pytest.param("2026-12-30T23:59", "2027-01-10", id="year-boundary-after-hours"),
    ],
)
def test_due_at_closing_time_on_the_seventh_working_day_after_the_day_of_submission(submitted, due):
    assert CALENDAR.due_at(riyadh(submitted), 7) == riyadh(f"{due}T15:00")


def test_working_days_between_two_dates_count_the_working_days_after_the_first_up_to_the_second():
    day = date.fromisoformat
    assert CALENDAR.working_days_between(day("2026-11-19"), day("2026-11-19")) == 0  # a Thursday, itself
    assert CALENDAR.working_days_between(day("2026-11-19"), day("2026-11-21")) == 0  # its weekend
    assert CALENDAR.working_days_between(day("2026-11-19"), day("2026-11-22")) == 1  # Sunday
    assert CALENDAR.working_days_between(day("2026-11-20"), day("2026-11-26")) == 5  # from a Friday
    assert CALENDAR.working_days_between(day("2026-09-21"), day("2026-09-24")) == 2  # National Day between
    assert CALENDAR.working_days_between(day("2026-11-26"), day("2026-11-19")) == 0  # backwards: none


@examples
@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)), working_days)
def test_working_days_between_undoes_working_days_after(start, n):
    assert CALENDAR.working_days_between(start, CALENDAR.working_days_after(start, n)) == n


def test_the_local_date_in_riyadh_decides_the_day_of_submission():
    assert CALENDAR.due_at(datetime(2026, 11, 16, 20, 59, tzinfo=UTC), 7) == riyadh("2026-11-25T15:00")
    assert CALENDAR.due_at(datetime(2026, 11, 16, 21, 0, tzinfo=UTC), 7) == riyadh("2026-11-26T15:00")


def test_outputs_are_utc_and_naive_inputs_are_rejected():
    assert CALENDAR.due_at(riyadh("2026-11-19T10:00"), 1) == datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert CALENDAR.due_at(riyadh("2026-11-19T10:00"), 1).tzinfo is UTC
    naive = datetime(2026, 11, 19, 10)
    for call in (
        lambda: CALENDAR.due_at(naive, 7),
        lambda: CALENDAR.working_time_between(naive, riyadh("2026-11-30T15:00")),
        lambda: CALENDAR.remaining_at(naive, riyadh("2026-11-20T10:00")),
        lambda: CALENDAR.resume(timedelta(hours=1), naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()
    with pytest.raises(ValueError):
        CALENDAR.due_at(riyadh("2026-11-19T10:00"), 0)


def test_a_calendar_is_configurable_and_rejects_malformed_data():
    late = Calendar(version="t", opens=time(9), closes=time(17))
    assert late.due_at(riyadh("2026-11-19T10:00"), 1) == riyadh("2026-11-22T17:00")
    with pytest.raises(ValueError):
        Calendar(version="t", opens=time(15), closes=time(8))
    document = {"year": 2026, "version": "x", "holidays": [{"start": "2026-03-02", "end": "2026-03-01"}]}
    with pytest.raises(ValueError):
        calendar_from([document])
    with pytest.raises(ValueError):
        calendar_from([{**document, "holidays": []}, {**document, "holidays": []}])


def test_pause_and_resume_examples():
    due = riyadh("2026-11-30T15:00")
    remaining = CALENDAR.remaining_at(due, riyadh("2026-11-25T10:00"))
    assert remaining == timedelta(hours=5 + 7 + 7 + 7)
    assert CALENDAR.resume(remaining, riyadh("2026-11-25T10:00")) == due
    assert CALENDAR.resume(remaining, riyadh("2026-11-26T10:00")) == riyadh("2026-12-01T15:00")
    assert CALENDAR.resume(remaining, riyadh("2026-11-26T16:00")) == riyadh("2026-12-02T15:00")
    assert CALENDAR.remaining_at(due, riyadh("2026-12-01T10:00")) == timedelta(0)
    assert CALENDAR.resume(timedelta(0), riyadh("2026-12-01T10:00")) == riyadh("2026-12-01T15:00")
    assert CALENDAR.resume(timedelta(0), riyadh("2026-12-03T15:01")) == riyadh("2026-12-06T15:00")


@examples
@given(instants, working_days)
def test_due_times_fall_at_closing_time_on_a_working_day(submitted, n):
    assert at_closing_on_a_working_day(CALENDAR.due_at(submitted, n))


@examples
@given(instants, working_days)
def test_exactly_n_working_days_separate_the_day_of_submission_from_the_due_day(submitted, n):
    start, end = submitted.astimezone(RIYADH).date(), CALENDAR.due_at(submitted, n).astimezone(RIYADH).date()
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    counted = [d for d in days if d.weekday() not in (4, 5) and d not in CALENDAR.holidays]
    assert len(counted) == n
    assert counted[-1] == end
    assert CALENDAR.working_time_between(CALENDAR.end_of_day(start), CALENDAR.end_of_day(end)) == n * timedelta(hours=7)


@examples
@given(instants, durations, working_days, st.integers(min_value=0, max_value=10))
def test_a_later_submission_or_more_working_days_is_never_due_earlier(submitted, later, n, more):
    due = CALENDAR.due_at(submitted, n)
    assert CALENDAR.due_at(submitted + later, n) >= due
    assert CALENDAR.due_at(submitted, n + more) >= due
    assert CALENDAR.due_at(submitted, n + 1) > due


@examples
@given(instants, working_days, durations, durations)
def test_pause_then_resume_never_makes_a_case_due_earlier(submitted, n, until_pause, paused_for):
    due = CALENDAR.due_at(submitted, n)
    paused_at = submitted + until_pause
    resumed_at = paused_at + paused_for
    remaining = CALENDAR.remaining_at(due, paused_at)
    resumed = CALENDAR.resume(remaining, resumed_at)
    assert resumed >= due
    assert at_closing_on_a_working_day(resumed)
    assert CALENDAR.working_time_between(resumed_at, resumed) >= remaining
    if paused_at <= due:
        assert CALENDAR.resume(remaining, paused_at) == due


@examples
@given(instants, durations, durations)
def test_working_time_adds_up(start, first, second):
    middle, end = start + first, start + first + second
    total = CALENDAR.working_time_between(start, end)
    assert total == CALENDAR.working_time_between(start, middle) + CALENDAR.working_time_between(middle, end)
    assert CALENDAR.working_time_between(start, CALENDAR.add_working_time(start, total)) == total
    assert CALENDAR.add_working_time(start, total) <= end


def test_the_cli_prints_the_due_time_in_riyadh_and_the_calendar_version(capsys):
    main(["sla", "due", "2026-11-19T10:00:00+03:00"])
    assert capsys.readouterr().out.splitlines() == [
        "2026-11-30T15:00:00+03:00",
        f"calendar sa-2026.1+2027.1+{holidays.VERSION}, sla 2026.1, 7 working days",
    ]
    main(["sla", "due", "2027-09-21T07:00:00Z", "--sub-service", "renew"])
    assert capsys.readouterr().out.splitlines()[0] == "2027-10-03T15:00:00+03:00"
    main(["sla", "due", "2026-11-16T23:59"])
    assert capsys.readouterr().out.splitlines()[0] == "2026-11-25T15:00:00+03:00"


@pytest.mark.parametrize("instant", ["not-a-date", "2026-13-01T10:00", "2026-11-19 10:00 AST"])
def test_the_cli_rejects_an_invalid_instant_with_a_message(instant):
    with pytest.raises(SystemExit) as exit_:
        main(["sla", "due", instant])
    assert isinstance(exit_.value.code, str)
    assert exit_.value.code.startswith(f"tawasul sla due: {instant!r} is not a usable ISO 8601 instant")


def test_the_cli_requires_a_sla_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sla"])
    assert exit_.value.code == 2
    assert "due" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "said"), [
    (["sla", "due", "2026-11-19T10:00", "--sub-service", "no-such-thing"], "no sub-service 'no-such-thing'"),
    (["sla", "due", "2026-11-19T10:00", "--sub-service", "passport-renewal"], "no sub-service 'passport-renewal'"),
    (["demo", "--count", "-3"], "-3 is not between 1 and 1000"),
    (["demo", "--count", "many"], "'many' is not a whole number"),
])
def test_bad_arguments_get_a_clear_error(argv, said, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and said in capsys.readouterr().err
