"""The business calendar of the Tawasul service: working days, working hours and due times, in Asia/Riyadh.

Working days are Sunday to Thursday, except public holidays; working hours run from `opens` to `closes`
local time. Every instant taken must be timezone-aware (ValueError otherwise); every instant returned is
UTC-aware.

Holidays (`Holidays`): a year with an official announcement (a `holidays-YYYY.json` file) has exactly the
holidays it announces; any other year has the ones derived for it (`routing.holidays`: Founding Day, National
Day, and Eid al-Fitr and Eid al-Adha from the Umm al-Qura calendar). A new or corrected file is a new calendar
version, and so is another derivation.

Due time: `due_at(t, n)` is `closes` on the n-th working day strictly after t's local date, whatever
t's time of day and whether or not that date is a working day.

Pause rule: pausing at instant p a clock due at D keeps `remaining_at(D, p)`, the working time (within
working hours on working days) from p to D; it is zero when p >= D. Resuming at instant r gives the due
time `resume(remaining, r)`: the instant reached by adding `remaining` of working time from r, rounded up
to `closes` of that working day (for zero remaining: `closes` of r's local date if that is a working day
and r is not after closing, otherwise `closes` of the next working day). Hence every due time is `closes`
on a working day, `resume(remaining_at(D, p), p) == D` for p <= D, and since `resume` is non-decreasing
in r, resuming at any r >= p never makes the case due before D. A clock paused after it fell due resumes
due at the close of the resume day: the breach itself is recorded by whoever observed it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.vocabulary import RIYADH

WEEKEND = frozenset({4, 5})
ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)


def aware(instant: datetime) -> datetime:
    """`instant` unchanged if it is timezone-aware; ValueError if it is naive."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: a timezone-aware instant is required")
    return instant


@dataclass(frozen=True)
class Holidays:
    """Public holidays of every year: a year's announced ones where there are, else the derived ones."""

    announced: Mapping[int, frozenset[date]] = field(default_factory=dict)
    derive: Callable[[int], frozenset[date]] = lambda year: frozenset()

    def of(self, year: int) -> frozenset[date]:
        announced = self.announced.get(year)
        return announced if announced is not None else self.derive(year)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in self.of(day.year)


@dataclass(frozen=True)
class Calendar:
    version: str
    timezone: ZoneInfo = RIYADH
    opens: time = time(8)
    closes: time = time(15)
    holidays: Holidays = Holidays()

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError(f"opening time {self.opens} is not before closing time {self.closes}")

    @property
    def years(self) -> frozenset[int]:
        """The years whose holidays were officially announced (the others are derived)."""
        return frozenset(self.holidays.announced)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() not in WEEKEND and d not in self.holidays

    def working_days_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after `d` (n >= 1)."""
        if n < 1:
            raise ValueError(f"working days must be at least 1, got {n}")
        while n:
            d += ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after `start` up to and including `end` (0 if `end` <= `start`): the n of
        `working_days_after(start, n) == end` when `end` is a working day."""
        count, d = 0, start
        while d < end:
            d += ONE_DAY
            count += self.is_working_day(d)
        return count

    def local_date(self, instant: datetime) -> date:
        return aware(instant).astimezone(self.timezone).date()

    def start_of_day(self, d: date) -> datetime:
        """Opening time on `d`, UTC-aware."""
        return datetime.combine(d, self.opens, tzinfo=self.timezone).astimezone(UTC)

    def end_of_day(self, d: date) -> datetime:
        """Closing time on `d`, UTC-aware."""
        return datetime.combine(d, self.closes, tzinfo=self.timezone).astimezone(UTC)

    def due_at(self, submitted_at: datetime, working_days: int) -> datetime:
        """Closing time on the `working_days`-th working day after the local date of `submitted_at`."""
        return self.end_of_day(self.working_days_after(self.local_date(submitted_at), working_days))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` within working hours on working days; zero if end <= start."""
        total, d, last = ZERO, self.local_date(start), self.local_date(end)
        while d <= last:
            if self.is_working_day(d):
                total += max(ZERO, min(end, self.end_of_day(d)) - max(start, self.start_of_day(d)))
            d += ONE_DAY
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at or after `start` with `amount` of working time between them, UTC-aware."""
        if amount < ZERO:
            raise ValueError(f"negative working time {amount}")
        start, d = aware(start).astimezone(UTC), self.local_date(start)
        if not amount:
            return start
        while True:
            if self.is_working_day(d):
                begin, end = max(start, self.start_of_day(d)), self.end_of_day(d)
                if end > begin:
                    if amount <= end - begin:
                        return begin + amount
                    amount -= end - begin
            d += ONE_DAY

    def close_at_or_after(self, instant: datetime) -> datetime:
        """The first closing time on a working day at or after `instant`, UTC-aware."""
        d = self.local_date(instant)
        if self.is_working_day(d) and instant <= self.end_of_day(d):
            return self.end_of_day(d)
        return self.end_of_day(self.working_days_after(d, 1))

    def remaining_at(self, due: datetime, paused_at: datetime) -> timedelta:
        """Working time left on a clock due at `due` when it pauses at `paused_at` (zero if already due)."""
        return self.working_time_between(paused_at, aware(due))

    def resume(self, remaining: timedelta, resumed_at: datetime) -> datetime:
        """The due time of a clock resumed at `resumed_at` with `remaining` working time (module docstring)."""
        return self.close_at_or_after(self.add_working_time(resumed_at, remaining))


def holiday_dates(document: Mapping[str, Any]) -> frozenset[date]:
    """Every date within the ranges of one holidays-YYYY.json document; ValueError if it is malformed."""
    year, days = document["year"], set()
    for holiday in document["holidays"]:
        start, end = date.fromisoformat(holiday["start"]), date.fromisoformat(holiday["end"])
        if start.year != year or end < start:
            raise ValueError(f"holiday {holiday.get('name_en')!r} {start}..{end} is not a range starting in {year}")
        days.update(start + ONE_DAY * i for i in range((end - start).days + 1))
    return frozenset(days)


def calendar_from(
    documents: Iterable[Mapping[str, Any]], *, prefix: str = "sa",
    derived: tuple[str, Callable[[int], frozenset[date]]] | None = None,
) -> Calendar:
    """The calendar of the announced holiday documents and, for other years, `derived` (its version and how it
    derives a year's holidays); versioned `prefix`, the documents' versions by year, and the derivation's:
    sa-2026.1+2027.1+holidays-0.109."""
    by_year: dict[int, Mapping[str, Any]] = {}
    for document in documents:
        if document["year"] in by_year:
            raise ValueError(f"two holiday documents for {document['year']}")
        by_year[document["year"]] = document
    if not by_year and derived is None:
        raise ValueError("no holiday documents")
    versions = [str(by_year[year]["version"]) for year in sorted(by_year)] + ([derived[0]] if derived else [])
    announced = {year: holiday_dates(document) for year, document in sorted(by_year.items())}
    return Calendar(
        version=f"{prefix}-" + "+".join(versions),
        holidays=Holidays(announced, derived[1]) if derived else Holidays(announced),
    )
