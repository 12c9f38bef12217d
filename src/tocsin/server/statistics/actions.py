"""Who may read the official statistics, which audience they are, and exporting them: every
export is a ``statistics.exported`` event first, naming the checkpoint, the audience, the
format and the digest of the file.

The figures are counts, but small counts over a few agencies can point at a child, so only
managers, the front door, analysts and the partnership's scrutineers read them; and everyone
but those who see every concern (the front door and the scrutineers, whose job it is) sees
small counts suppressed. The command line's operator sees every concern, unless publishing.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from tocsin.domain.statistics import EXPORT_FORMATS, PERIODS, StatisticsExported, to_csv, to_xlsx
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Actor, SystemActor, actor_id, require_role
from tocsin.server.concerns.gates import SEES_EVERY_CONCERN
from tocsin.server.ledger.recording import record_event
from tocsin.server.reads import current_scope
from tocsin.server.statistics.reading import NoCheckpoint, StatisticsAt, statistics_at

__all__ = [
    "STATISTICS_ROLES",
    "Export",
    "StatisticsRefused",
    "do_export_statistics",
    "may_read_statistics",
    "note_shown",
    "sees_every_concern",
]

#: Who may read the statistics page and export it.
STATISTICS_ROLES = (
    "team_manager",
    "head_of_service",
    "mash_officer",
    "mash_manager",
    "analyst",
    "partnership_scrutineer",
)

_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class StatisticsRefused(ActionRefused):
    """The statistics cannot be given as asked (no such checkpoint, an unknown format or
    period); nothing was recorded. The message says what to do."""


def may_read_statistics(user: object) -> bool:
    """Whether ``user`` may read the statistics and export them."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "role", "") in STATISTICS_ROLES


def sees_every_concern(actor: Actor) -> bool:
    """Whether ``actor`` is an audience that sees every concern (no suppression): the command
    line, the front door and the partnership's scrutineers."""
    if isinstance(actor, SystemActor):
        return True
    return actor.role in SEES_EVERY_CONCERN


def note_shown(stats: StatisticsAt, *, full: bool) -> None:
    """Add the records a full document shows (each regrading's concern and child, with its
    reason) to the open read scope, so that the one ``record.viewed`` lists them."""
    scope = current_scope()
    if scope is None or not full:
        return
    for regrading in stats.figures.reclassified_away:
        scope.add((f"concern:{regrading.concern_id}", f"child:{regrading.child_id}"))


@dataclass(frozen=True)
class Export:
    """An exported file and the event that recorded it."""

    content: bytes
    content_type: str
    filename: str
    envelope: Envelope


def do_export_statistics(
    file_format: str,
    *,
    size: int | None = None,
    period: str = "quarter",
    published: bool = False,
    actor: Actor,
) -> Export:
    """The statistics at the checkpoint of ``size`` (the newest if None) as a CSV or XLSX file
    for ``actor``'s audience (suppressed when ``published``, whoever asks), recorded on the
    ledger (``statistics.exported``) before it is handed over."""
    if not isinstance(actor, SystemActor):
        require_role(actor, *STATISTICS_ROLES)
    if file_format not in EXPORT_FORMATS:
        raise StatisticsRefused(f"the format must be one of {', '.join(EXPORT_FORMATS)}")
    if period not in PERIODS:
        raise StatisticsRefused(f"the period must be one of {', '.join(PERIODS)}")
    try:
        stats = statistics_at(size, period=period)
    except NoCheckpoint as exc:
        raise StatisticsRefused(str(exc)) from None
    full = sees_every_concern(actor) and not published
    doc = stats.document(sees_every_concern=full)
    content = to_csv(doc).encode("utf-8") if file_format == "csv" else to_xlsx(doc)
    event = StatisticsExported(
        export_id=str(uuid.uuid4()),
        format=file_format,
        checkpoint_size=stats.figures.size,
        checkpoint_root=stats.root,
        period=period,
        audience=doc.data["audience"],
        digest=hashlib.sha256(content).hexdigest(),
    )
    envelope = record_event(event, actor_id=actor_id(actor))
    note_shown(stats, full=full)
    return Export(
        content=content,
        content_type=_CONTENT_TYPES[file_format],
        filename=f"tocsin-statistics-{stats.figures.size}-{period}.{file_format}",
        envelope=envelope,
    )
