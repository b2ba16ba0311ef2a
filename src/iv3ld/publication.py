"""CBS's deadlines and publication rounds (placements) for Iv3 data.

From CBS's open-data policy for Iv3 and its KREDO FAQ:

* deadlines: the begroting for year *t* on 14 November of *t − 1*; a quarter one
  month after the quarter ends; the jaarrekening for *t* on 14 July of *t + 1*;
* **1e plaatsing**: all data of a period are published 10 days after the deadline;
  deliveries up to 5 days after the deadline are included;
* **2e plaatsing**: corrections are accepted up to 2 months after the deadline and
  published 70 days after it;
* a date that falls in a weekend or on a public holiday moves to the next working
  day.

iv3ld counts every period from the nominal deadline and then moves each resulting
date (the deadline too) to a working day. A delivery after the correction deadline
is outside both rounds: CBS would not place it, but iv3ld keeps it and publishes it
at once, marked as such, because reusers still want the correction.

Holidays are those of the Algemene termijnenwet (Nieuwjaarsdag, tweede Paasdag,
Hemelvaartsdag, tweede Pinksterdag, Koningsdag, 5 mei, beide Kerstdagen) and Goede
Vrijdag, on which government offices are closed too.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

FIRST_ROUND_DAYS = 10
"""The 1e plaatsing is this many days after the deadline."""

FIRST_ROUND_GRACE_DAYS = 5
"""Deliveries up to this many days after the deadline are in the 1e plaatsing."""

CORRECTION_MONTHS = 2
"""Corrections are accepted up to this many months after the deadline."""

SECOND_ROUND_DAYS = 70
"""The 2e plaatsing is this many days after the deadline."""


class Placement(Enum):
    """The publication round a version belongs to."""

    FIRST = "eerste-plaatsing"
    SECOND = "tweede-plaatsing"
    LATE = "na-tweede-plaatsing"

    @property
    def label(self) -> str:
        """Dutch name of the round."""
        return {
            Placement.FIRST: "1e plaatsing",
            Placement.SECOND: "2e plaatsing",
            Placement.LATE: "na de 2e plaatsing",
        }[self]


@dataclass(frozen=True)
class Schedule:
    """The dates of one boekjaar and periode, each on a working day."""

    year: int
    periode: int
    deadline: date
    first_round_cutoff: date
    first_round: date
    correction_deadline: date
    second_round: date

    def placement(self, received: datetime) -> Placement:
        """The round a delivery received at this moment belongs to."""
        day = _local_day(received)
        if day <= self.first_round_cutoff:
            return Placement.FIRST
        if day <= self.correction_deadline:
            return Placement.SECOND
        return Placement.LATE

    def publication_date(self, received: datetime) -> date:
        """When a delivery received at this moment becomes public."""
        placement = self.placement(received)
        if placement is Placement.FIRST:
            return self.first_round
        if placement is Placement.SECOND:
            return self.second_round
        return _local_day(received)

    def is_late(self, received: datetime) -> bool:
        """Whether a delivery came after the deadline."""
        return _local_day(received) > self.deadline

    def as_json(self) -> dict[str, str | int]:
        """The dates as ISO strings, for the API."""
        return {
            "boekjaar": self.year,
            "periode": self.periode,
            "deadline": self.deadline.isoformat(),
            "eerste_plaatsing_tot": self.first_round_cutoff.isoformat(),
            "eerste_plaatsing": self.first_round.isoformat(),
            "correcties_tot": self.correction_deadline.isoformat(),
            "tweede_plaatsing": self.second_round.isoformat(),
        }


@cache
def schedule(year: int, periode: int) -> Schedule:
    """The deadline and publication dates of one boekjaar and periode (0–5).

    Raises ValueError for a periode outside 0–5.
    """
    nominal = nominal_deadline(year, periode)
    return Schedule(
        year,
        periode,
        deadline=working_day(nominal),
        first_round_cutoff=working_day(nominal + timedelta(FIRST_ROUND_GRACE_DAYS)),
        first_round=working_day(nominal + timedelta(FIRST_ROUND_DAYS)),
        correction_deadline=working_day(_add_months(nominal, CORRECTION_MONTHS)),
        second_round=working_day(nominal + timedelta(SECOND_ROUND_DAYS)),
    )


def nominal_deadline(year: int, periode: int) -> date:
    """The deadline before moving it off weekends and holidays."""
    if periode == 0:
        return date(year - 1, 11, 14)
    if periode in (1, 2, 3):
        return _add_months(_quarter_end(year, periode) + timedelta(1), 1) - timedelta(1)
    if periode == 4:
        return date(year + 1, 1, 31)
    if periode == 5:
        return date(year + 1, 7, 14)
    raise ValueError(f"periode {periode} is not 0 (begroting), 1–4 or 5")


def _quarter_end(year: int, quarter: int) -> date:
    first_of_next = date(year, quarter * 3 + 1, 1)
    return first_of_next - timedelta(1)


def _add_months(day: date, months: int) -> date:
    """The same day of the month, ``months`` later (clipped to the month's end)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def working_day(day: date) -> date:
    """The day itself, or the next day that is neither weekend nor holiday."""
    while day.weekday() >= 5 or day in holidays(day.year):
        day += timedelta(1)
    return day


@cache
def holidays(year: int) -> frozenset[date]:
    """Dutch public holidays of a year that fall on a weekday or weekend."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(2),
            easter + timedelta(1),
            kings_day,
            date(year, 5, 5),
            easter + timedelta(39),
            easter + timedelta(50),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return date(year, month, day + 1)


def _local_day(moment: datetime) -> date:
    """The calendar day in the Netherlands of a moment (naive means Dutch time)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(AMSTERDAM).date()
