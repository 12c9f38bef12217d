"""Working days: what "within 1 working day" means, precisely, and the arithmetic behind it.

A **working day** is a Monday to Friday that is not a bank holiday of the calendar's region
(England and Wales by default, from the ``holidays`` package: Christmas, Boxing Day, Easter,
substitute days, and one-off days such as a coronation). Days are local days in the calendar's
time zone (Europe/London by default), so a deadline does not move when the clocks change.

A local **day** runs from just after midnight to midnight inclusive: the instant 00:00 that
ends Tuesday belongs to Tuesday, not Wednesday. That one convention makes the rules compose:

- **"Within N working days" of a moment** means by the end of the Nth working day after the
  day the moment falls on: a concern recorded at 10:00 on a Thursday is due a decision
  "within 1 working day" by the end of Friday, i.e. by 00:00 on Saturday, London time; one
  recorded on the Thursday before Good Friday is due by the end of the Tuesday after Easter
  Monday; one recorded on a Saturday, by the end of Monday. Adding 0 working days is no change.
- **Hours** are absolute time: 24 hours after 14:00 is 14:00 the next day, or 13:00 or 15:00
  local time across a change of the clocks.
- **Months** are calendar months to the end of the same day of the month (the 31st becomes the
  last day of a shorter month): three months after 15 January is the end of 15 April.
- **Working days between** two moments counts the working days after the first one's day up to
  and including the second one's day, so ``working_days_between(t, add_working_days(t, n))``
  is ``n``.

A deadline is the first instant at which the obligation is late: it is met in time by anything
before it, and overdue at and after it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["CalendarError", "WorkingCalendar"]

_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


class CalendarError(ValueError):
    """A calendar cannot be made: an unknown country, region or time zone."""


class WorkingCalendar:
    """Working days of one region in one time zone, with the deadline arithmetic of clocks.

    Every moment given must be timezone-aware; every moment returned is in UTC.
    """

    def __init__(
        self,
        *,
        country: str = "GB",
        subdivision: str | None = "ENG",
        timezone: str = "Europe/London",
        extra_closed_days: Iterable[date] = (),
    ) -> None:
        import holidays  # imported here: loading the package's country tables takes time

        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"unknown time zone {timezone!r}") from None
        try:
            self._holidays = holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as exc:
            raise CalendarError(f"no bank holidays for {country}/{subdivision}: {exc}") from None
        self.country = country
        self.subdivision = subdivision
        self.timezone = timezone
        self._extra = frozenset(extra_closed_days)
        #: year -> the sorted weekdays of that year that are closed (bank holidays, extras).
        self._closed: dict[int, tuple[date, ...]] = {}
        #: every working day of the years ``_span`` covers, in order (built as needed).
        self._working: list[date] = []
        self._span: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.country}/{self.subdivision}, {self.timezone})"

    # --- days ---------------------------------------------------------------------------------

    def _closed_weekdays(self, year: int) -> tuple[date, ...]:
        closed = self._closed.get(year)
        if closed is None:
            days = {day for day in self._holidays_in(year) if day.weekday() < 5}
            days |= {day for day in self._extra if day.year == year and day.weekday() < 5}
            closed = self._closed[year] = tuple(sorted(days))
        return closed

    def _holidays_in(self, year: int) -> list[date]:
        import holidays

        return list(holidays.country_holidays(self.country, subdiv=self.subdivision, years=year))

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday falling on ``day`` (as the holidays package names it), or None."""
        name = self._holidays.get(day)
        if name is None and day in self._extra:
            return "Closed"
        return name

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a bank holiday (nor an extra closed day)."""
        if day.weekday() >= 5:
            return False
        closed = self._closed_weekdays(day.year)
        i = bisect.bisect_left(closed, day)
        return not (i < len(closed) and closed[i] == day)

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days_to_date(self, day: date, n: int) -> date:
        """The ``n``th working day after ``day`` (``day`` itself when ``n`` is 0)."""
        if n < 0:
            raise ValueError("a number of working days to add cannot be negative")
        if n == 0:
            return day
        # A year has at least 240 working days: cover enough years for the answer, then look
        # it up in the ordered list of working days instead of stepping a day at a time.
        self._cover(day.year, day.year + 1 + n // 240)
        index = bisect.bisect_right(self._working, day) + n - 1
        return self._working[index]

    def _cover(self, first: int, last: int) -> None:
        if self._span is not None:
            if self._span[0] <= first and last <= self._span[1]:
                return
            first, last = min(first, self._span[0]), max(last, self._span[1])
        working = []
        for year in range(first, last + 1):
            closed = set(self._closed_weekdays(year))
            day = date(year, 1, 1)
            while day.year == year:
                if day.weekday() < 5 and day not in closed:
                    working.append(day)
                day += _ONE_DAY
        self._working, self._span = working, (first, last)

    def working_days_after(self, start: date, end: date) -> int:
        """How many working days fall after ``start`` up to and including ``end``; negative
        (the count the other way) when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_after(end, start)
        weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
        closed = 0
        for year in range(start.year, end.year + 1):
            days = self._closed_weekdays(year)
            closed += bisect.bisect_right(days, end) - bisect.bisect_right(days, start)
        return weekdays - closed

    # --- moments ------------------------------------------------------------------------------

    def day_of(self, moment: datetime) -> date:
        """The local day ``moment`` belongs to; the midnight that ends a day belongs to it."""
        return (_aware(moment).astimezone(self.zone) - _TICK).date()

    def end_of_day(self, day: date) -> datetime:
        """The instant ``day`` ends (local midnight after it), in UTC."""
        return datetime.combine(day + _ONE_DAY, time(0), tzinfo=self.zone).astimezone(UTC)

    def add_working_days(self, moment: datetime, n: int) -> datetime:
        """The deadline "within ``n`` working days" of ``moment``: the end of the ``n``th working
        day after the day ``moment`` falls on; ``moment`` itself when ``n`` is 0."""
        if n == 0:
            return _aware(moment).astimezone(UTC)
        return self.end_of_day(self.add_working_days_to_date(self.day_of(moment), n))

    def add_hours(self, moment: datetime, hours: int) -> datetime:
        """``hours`` hours of absolute time after ``moment`` (a change of the clocks does not
        stretch or shrink them)."""
        if hours < 0:
            raise ValueError("a number of hours to add cannot be negative")
        return _aware(moment).astimezone(UTC) + timedelta(hours=hours)

    def add_months(self, moment: datetime, months: int) -> datetime:
        """The end of the same day of the month ``months`` calendar months after ``moment``'s
        day (clamped to the last day of a shorter month); ``moment`` itself for 0."""
        if months < 0:
            raise ValueError("a number of months to add cannot be negative")
        if months == 0:
            return _aware(moment).astimezone(UTC)
        return self.end_of_day(_months_after(self.day_of(moment), months))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after ``start``'s day up to and including ``end``'s day (negative when
        ``end`` is earlier): the inverse of :meth:`add_working_days`."""
        return self.working_days_after(self.day_of(start), self.day_of(end))

    def deadline_day(self, due: datetime) -> date:
        """The last local day on which something due at ``due`` is in time (for showing a
        deadline as a date: "by the end of Tuesday 3 March")."""
        return self.day_of(due)

    def describe(self, due: datetime, now: datetime) -> str:
        """A deadline in words as of ``now``: "due today", "due in 2 working days", "due in
        5 hours", "3 hours overdue" or "3 days overdue" (calendar days since the deadline day:
        a child waits at weekends too)."""
        due, now = _aware(due), _aware(now)
        if now < due:
            ahead = self.working_days_between(now, due)
            if ahead >= 1:
                return f"due in {ahead} working day{'s' if ahead != 1 else ''}"
            if due == self.end_of_day(self.day_of(now)):
                return "due today"
            hours = math.ceil((due - now) / timedelta(hours=1))
            return f"due in {hours} hour{'s' if hours != 1 else ''}"
        days = (self.day_of(now) - self.day_of(due)).days
        if days >= 1:
            return f"{days} day{'s' if days != 1 else ''} overdue"
        hours = max(1, math.floor((now - due) / timedelta(hours=1)))
        return f"{hours} hour{'s' if hours != 1 else ''} overdue"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("clocks need timezone-aware moments")
    return moment


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from an epoch Monday (0001-01-01) up to and including ``day``."""
    weeks, extra = divmod(day.toordinal(), 7)  # toordinal() of 0001-01-01 (a Monday) is 1
    return weeks * 5 + min(extra, 5)


def _months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (first_of_next - _ONE_DAY).day))
