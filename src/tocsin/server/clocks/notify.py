"""Telling the people at each level of the ladder that something has reached them.

Who is told (``recipients``) is whoever the escalation reaches in their "Escalated to you" tray
(``escalated_to``): level 1, the team managers of the team that holds the concern, or of its
owning agency while no team holds it; level 2, the heads of service of the owning agency (the
one it is allocated to, else the one that recorded it); a public report nobody has allocated,
the MASH managers at levels 1 and 2; level 3, every partnership scrutineer, outside the agency.
People without an e-mail address are not written to; the escalation is on the ledger and in
their trays anyway.

What they are told names the concern's reference, what was due and when, and a link: never a
child's name or anything from the concern. Messages go after the sweep's transaction commits,
so nobody is told about an escalation that was rolled back; a failure to send is logged and
never undoes the escalation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.db.models import Q

from tocsin.config import TocsinConfig, load_config
from tocsin.domain.clocks import ClockPolicy, Escalation
from tocsin.server.casework.models import Case
from tocsin.server.directory.models import User
from tocsin.server.web._dates import deadline

__all__ = ["Message", "compose", "recipients", "send"]

logger = logging.getLogger("tocsin.notify")

_FRONT_DOOR = ("mash_manager",)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def recipients(escalation: Escalation) -> list[User]:
    """The people with an address at ``escalation``'s level of the ladder: exactly those whose
    "Escalated to you" tray it reaches (``tocsin.server.clocks.read_models.escalated_to``)."""
    people = User.objects.filter(is_active=True).exclude(email="")
    if escalation.level >= 3:
        return list(people.filter(role="partnership_scrutineer").order_by("username"))
    case = (
        Case.objects.filter(concern_id=escalation.concern_id)
        .values("team_id", "agency_id", "allocated_agency_id")
        .first()
        if escalation.concern_id
        else None
    ) or {}
    owner = case.get("allocated_agency_id") or case.get("agency_id")
    if owner is None:  # a public report nobody has allocated: the front door's managers
        return list(people.filter(role__in=_FRONT_DOOR).order_by("username"))
    if escalation.level == 2:
        where = Q(role="head_of_service", agency_id=owner)
    elif case.get("team_id"):
        where = Q(role="team_manager", team_id=case["team_id"])
    else:
        where = Q(role="team_manager", agency_id=owner)
    return list(people.filter(where).order_by("username"))


def compose(
    escalation: Escalation, reference: str, policy: ClockPolicy, config: TocsinConfig
) -> tuple[str, str]:
    """The subject and body for ``escalation`` (nothing personal in either)."""
    rule = policy.obligation(escalation.obligation)
    level = policy.level(escalation.level)
    subject = f"Tocsin: overdue, escalated to you: {rule.label} ({reference})"
    link = (
        f"{config.base_url}/concerns/{escalation.concern_id}/"
        if escalation.concern_id
        else (f"{config.base_url}/work/")
    )
    body = (
        f"{rule.label} for concern {reference} was due {deadline(escalation.due)} and has "
        f"not been done.\n\nIt is now escalated to level {escalation.level}: {level.label}.\n\n"
        f"Open it in Tocsin: {link}\n\nThis message holds no personal details; sign in to see "
        "the concern."
    )
    return subject, body


def _send_email(messages: Sequence[Message], config: TocsinConfig) -> int:
    connection = get_connection(fail_silently=False)
    emails = [
        EmailMessage(m.subject, m.body, config.email_from, [m.to], connection=connection)
        for m in messages
    ]
    return int(connection.send_messages(emails) or 0)


def _send_notify(messages: Sequence[Message], config: TocsinConfig) -> int:
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(config.notify_api_key)  # type: ignore[no-untyped-call]
    for m in messages:
        client.send_email_notification(  # type: ignore[no-untyped-call]
            email_address=m.to,
            template_id=config.notify_template_id,
            personalisation={"subject": m.subject, "body": m.body},
        )
    return len(messages)


SENDERS: dict[str, Callable[[Sequence[Message], TocsinConfig], int]] = {
    "email": _send_email,
    "govuk-notify": _send_notify,
}


def send(escalations: Sequence[Escalation], references: dict[str, str], policy: ClockPolicy) -> int:
    """Tell the people at each escalation's level; how many messages went. Never raises."""
    config = load_config()
    if config.notify == "none" or not escalations:
        return 0
    messages = []
    for escalation in escalations:
        reference = references.get(str(escalation.concern_id), "(no concern)")
        subject, body = compose(escalation, reference, policy, config)
        messages += [Message(person.email, subject, body) for person in recipients(escalation)]
    if not messages:
        return 0
    try:
        return SENDERS[config.notify](messages, config)
    except Exception:  # a mail server down must not undo or stop the clocks
        logger.exception(
            "could not send %d escalation notifications; will not retry", len(messages)
        )
        return 0
