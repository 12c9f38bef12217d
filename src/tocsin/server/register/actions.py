"""The register's actions: register a report with its recommendations, respond to a
recommendation, withdraw a report. Each checks the actor's role itself, looks things up inside
its transaction, raises typed refusals (``Invalid`` with field problems, ``NotVisible``,
``ActionRefused``) and records one event; the rules are the core's (``tocsin.domain.register``).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from tocsin.domain.casework import roles_for
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.register import (
    RecommendationResponded,
    ReportDraft,
    ReportRegistered,
    ReportWithdrawn,
    report_problems,
    response_problems,
    withdrawal_problems,
)
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Actor, Invalid, NotVisible, actor_id, require_role
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import record_event
from tocsin.server.register.models import Recommendation, Report

__all__ = [
    "do_register_report",
    "do_respond_to_recommendation",
    "do_withdraw_report",
    "possible_owners",
]

_NO_SUCH_REPORT = "no such report on the register"
_NO_SUCH_RECOMMENDATION = "no such recommendation on the register"


def possible_owners() -> list[User]:
    """The people who may own a recommendation: everyone active whose role may respond."""
    return list(
        User.objects.filter(is_active=True, role__in=roles_for("respond_recommendation")).order_by(
            "display_name", "username"
        )
    )


def _refused(problems: list[tuple[str, str]]) -> Invalid:
    return Invalid([FieldProblem(field, message) for field, message in problems])


@transaction.atomic
def do_register_report(draft: ReportDraft, *, actor: Actor) -> Envelope:
    """Register a report and its recommendations (none is allowed: a report with no
    recommendations is still registered). Each recommendation's response is due by its date,
    on the clocks policy's ``recommendation_response`` obligation."""
    require_role(actor, *roles_for("register_report"))
    owners = {str(user.pk) for user in possible_owners()}
    problems = report_problems(draft, known_owners=owners)
    if problems:
        raise _refused(problems)
    assert draft.published_on is not None
    event = ReportRegistered(
        report_id=str(uuid.uuid4()),
        report_kind=draft.kind,
        title=draft.title.strip(),
        author=draft.author.strip(),
        published_on=draft.published_on.isoformat(),
        summary=draft.summary.strip(),
        recommendations=[
            {
                "recommendation_id": str(uuid.uuid4()),
                "text": rec.text.strip(),
                "owner_id": rec.owner_id,
                "due": rec.due.isoformat() if rec.due else "",
            }
            for rec in draft.recommendations
        ],
    )
    return record_event(event, actor_id=actor_id(actor))


def _recommendation(recommendation_id: uuid.UUID | str) -> Recommendation:
    try:
        row: Recommendation = Recommendation.objects.select_related("report").get(
            pk=recommendation_id
        )
    except (Recommendation.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible(_NO_SUCH_RECOMMENDATION) from None
    return row


@transaction.atomic
def do_respond_to_recommendation(
    recommendation_id: uuid.UUID | str, response: str, text: str, *, actor: Actor
) -> Envelope:
    """Respond to a recommendation: accepted, partly accepted or not accepted, with what will
    be done or why not. Only its owner responds, once; the response meets its clock."""
    if not isinstance(actor, User):
        raise ActionRefused("a recommendation is answered by the person who owns it")
    require_role(actor, *roles_for("respond_recommendation"))
    recommendation = _recommendation(recommendation_id)
    if recommendation.owner_id != actor.pk:
        raise ActionRefused("only the person who owns this recommendation responds to it")
    if recommendation.responded:
        raise _refused([("response", "This recommendation has already been answered")])
    problems = response_problems(response, text)
    if problems:
        raise _refused(problems)
    event = RecommendationResponded(
        report_id=str(recommendation.report_id),
        recommendation_id=str(recommendation.pk),
        response=response,
        text=text.strip(),
    )
    return record_event(event, actor_id=actor_id(actor))


@transaction.atomic
def do_withdraw_report(report_id: uuid.UUID | str, reason: str, *, actor: Actor) -> Envelope:
    """Withdraw a report, with the reason. It stays on the register, shown as withdrawn with
    the reason; its recommendations' clocks keep running until each is answered."""
    require_role(actor, *roles_for("register_report"))
    try:
        report = Report.objects.get(pk=report_id)
    except (Report.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible(_NO_SUCH_REPORT) from None
    if report.withdrawn:
        raise _refused([("reason", "This report has already been withdrawn")])
    problems = withdrawal_problems(reason)
    if problems:
        raise _refused(problems)
    return record_event(
        ReportWithdrawn(report_id=str(report.pk), reason=reason.strip()),
        actor_id=actor_id(actor),
    )
