"""Appliers for the register: the only code that writes its projection."""

from __future__ import annotations

from datetime import date

from tocsin.domain.register import (
    ProfileGenerated,
    RecommendationResponded,
    ReportRegistered,
    ReportWithdrawn,
    ScrutinyExported,
)
from tocsin.ledger import Envelope
from tocsin.server.projections import ProjectionSession, applies
from tocsin.server.register.models import (
    ProblemProfile,
    Recommendation,
    Report,
    ScrutinyExport,
)


@applies(ReportRegistered)
def apply_report_registered(
    event: ReportRegistered, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Report,
        id=event.report_id,
        kind=event.report_kind,
        title=event.title,
        author=event.author,
        published_on=date.fromisoformat(event.published_on),
        summary=event.summary,
        registered_by=envelope.actor,
        registered_seq=envelope.seq,
        registered_at=envelope.time,
        withdrawn_reason="",
        withdrawn_by="",
        withdrawn_seq=None,
        withdrawn_at="",
    )
    session.insert_many(
        Recommendation,
        (
            {
                "id": item["recommendation_id"],
                "report_id": event.report_id,
                "number": number,
                "text": item["text"],
                "owner_id": item["owner_id"],
                "due": date.fromisoformat(item["due"]),
                "response": "",
                "response_text": "",
                "responded_by": "",
                "responded_seq": None,
                "responded_at": "",
            }
            for number, item in enumerate(event.recommendations, start=1)
        ),
    )


@applies(RecommendationResponded)
def apply_recommendation_responded(
    event: RecommendationResponded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        Recommendation,
        event.recommendation_id,
        response=event.response,
        response_text=event.text,
        responded_by=envelope.actor,
        responded_seq=envelope.seq,
        responded_at=envelope.time,
    )


@applies(ReportWithdrawn)
def apply_report_withdrawn(
    event: ReportWithdrawn, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        Report,
        event.report_id,
        withdrawn_reason=event.reason,
        withdrawn_by=envelope.actor,
        withdrawn_seq=envelope.seq,
        withdrawn_at=envelope.time,
    )


@applies(ScrutinyExported)
def apply_scrutiny_exported(
    event: ScrutinyExported, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        ScrutinyExport,
        id=event.export_id,
        kind=event.export_kind,
        period_from=date.fromisoformat(event.period_from),
        period_to=date.fromisoformat(event.period_to),
        rows=event.rows,
        sha256=event.sha256,
        exported_by=envelope.actor,
        exported_seq=envelope.seq,
        exported_at=envelope.time,
    )


@applies(ProfileGenerated)
def apply_profile_generated(
    event: ProfileGenerated, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        ProblemProfile,
        id=event.profile_id,
        report_id=event.report_id,
        label=event.label,
        checkpoint_size=event.checkpoint_size,
        checkpoint_root=event.checkpoint_root,
        trend_period=event.trend_period,
        pdf_sha256=event.pdf_sha256,
        json_sha256=event.json_sha256,
        generated_by=envelope.actor,
        generated_seq=envelope.seq,
        generated_at=envelope.time,
    )
