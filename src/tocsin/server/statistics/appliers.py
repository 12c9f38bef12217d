"""Appliers for statistics events: the only code that writes the statistics projection."""

from __future__ import annotations

from tocsin.domain.statistics import StatisticsExported
from tocsin.ledger import Envelope
from tocsin.server.projections import ProjectionSession, applies
from tocsin.server.statistics.models import StatisticsExport


@applies(StatisticsExported)
def apply_statistics_exported(
    event: StatisticsExported, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        StatisticsExport,
        id=event.export_id,
        format=event.format,
        checkpoint_size=event.checkpoint_size,
        checkpoint_root=event.checkpoint_root,
        period=event.period,
        audience=event.audience,
        digest=event.digest,
        exported_by=envelope.actor,
        exported_seq=envelope.seq,
        exported_at=envelope.time,
    )
