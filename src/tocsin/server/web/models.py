"""The public pages' rate counters: the only table the web package owns.

Not a projection and not protected data: a counter holds a keyed hash of who made the attempts
(a client address or a session), never the address or the session key itself, and rows are
deleted once their window is over (``tocsin.server.web._ratelimit``).
"""

from __future__ import annotations

from django.db import models


class RateCount(models.Model):
    """How many attempts one subject made at one action in one fixed window."""

    #: ``action:scope:subject-hash:window-start``, built by ``_ratelimit`` and nowhere else.
    bucket = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField()
    #: Unix seconds after which the row counts for nothing and may be deleted.
    expires_at = models.BigIntegerField(db_index=True)

    class Meta:
        db_table = "web_rate_count"
