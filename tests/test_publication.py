"""CBS deadlines and publication rounds, with weekends and holidays."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from iv3ld.publication import (
    AMSTERDAM,
    Placement,
    easter_sunday,
    holidays,
    schedule,
    working_day,
)


def test_the_worked_example_of_jaarrekening_2025() -> None:
    dates = schedule(2025, 5)

    assert dates.deadline == date(2026, 7, 14)
    assert dates.first_round_cutoff == date(2026, 7, 20)  # 19 July is a Sunday
    assert dates.first_round == date(2026, 7, 24)
    assert dates.correction_deadline == date(2026, 9, 14)
    assert dates.second_round == date(2026, 9, 22)


@pytest.mark.parametrize(
    ("year", "periode", "deadline"),
    [
        (2027, 0, date(2026, 11, 16)),  # 14 November 2026 is a Saturday
        (2025, 1, date(2025, 4, 30)),
        (2025, 2, date(2025, 7, 31)),
        (2025, 3, date(2025, 10, 31)),
        (2025, 4, date(2026, 2, 2)),  # 31 January 2026 is a Saturday
        (2023, 5, date(2024, 7, 15)),  # 14 July 2024 is a Sunday
    ],
)
def test_deadlines(year: int, periode: int, deadline: date) -> None:
    assert schedule(year, periode).deadline == deadline


def test_an_unknown_periode_is_refused() -> None:
    with pytest.raises(ValueError, match="periode 6"):
        schedule(2025, 6)


@pytest.mark.parametrize(
    ("received", "placement", "published"),
    [
        (
            datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM),
            Placement.FIRST,
            date(2026, 7, 24),
        ),
        (
            datetime(2026, 7, 20, 23, 59, tzinfo=AMSTERDAM),
            Placement.FIRST,
            date(2026, 7, 24),
        ),
        (
            datetime(2026, 7, 21, 0, 1, tzinfo=AMSTERDAM),
            Placement.SECOND,
            date(2026, 9, 22),
        ),
        (
            datetime(2026, 9, 14, 18, 0, tzinfo=AMSTERDAM),
            Placement.SECOND,
            date(2026, 9, 22),
        ),
        (
            datetime(2026, 9, 15, 9, 0, tzinfo=AMSTERDAM),
            Placement.LATE,
            date(2026, 9, 15),
        ),
    ],
)
def test_placement_of_a_delivery(
    received: datetime, placement: Placement, published: date
) -> None:
    dates = schedule(2025, 5)

    assert dates.placement(received) is placement
    assert dates.publication_date(received) == published


def test_a_delivery_just_after_midnight_utc_counts_in_dutch_time() -> None:
    dates = schedule(2025, 5)
    utc = datetime.fromisoformat("2026-07-20T22:30:00+00:00")  # 00:30 on 21 July

    assert dates.placement(utc) is Placement.SECOND


def test_late_is_after_the_deadline() -> None:
    dates = schedule(2025, 5)

    assert not dates.is_late(datetime(2026, 7, 14, 23, 0, tzinfo=AMSTERDAM))
    assert dates.is_late(datetime(2026, 7, 15, 8, 0, tzinfo=AMSTERDAM))


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5))],
)
def test_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_holidays_of_2026() -> None:
    days = holidays(2026)

    assert date(2026, 4, 3) in days  # Goede Vrijdag
    assert date(2026, 4, 6) in days  # tweede Paasdag
    assert date(2026, 4, 27) in days  # Koningsdag
    assert date(2026, 5, 14) in days  # Hemelvaartsdag
    assert date(2026, 5, 25) in days  # tweede Pinksterdag
    assert date(2025, 4, 26) in holidays(2025)  # 27 April 2025 is a Sunday


def test_working_day_skips_weekends_and_holidays() -> None:
    assert working_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert working_day(date(2026, 7, 14)) == date(2026, 7, 14)
