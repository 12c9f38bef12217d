"""Appliers for intelligence events: the only code that writes the intelligence projections."""

from __future__ import annotations

from tocsin.domain.estimates import EstimateProduced
from tocsin.ledger import Envelope
from tocsin.server.intel.models import EstimateRun
from tocsin.server.projections import ProjectionSession, applies


@applies(EstimateProduced)
def apply_estimate_produced(
    event: EstimateProduced, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        EstimateRun,
        id=event.estimate_id,
        period_from=event.period_from,
        period_to=event.period_to,
        ledger_size=event.ledger_size,
        rule=event.rule,
        lists=event.lists,
        capture_table=event.capture_table,
        left_out=event.left_out,
        method=event.method,
        settings=event.settings,
        result=event.result,
        produced_by=envelope.actor,
        produced_seq=envelope.seq,
        produced_at=envelope.time,
    )
