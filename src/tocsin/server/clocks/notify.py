"""Telling people what has reached them, through a durable outbox.

What is told, and to whom:

- **an escalation**, to the people at its level of the ladder (``recipients``): whoever it
  reaches in their "Escalated to you" tray (``escalated_to``): level 1, the team managers of
  the team that holds the concern, or of its owning agency while no team holds it; level 2,
  the heads of service of the owning agency (the one it is allocated to, else the one that
  recorded it); a public report nobody has allocated, the MASH managers at levels 1 and 2;
  level 3, every partnership scrutineer, outside the agency; a challenge's clock climbs above
  whoever must answer it instead (``challenge_ladder``), never into the decider's line;
- **a capacity alarm**, to those it goes to (``alarm_recipients``): the heads of service of
  its agency (every head of service for the front door's queue) and the partnership's
  scrutineers;
- **a challenge answered**, to the challenger.

People without an e-mail address are not written to; it is on the ledger and in their trays
and pages anyway. A message names a reference, what happened and a link: never a child's
name, a worker's name or anything a concern, a challenge or an answer says.

**The outbox** (``Notification``): messages are queued in the same transaction as what they
tell of, so they are kept if and only if it is, and :func:`drain` sends them afterwards (the
sweep drains it each time it runs, so within ``TOCSIN_CLOCKS_INTERVAL``). Each message is
sent on its own; one that fails stays in the outbox and is tried again after a growing wait
(:func:`backoff`: 1 minute, 2, 4... up to 6 hours), for as long as it takes: a failed send
never loses a message. Log lines give counts, ids and the kind of failure, never an address
or a message.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tocsin.config import TocsinConfig, load_config
from tocsin.domain.clocks import (
    CAPACITY_MEASURES,
    CHALLENGE_OUTCOMES,
    CapacityAlarmRaised,
    ClockPolicy,
    Escalation,
)
from tocsin.server.casework.models import Case
from tocsin.server.clocks.models import Notification
from tocsin.server.clocks.read_models import CHALLENGE_OBLIGATION, challenge_target
from tocsin.server.directory.models import Agency, Team, User
from tocsin.server.web._dates import deadline

__all__ = [
    "MAX_WAIT",
    "SENDERS",
    "Drained",
    "Message",
    "Outgoing",
    "alarm_recipients",
    "backoff",
    "compose",
    "drain",
    "queue",
    "queue_alarms",
    "queue_answer",
    "queue_escalations",
    "recipients",
]

logger = logging.getLogger("tocsin.notify")

_FRONT_DOOR = ("mash_manager",)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


#: The clocks policy's obligation for a registered recommendation's response.
RECOMMENDATION_OBLIGATION = "recommendation_response"


def recipients(escalation: Escalation) -> list[User]:
    """The people with an address at ``escalation``'s level of the ladder: exactly those whose
    "Escalated to you" tray it reaches (``tocsin.server.clocks.read_models.escalated_to``)."""
    people = User.objects.filter(is_active=True).exclude(email="")
    if escalation.obligation == CHALLENGE_OBLIGATION:  # above whoever must answer it
        target = challenge_target(escalation.obligation_id, escalation.level)
        if target is None:
            return []
        role, agency = target
        where = Q(role=role) if agency is None else Q(role=role, agency_id=agency)
        return list(people.filter(where).order_by("username"))
    if escalation.obligation == RECOMMENDATION_OBLIGATION:  # above the owner (docs/register.md)
        from tocsin.server.register.read_models import recommendation_escalation_recipients

        ladder = recommendation_escalation_recipients(escalation.obligation_id, escalation.level)
        return [] if ladder is None else list(people.filter(ladder).order_by("username"))
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
    if escalation.obligation == RECOMMENDATION_OBLIGATION:
        recommendation = escalation.obligation_id.rsplit(":", 1)[-1]
        body = (
            f"{rule.label} on the register of reports was due {deadline(escalation.due)} and "
            f"has not been answered.\n\nIt is now escalated to level {escalation.level}: "
            f"{level.label}.\n\nOpen it in Tocsin: "
            f"{config.base_url}/register/recommendations/{recommendation}/"
        )
        return f"Tocsin: overdue, escalated to you: {rule.label}", body
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


@dataclass(frozen=True)
class Outgoing:
    """A message to queue: ``key`` says what it is about and to whom (one message each)."""

    key: str
    kind: str
    to: str
    subject: str
    body: str


def queue(messages: Iterable[Outgoing], now: datetime | None = None) -> int:
    """Put ``messages`` in the outbox, in the caller's transaction (one already queued under
    the same key is kept as it is); how many are new. Nothing is queued while notifications
    are off (``TOCSIN_NOTIFY=none``)."""
    if load_config().notify == "none":
        return 0
    now = now or timezone.now()
    wanted = {m.key: m for m in messages}
    if not wanted:
        return 0
    known = set(Notification.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    rows = [
        Notification(
            id=uuid.uuid4(),
            key=m.key,
            kind=m.kind,
            to=m.to,
            subject=m.subject,
            body=m.body,
            created_at=now,
            next_attempt_at=now,
        )
        for key, m in wanted.items()
        if key not in known
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def queue_escalations(
    escalations: Sequence[Escalation],
    references: dict[str, str],
    policy: ClockPolicy,
    now: datetime | None = None,
) -> int:
    """Queue a message to each person at each escalation's level."""
    if not escalations or load_config().notify == "none":
        return 0
    config = load_config()
    messages = []
    for escalation in escalations:
        reference = references.get(str(escalation.concern_id), "(no concern)")
        subject, body = compose(escalation, reference, policy, config)
        about = f"escalation:{escalation.obligation_id}:{escalation.level}"
        messages += [
            Outgoing(f"{about}:{person.pk}", "escalation", person.email, subject, body)
            for person in recipients(escalation)
        ]
    return queue(messages, now)


