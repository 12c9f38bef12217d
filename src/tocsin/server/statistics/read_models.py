"""What the statistics page lists besides the figures: the checkpoints to choose from and the
newest exports. Neither is a record about a person, so loading them shows nothing to record."""

from __future__ import annotations

from tocsin.server.ledger.models import SignedCheckpoint
from tocsin.server.statistics.models import StatisticsExport

__all__ = ["offered_checkpoints", "recent_exports"]


def offered_checkpoints(limit: int = 20) -> list[int]:
    """The sizes of the newest ``limit`` signed checkpoints, newest first."""
    sizes = SignedCheckpoint.objects.order_by("-size").values_list("size", flat=True)
    return list(sizes[:limit])


def recent_exports(limit: int = 10) -> list[StatisticsExport]:
    """The newest ``limit`` exports of the statistics, newest first."""
    return list(StatisticsExport.objects.order_by("-exported_seq")[:limit])
