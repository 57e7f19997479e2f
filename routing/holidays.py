"""Saudi public holidays of any year that has no official announcement, derived with the `holidays` library.

Founding Day (22 February) and National Day (23 September) are fixed; Eid al-Fitr and Eid al-Adha (with the
Day of Arafah) fall on their Umm al-Qura dates, and the library adds the days the Kingdom's rules give in
place of those falling on a weekend. Official announcements (`calendars/holidays-YYYY.json`) override a year
as a whole. The derivation is versioned by the library's release, pinned in the project, so a deadline
always names what it was computed with.
"""

from datetime import date
from functools import cache
from importlib.metadata import version

import holidays

VERSION = f"holidays-{version('holidays')}"


@cache
def saudi(year: int) -> frozenset[date]:
    """Every public holiday the Kingdom observes in `year`, as derived (not announced)."""
    return frozenset(holidays.country_holidays("SA", years=year))
