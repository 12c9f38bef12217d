"""Appliers for network events: the only code that writes the networks projections."""

from __future__ import annotations

from tocsin.domain.networks import PatternDetected
from tocsin.ledger import Envelope
from tocsin.server.networks.models import AlertedPattern
from tocsin.server.projections import ProjectionSession, applies


@applies(PatternDetected)
def apply_pattern_detected(
    event: PatternDetected, envelope: Envelope, session: ProjectionSession
) -> None:
    figures = {
        "rule_id": event.rule_id,
        "subject": event.subject,
        "subject_label": event.subject_label,
        "children": list(event.children),
        "size": event.size,
        "reporters": event.reporters,
        "agencies": event.agencies,
        "concern_id": event.concern_id,
        "last_seq": envelope.seq,
        "policy_version": event.policy_version,
    }
    if session.exists(AlertedPattern, event.pattern_key):
        alerts = session.get(AlertedPattern, event.pattern_key)["alerts"]
        session.update(AlertedPattern, event.pattern_key, alerts=alerts + 1, **figures)
    else:
        session.insert(
            AlertedPattern, key=event.pattern_key, alerts=1, first_seq=envelope.seq, **figures
        )
