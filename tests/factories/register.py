"""Reports on the register, built through the action (synthetic titles and text)."""

from __future__ import annotations

from datetime import date

from tocsin.domain.register import RecommendationDraft, ReportDraft
from tocsin.server.actors import Actor
from tocsin.server.directory.models import User
from tocsin.server.register.actions import do_register_report
from tocsin.server.register.models import Report


def make_report(
    *,
    actor: Actor,
    owners: list[tuple[User, date]],
    title: str = "Northgate child exploitation problem profile 2026",
    kind: str = "problem_profile",
) -> Report:
    """Register a report with one recommendation per (owner, due date)."""
    envelope = do_register_report(
        ReportDraft(
            kind=kind,
            title=title,
            author="Northgate Safeguarding Partnership analysts",
            published_on=date(2026, 11, 2),
            summary="Exploitation concentrated around two takeaways and a car park.",
            recommendations=[
                RecommendationDraft(
                    f"Recommendation {n}: review night-time economy licensing checks.",
                    str(owner.pk),
                    due,
                )
                for n, (owner, due) in enumerate(owners, start=1)
            ],
        ),
        actor=actor,
    )
    report: Report = Report.objects.get(pk=envelope.subjects[0].split(":", 1)[1])
    return report
