"""Dates and times for people: local time, in words ("6 December 2026 at 14:05"), and how
long something has waited ("3 days"), never an RFC 3339 string."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

__all__ = ["deadline", "for_people", "waited"]


def _moment(value: str | datetime | None) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def for_people(value: str | datetime | date | None) -> str:
    """``value`` (an event time in UTC, a datetime or a date) as people write it, in the
    service's local time: "6 December 2026 at 14:05", or "6 December 2026" for a date."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return for_people(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.day} {value:%B %Y}"
    moment = _moment(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def waited(value: str | datetime | None, now: datetime | None = None) -> str:
    """How long since ``value``, in the largest whole unit: "3 days", "5 hours", "12 minutes"."""
    moment = _moment(value)
    if moment is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return "less than a minute"


def deadline(value: str | datetime | date | None) -> str:
    """A due time as people read a deadline: "by the end of Monday 7 December 2026" for one
    due at the start of a day (working-day deadlines, and a date), "by 14:05 on 7 December
    2026" for one due at an hour (the 24-hour clocks)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"by the end of {value:%A} {value.day} {value:%B %Y}"
    moment = _moment(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    local = timezone.localtime(moment)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return deadline((local - timedelta(days=1)).date())
    return f"by {local:%H:%M} on {local.day} {local:%B %Y}"