def alarm_recipients(agency_id: str | None) -> list[User]:
    """Who a capacity alarm goes to (levels 2 and 3 of the ladder): the heads of service of
    its agency (every head of service for the front door's queue, which is nobody's agency
    and which they all see) and the partnership's scrutineers; those with an address."""
    heads = Q(role="head_of_service")
    if agency_id:
        heads &= Q(agency_id=agency_id)
    people = User.objects.filter(is_active=True).exclude(email="")
    return list(people.filter(heads | Q(role="partnership_scrutineer")).order_by("username"))


def _alarm_message(alarm: CapacityAlarmRaised, config: TocsinConfig) -> tuple[str, str]:
    """The subject and body for a capacity alarm: the team or agency, the figure and the
    capacity; a worker is not named (the capacity page names them to those it goes to)."""
    agency = Agency.objects.filter(pk=alarm.agency_id).first() if alarm.agency_id else None
    if alarm.scope == "team":
        team = Team.objects.filter(pk=alarm.scope_id).first()
        whose = f"the team {team.name}" if team else "a team"
    elif alarm.scope == "worker":
        whose = "a worker"
    else:
        whose = "the front door"
    if agency is not None and alarm.scope != "front_door":
        whose += f" of {agency.name}"
    measure = CAPACITY_MEASURES.get(alarm.measure, alarm.measure).lower()
    subject = f"Tocsin: capacity alarm for {whose}"
    body = (
        f"A capacity alarm has been raised for {whose}: {measure}, {alarm.value}, is over "
        f"its capacity of {alarm.threshold}.\n\nThe alarm stays open until the figure falls; "
        f"nobody can clear it by hand.\n\nSee it in Tocsin: {config.base_url}/capacity/\n\n"
        "This message holds no personal details; sign in to see who and what it is about."
    )
    return subject, body


def queue_alarms(alarms: Sequence[CapacityAlarmRaised], now: datetime | None = None) -> int:
    """Queue a message about each capacity alarm raised to those it goes to."""
    if not alarms or load_config().notify == "none":
        return 0
    config = load_config()
    messages = []
    for alarm in alarms:
        subject, body = _alarm_message(alarm, config)
        messages += [
            Outgoing(
                f"capacity_alarm:{alarm.alarm_id}:{person.pk}",
                "capacity_alarm",
                person.email,
                subject,
                body,
            )
            for person in alarm_recipients(alarm.agency_id)
        ]
    return queue(messages, now)


def queue_answer(
    challenge_id: str, reference: str, outcome: str, challenger: str, now: datetime | None = None
) -> int:
    """Queue a message to the challenger (``user:<id>``, as the ledger names them) that their
    challenge has been answered: the outcome and a link, not the answer itself."""
    if not challenger.startswith("user:"):
        return 0
    try:
        person = User.objects.filter(
            pk=uuid.UUID(challenger.removeprefix("user:")), is_active=True
        ).first()
    except ValueError:
        return 0
    if person is None or not person.email:
        return 0
    config = load_config()
    told = CHALLENGE_OUTCOMES.get(outcome, outcome)
    subject = f"Tocsin: your challenge has been answered ({reference})"
    body = (
        f"Your challenge to a decision on concern {reference} has been answered: {told}.\n\n"
        f"Read the answer in Tocsin: {config.base_url}/challenges/{challenge_id}/\n\n"
        "This message holds no personal details; sign in to read the answer."
    )
    key = f"challenge_answered:{challenge_id}:{person.pk}"
    return queue([Outgoing(key, "challenge_answered", person.email, subject, body)], now)


#: The longest wait between two tries of a message that keeps failing.
MAX_WAIT = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying a message again after its ``attempts``-th failure: 1
    minute, then twice as long each time, never more than :data:`MAX_WAIT`."""
    if attempts > 20:
        return MAX_WAIT
    return min(MAX_WAIT, timedelta(minutes=2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Drained:
    sent: int
    failed: int
    #: messages still in the outbox after this run (waiting to be tried again, or not due).
    waiting: int


def drain(now: datetime | None = None, *, limit: int = 500) -> Drained:
    """Send the messages due (at most ``limit``, oldest first), each on its own: a sent one
    is marked sent; one that fails stays, to be tried again after :func:`backoff`. Never
    raises for a failed send. Two workers draining at once take different messages."""
    config = load_config()
    now = now or timezone.now()
    if config.notify == "none":
        return Drained(0, 0, 0)
    sender = SENDERS[config.notify]
    sent = failed = 0
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "created_at")[:limit]
        )
        for row in due:
            row.attempts += 1
            try:
                sender([Message(row.to, row.subject, row.body)], config)
            except Exception as exc:  # a mail server down must lose nothing and stop nothing
                failed += 1
                row.last_error = type(exc).__name__[:100]
                row.next_attempt_at = now + backoff(row.attempts)
                logger.warning(
                    "notification %s (%s) not sent, try %d (%s); trying again at %s",
                    row.pk,
                    row.kind,
                    row.attempts,
                    row.last_error,
                    row.next_attempt_at.isoformat(),
                )
            else:
                sent += 1
                row.sent_at = now
                row.last_error = ""
        Notification.objects.bulk_update(
            due, ["attempts", "sent_at", "next_attempt_at", "last_error"]
        )
    waiting = Notification.objects.filter(sent_at__isnull=True).count()
    if sent or failed:
        logger.info(
            "notifications: %d sent, %d failed and kept to try again, %d waiting",
            sent,
            failed,
            waiting,
        )
    return Drained(sent, failed, waiting)
