"""Working days: England and Wales bank holidays, London time, and the arithmetic of "within
N working days", by example and as properties (hypothesis) across weekends, Christmas and
Easter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.domain.clocks import CalendarError, WorkingCalendar

CAL = WorkingCalendar()
LONDON = ZoneInfo("Europe/London")


def london(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def end_of(y: int, m: int, d: int) -> datetime:
    """The instant a London day ends (its following midnight), in UTC."""
    return datetime.combine(date(y, m, d) + timedelta(days=1), time(0), LONDON).astimezone(UTC)


# --- examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "last_day"),
    [
        # Thursday before Good Friday 2025: Friday, the weekend and Easter Monday are closed.
        (london(2025, 4, 17), 1, date(2025, 4, 22)),
        (london(2024, 3, 28), 1, date(2024, 4, 2)),
        # An ordinary Thursday, a Friday, a Saturday, a Sunday.
        (london(2025, 3, 13), 1, date(2025, 3, 14)),
        (london(2025, 3, 14), 1, date(2025, 3, 17)),
        (london(2025, 3, 15), 1, date(2025, 3, 17)),
        (london(2025, 3, 16, 23, 59), 1, date(2025, 3, 17)),
        # Christmas 2025 (Thursday, Friday) and 2026 (Friday; Boxing Day observed on Monday).
        (london(2025, 12, 24), 1, date(2025, 12, 29)),
        (london(2026, 12, 24), 1, date(2026, 12, 29)),
        (london(2026, 12, 23), 2, date(2026, 12, 29)),
        # New Year's Day 2022 was a Saturday: Monday 3 January was the bank holiday.
        (london(2021, 12, 31), 1, date(2022, 1, 4)),
        # One-off bank holidays: the state funeral (2022) and the coronation (2023).
        (london(2022, 9, 16), 1, date(2022, 9, 20)),
        (london(2023, 5, 5), 1, date(2023, 5, 9)),
        # 15 working days for a conference; 45 for an assessment, across Easter 2025.
        (london(2025, 3, 3), 15, date(2025, 3, 24)),
        (london(2025, 3, 3), 45, date(2025, 5, 8)),
    ],
)
def test_within_n_working_days_means_by_the_end_of_the_nth_working_day(
    start: datetime, n: int, last_day: date
) -> None:
    due = CAL.add_working_days(start, n)
    assert due == end_of(last_day.year, last_day.month, last_day.day)
    assert CAL.deadline_day(due) == last_day
    assert CAL.working_days_between(start, due) == n


def test_the_end_of_a_day_is_local_midnight_in_summer_and_winter() -> None:
    assert CAL.add_working_days(london(2025, 1, 9), 1) == datetime(2025, 1, 11, 0, 0, tzinfo=UTC)
    assert CAL.add_working_days(london(2025, 7, 9), 1) == datetime(2025, 7, 10, 23, 0, tzinfo=UTC)
    # Across the spring change of the clocks (Sunday 30 March 2025).
    assert CAL.add_working_days(london(2025, 3, 28), 1) == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)


def test_the_midnight_that_ends_a_day_belongs_to_it() -> None:
    due = CAL.add_working_days(london(2025, 4, 17), 1)
    assert CAL.day_of(due) == date(2025, 4, 22)
    assert CAL.day_of(due + timedelta(microseconds=1)) == date(2025, 4, 23)
    # so deadlines compose: 1 then 2 working days is 3 working days.
    assert CAL.add_working_days(due, 2) == CAL.add_working_days(london(2025, 4, 17), 3)


def test_adding_nothing_changes_nothing_and_negative_is_refused() -> None:
    start = london(2025, 4, 18, 13)
    assert CAL.add_working_days(start, 0) == start
    assert CAL.add_hours(start, 0) == start and CAL.add_months(start, 0) == start
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(start, -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_hours(start, -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_months(start, -1)


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_days(datetime(2025, 1, 1, 10), 1)


def test_hours_are_absolute_time_across_a_change_of_the_clocks() -> None:
    start = london(2025, 3, 29, 12)  # GMT; the clocks go forward that night
    assert CAL.add_hours(start, 24) == start.astimezone(UTC) + timedelta(hours=24)
    assert CAL.add_hours(start, 24).astimezone(LONDON).hour == 13


def test_months_end_on_the_same_day_of_the_month_or_the_last_of_a_shorter_one() -> None:
    assert CAL.add_months(london(2025, 1, 15), 3) == end_of(2025, 4, 15)
    assert CAL.add_months(london(2025, 11, 30), 3) == end_of(2026, 2, 28)
    assert CAL.add_months(london(2023, 11, 30), 3) == end_of(2024, 2, 29)
    assert CAL.add_months(london(2025, 12, 31), 1) == end_of(2026, 1, 31)


def test_working_days_between_counts_both_ways() -> None:
    thursday, tuesday = london(2025, 4, 17), london(2025, 4, 22)
    assert CAL.working_days_between(thursday, tuesday) == 1
    assert CAL.working_days_between(tuesday, thursday) == -1
    assert CAL.working_days_between(thursday, thursday) == 0
    # A whole year: 2025 has 261 weekdays and 8 bank holidays on weekdays.
    assert CAL.working_days_after(date(2024, 12, 31), date(2025, 12, 31)) == 253


def test_is_working_day_and_holiday_names() -> None:
    assert not CAL.is_working_day(date(2025, 4, 18))
    assert CAL.holiday_name(date(2025, 4, 18)) == "Good Friday"
    assert CAL.holiday_name(date(2025, 4, 22)) is None
    assert CAL.is_working_day(date(2025, 4, 22))
    assert not CAL.is_working_day(date(2025, 4, 19))  # a Saturday


def test_extra_closed_days_count_as_closed() -> None:
    closed = WorkingCalendar(extra_closed_days=[date(2025, 12, 24)])
    assert not closed.is_working_day(date(2025, 12, 24))
    assert closed.holiday_name(date(2025, 12, 24)) == "Closed"
    assert closed.add_working_days(london(2025, 12, 23), 1) == end_of(2025, 12, 29)


def test_wales_has_the_same_bank_holidays_as_england() -> None:
    years = range(2015, 2036)
    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    assert set(england) == set(wales)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"country": "ZZ"}, "ZZ"),
        ({"subdivision": "XYZ"}, "XYZ"),
        ({"timezone": "Europe/Nowhere"}, "Europe/Nowhere"),
    ],
)
def test_unknown_regions_and_time_zones_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("due", "now", "words"),
    [
        (end_of(2025, 4, 22), london(2025, 4, 17), "due in 1 working day"),
        (end_of(2025, 4, 24), london(2025, 4, 22), "due in 2 working days"),
        (end_of(2025, 4, 22), london(2025, 4, 22, 9), "due today"),
        (london(2025, 4, 22, 14), london(2025, 4, 22, 9), "due in 5 hours"),
        (london(2025, 4, 22, 14), london(2025, 4, 22, 13, 30), "due in 1 hour"),
        (london(2025, 4, 22, 14), london(2025, 4, 22, 17), "3 hours overdue"),
        (end_of(2025, 4, 22), london(2025, 4, 23, 0, 30), "1 day overdue"),
        (end_of(2025, 4, 22), london(2025, 4, 25, 9), "3 days overdue"),
    ],
)
def test_deadlines_in_words(due: datetime, now: datetime, words: str) -> None:
    assert CAL.describe(due, now) == words


# --- properties -----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2016, 1, 1), max_value=datetime(2034, 12, 1), timezones=st.just(UTC)
)
# Days around Christmas and Easter, where the arithmetic is most often wrong.
EASTERS = [
    day for day, name in holidays.UK(years=range(2016, 2035)).items() if name == "Good Friday"
]
awkward_days = st.one_of(
    st.builds(
        lambda y, d: date(y, 12, 18) + timedelta(days=d),
        st.integers(2016, 2033),
        st.integers(0, 20),
    ),
    st.builds(lambda e, d: e + timedelta(days=d), st.sampled_from(EASTERS), st.integers(-6, 6)),
)
awkward_moments = st.builds(
    lambda day, minutes: datetime.combine(day, time(0), LONDON) + timedelta(minutes=minutes),
    awkward_days,
    st.integers(0, 24 * 60),
)
any_moment = st.one_of(moments, awkward_moments)


def closed_by_the_book(day: date) -> bool:
    """An independent oracle: a weekend or a bank holiday of England, straight from the
    holidays package."""
    return day.weekday() >= 5 or day in holidays.country_holidays(
        "GB", subdiv="ENG", years=day.year
    )


@settings(max_examples=300, deadline=None)
@given(any_moment, st.integers(1, 60))
def test_adding_working_days_lands_at_the_end_of_a_working_day(moment: datetime, n: int) -> None:
    due = CAL.add_working_days(moment, n)
    last_day = CAL.deadline_day(due)
    assert not closed_by_the_book(last_day)
    assert due == CAL.end_of_day(last_day)
    assert due.astimezone(LONDON).time() == time(0)
    assert due > moment
    # exactly n working days after the start's day, counted one day at a time
    start_day = CAL.day_of(moment)
    days = [start_day + timedelta(days=i) for i in range(1, (last_day - start_day).days + 1)]
    assert sum(1 for d in days if not closed_by_the_book(d)) == n


@settings(max_examples=300, deadline=None)
@given(any_moment, st.integers(0, 60))
def test_add_then_between_round_trips(moment: datetime, n: int) -> None:
    assert CAL.working_days_between(moment, CAL.add_working_days(moment, n)) == n


@settings(max_examples=200, deadline=None)
@given(any_moment, st.integers(0, 30), st.integers(0, 30))
def test_working_days_compose_and_grow(moment: datetime, a: int, b: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(moment, a), b) == CAL.add_working_days(
        moment, a + b
    )
    if b > 0:
        assert CAL.add_working_days(moment, a + b) > CAL.add_working_days(moment, a)


@settings(max_examples=200, deadline=None)
@given(awkward_days, st.integers(-40, 40))
def test_working_days_between_matches_counting_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    low, high = min(start, end), max(start, end)
    counted = sum(
        1
        for i in range(1, (high - low).days + 1)
        if not closed_by_the_book(low + timedelta(days=i))
    )
    assert CAL.working_days_after(start, end) == (counted if end >= start else -counted)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2016, 1, 1), max_value=date(2034, 12, 31)))
def test_is_working_day_agrees_with_the_book(day: date) -> None:
    assert CAL.is_working_day(day) == (not closed_by_the_book(day))


@settings(max_examples=200, deadline=None)
@given(any_moment, st.integers(0, 24 * 90))
def test_hours_never_depend_on_the_calendar(moment: datetime, hours: int) -> None:
    assert CAL.add_hours(moment, hours) - moment == timedelta(hours=hours)


def test_long_spans_agree_with_stepping_a_day_at_a_time() -> None:
    start = date(2024, 6, 3)
    day, n = start, 0
    while n < 700:
        day = CAL.next_working_day(day)
        n += 1
    assert CAL.add_working_days_to_date(start, 700) == day
    assert CAL.working_days_after(start, day) == 700
    # and the calendar still answers for earlier years afterwards
    assert CAL.add_working_days_to_date(date(2016, 12, 23), 1) == date(2016, 12, 28)
