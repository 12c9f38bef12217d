"""Tocsin's domain: events and the rules about them. Plain Python; imports nothing from Django."""

from tocsin.domain import (
    casework,
    clocks,
    concerns,
    directory,
    estimates,
    identity,
    networks,
    records,
    register,
    statistics,
)
from tocsin.domain.events import CATALOGUE, Event, EventDecodeError, event_type

__all__ = [
    "CATALOGUE",
    "Event",
    "EventDecodeError",
    "casework",
    "clocks",
    "concerns",
    "directory",
    "estimates",
    "event_type",
    "identity",
    "networks",
    "records",
    "register",
    "statistics",
]
