"""Holidays for every year: announced ones where there are, derived ones elsewhere; the Eids fall on their Umm
al-Qura dates, and deadlines in years nobody has announced yet skip them."""

from datetime import date, timedelta

import pytest
from hijridate import Gregorian, Hijri

from routing import holidays
from routing.sla import load_calendar
from tawasul.cli import main

CALENDAR = load_calendar()


def umm_al_qura(year: int, month: int, day: int) -> list[date]:
    """The Gregorian dates of a Hijri month-day that fall in Gregorian `year` (at most two)."""
    first = Gregorian(year, 1, 1).to_hijri().year
    found = [Hijri(h, month, day).to_gregorian() for h in (first, first + 1)]
    return [date(d.year, d.month, d.day) for d in found if d.year == year]


@pytest.mark.parametrize("year", range(2028, 2077))
def test_both_eids_are_holidays_on_their_umm_al_qura_dates_in_every_year_without_an_announcement(year):
    assert year not in CALENDAR.years
    fitr, adha = umm_al_qura(year, 10, 1), umm_al_qura(year, 12, 10)
    assert fitr or adha
    for eid in fitr + adha:
        assert eid in CALENDAR.holidays, f"{eid} is a working day"
    for arafah in (day - timedelta(days=1) for day in adha):
        if arafah.year == year:
            assert arafah in CALENDAR.holidays
    assert date(year, 2, 22) in CALENDAR.holidays and date(year, 9, 23) in CALENDAR.holidays


def test_an_announced_year_has_exactly_what_it_announces():
    announced = CALENDAR.holidays.of(2027)
    assert date(2027, 3, 8) in announced  # the announcement's range starts a day before the derived one
    assert announced != holidays.saudi(2027)
    assert date(2027, 5, 15) not in CALENDAR.holidays  # derived as the Day of Arafah; not announced


@pytest.mark.parametrize(("submitted", "due"), [
    pytest.param("2029-02-12T10:00", "2029-02-28T15:00:00+03:00", id="eid-al-fitr-2029"),  # 14–19 Feb, and 22 Feb
    pytest.param("2029-04-19T10:00", "2029-05-06T15:00:00+03:00", id="eid-al-adha-2029"),  # 23–26 Apr
    pytest.param("2030-02-02T10:00", "2030-02-17T15:00:00+03:00", id="eid-al-fitr-2030"),  # 3–6 Feb
    pytest.param("2030-04-10T10:00", "2030-04-25T15:00:00+03:00", id="eid-al-adha-2030"),  # 12–17 Apr
])
def test_the_cli_counts_the_eids_of_years_nobody_has_announced(submitted, due, capsys):
    main(["sla", "due", submitted])
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == due
    assert f"no official announcement for {submitted[:4]}" in err and holidays.VERSION in err
