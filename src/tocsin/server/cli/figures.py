"""The arguments of the commands that compute figures at a signed checkpoint
(``tocsin stats``, ``tocsin profile``): which checkpoint, and how time is grouped."""

from __future__ import annotations

from django.core.management.base import CommandParser

from tocsin.domain.statistics import PERIODS
from tocsin.server.cli.base import non_negative

__all__ = ["add_checkpoint_arguments"]


def add_checkpoint_arguments(parser: CommandParser, *, period: str, grouped: str) -> None:
    """Add ``--checkpoint SIZE`` (default: the newest) and ``--period``, one of
    :data:`~tocsin.domain.statistics.PERIODS` (default ``period``), saying what it groups:
    ``grouped`` ("concerns", "the trends")."""
    parser.add_argument(
        "--checkpoint",
        type=non_negative,
        default=None,
        metavar="SIZE",
        help="the size of a signed checkpoint (default: the newest)",
    )
    parser.add_argument(
        "--period",
        choices=list(PERIODS),
        default=period,
        help=f"how {grouped} are grouped in time (default {period})",
    )
