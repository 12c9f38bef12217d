"""Rate limits for the public pages, kept without any IP address.

Two counters for each action: one in the visitor's session (so one person cannot flood the
front door) and one for the whole service in Django's cache (the backstop against someone who
throws their cookies away). Fixed one-hour windows; nothing about the visitor is stored but the
times of their own recent attempts, in their own session.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

__all__ = ["FOLLOW_UP", "REPORT", "Limit", "allow"]


@dataclass(frozen=True)
class Limit:
    """At most ``per_session`` attempts by one visitor and ``overall`` by everyone in
    ``window`` seconds."""

    action: str
    per_session: int
    overall: int
    window: int = 3600


REPORT = Limit("public-report", per_session=5, overall=300)
FOLLOW_UP = Limit("public-follow-up", per_session=10, overall=600)


def allow(request: HttpRequest, limit: Limit) -> bool:
    """Count one attempt at ``limit.action``; False (and nothing counted) when over a limit."""
    now = time.time()
    key = f"tocsin-rate-{limit.action}"
    recent = [t for t in request.session.get(key, []) if now - t < limit.window]
    if len(recent) >= limit.per_session:
        request.session[key] = recent
        return False
    bucket = f"tocsin-rate:{limit.action}:{int(now // limit.window)}"
    cache.add(bucket, 0, timeout=limit.window * 2)
    try:
        overall = cache.incr(bucket)
    except ValueError:  # the entry expired between add and incr
        cache.set(bucket, 1, timeout=limit.window * 2)
        overall = 1
    if overall > limit.overall:
        return False
    request.session[key] = [*recent, now]
    return True
