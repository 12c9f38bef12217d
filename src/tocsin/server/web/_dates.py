"""Dates and times for people: local time, in words ("6 December 2026 at 14:05"), and how
long something has waited ("3 days"), never an RFC 3339 string."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

__all__ = ["for_people", "waited"]


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
