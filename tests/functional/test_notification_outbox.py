"""The notification outbox: messages are queued with what they tell of and sent afterwards; a
send that fails loses nothing and is tried again after a growing wait; nothing personal is
logged. Capacity alarms go by e-mail to the heads of service and the partnership, and a
challenge answered to the challenger, through the same outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.server.actors import SystemActor
from tocsin.server.casework.actions import do_allocate, do_decide
from tocsin.server.challenges.actions import do_answer_challenge, do_raise_challenge
from tocsin.server.clocks import notify
from tocsin.server.clocks.models import Escalation, Notification
from tocsin.server.clocks.sweep import clocks_policy, sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.directory.actions import do_set_email

pytestmark = pytest.mark.django_db
ADMIN = SystemActor("cli")


def _people() -> dict[str, Any]:
    council = make_agency("Outbox Council", "council")
    other = make_agency("Outbox Police", "police")
    team = make_team(council, "Outbox team")
    people = {
        "worker": make_user(council, team=team, name="Rosa Outbox"),
        "mash": make_user(council, role="mash_officer", team=make_team(council, "MASH")),
        "manager": make_user(council, role="team_manager", team=team),
        "head": make_user(council, role="head_of_service"),
        "other_head": make_user(other, role="head_of_service"),
        "officer": make_user(other, role="police_officer"),
        "scrutineer": make_user(
            make_agency("Outbox Partnership", "partnership"), role="partnership_scrutineer"
        ),
    }
    for name, user in people.items():
        do_set_email(user, f"{name}@example.invalid", actor=ADMIN)
    return people


class Relay:
    """A mail relay that is down until it is switched back on; counts what it refused."""

    def __init__(self) -> None:
        self.down = True
        self.refused = 0
        self.real = notify.SENDERS["email"]

    def __call__(self, messages: Any, config: Any) -> int:
        if self.down:
            self.refused += len(messages)
            raise ConnectionRefusedError(f"relay down for {messages[0].to}")
        return self.real(messages, config)


def test_a_failed_send_is_kept_and_tried_again_until_it_goes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    relay = Relay()
    monkeypatch.setitem(notify.SENDERS, "email", relay)
    people = _people()
    concern = do_record_concern(make_draft(), actor=people["worker"]).concern
    mail.outbox.clear()
    start = timezone.now() + timedelta(days=21)
    caplog.set_level(logging.DEBUG)

    result = sweep(start)
    assert result.escalations and result.notified == 0
    assert Escalation.objects.count() == len(result.escalations), "the escalations stand"
    waiting = list(Notification.objects.filter(sent_at__isnull=True))
    assert waiting and len(waiting) == result.queued == result.notify_failed == relay.refused
    assert {row.attempts for row in waiting} == {1}
    assert {row.last_error for row in waiting} == {"ConnectionRefusedError"}
    assert {row.next_attempt_at for row in waiting} == {start + timedelta(minutes=1)}
    assert mail.outbox == []

    # Before the wait is over nothing is tried; after it, tried again and kept again, with
    # twice the wait.
    assert sweep(start + timedelta(seconds=30)).notify_failed == 0
    assert sweep(start + timedelta(minutes=1)).notify_failed == len(waiting)
    assert {r.attempts for r in Notification.objects.all()} == {2}
    assert {r.next_attempt_at for r in Notification.objects.all()} == {start + timedelta(minutes=3)}

    # The relay is back: each message goes, once.
    relay.down = False
    result = sweep(start + timedelta(minutes=3))
    assert result.notified == len(waiting) and result.notify_waiting == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.to for row in waiting)
    escalated = [m for m in mail.outbox if "escalated to you" in m.subject]
    assert escalated and all(concern.reference in m.subject for m in escalated)
    assert {m.subject for m in mail.outbox} - {m.subject for m in escalated} == {
        "Tocsin: capacity alarm for the front door"
    }, "the front door's queue has waited three weeks too"
    mail.outbox.clear()
    assert sweep(start + timedelta(hours=7)).notified == 0 and mail.outbox == []

    # Nothing personal in the log: no address, no reference, no name.
    logged = caplog.text
    assert "notification" in logged and "ConnectionRefusedError" in logged
    assert "@example.invalid" not in logged and "relay down" not in logged
    assert concern.reference not in logged and "Rosa" not in logged


def test_the_wait_grows_to_at_most_six_hours() -> None:
    waits = [notify.backoff(n) for n in range(1, 40)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits == sorted(waits) and max(waits) == notify.MAX_WAIT == timedelta(hours=6)


def test_queueing_the_same_message_twice_keeps_one() -> None:
    message = notify.Outgoing("test:1:someone", "escalation", "a@example.invalid", "S", "B")
    assert notify.queue([message]) == 1
    assert notify.queue([message]) == 0
    assert Notification.objects.count() == 1


def test_a_capacity_alarm_is_sent_to_the_heads_of_service_and_the_partnership() -> None:
    people = _people()
    spec = clocks_policy().capacity
    assert spec is not None
    worker = people["worker"]
    for _ in range(spec.worker_caseload + 1):
        concern = do_record_concern(make_draft(), actor=worker).concern
        do_allocate(concern.pk, worker_id=str(worker.pk), actor=people["mash"])
    mail.outbox.clear()
    result = sweep(timezone.now())
    assert result.alarms_raised == 1
    told = [m for m in mail.outbox if "capacity alarm" in m.subject]
    assert sorted(m.to[0] for m in told) == ["head@example.invalid", "scrutineer@example.invalid"]
    for message in told:
        assert "Outbox Council" in message.subject and "/capacity/" in message.body
        assert str(spec.worker_caseload + 1) in message.body
        assert "Rosa" not in message.body, "the worker is not named by e-mail"
    mail.outbox.clear()
    sweep(timezone.now() + timedelta(minutes=1))
    assert not [m for m in mail.outbox if "capacity alarm" in m.subject], "told once"


def test_the_challenger_is_told_that_their_challenge_was_answered() -> None:
    people = _people()
    concern = do_record_concern(make_draft(), actor=people["officer"]).concern
    decision = do_decide(
        concern.pk, "early_help", "Family engaged; early help offered", actor=people["mash"]
    ).decision_id
    challenge = do_raise_challenge(
        concern.pk,
        decision,
        "Three agencies saw the same car; this needs a strategy discussion.",
        actor=people["officer"],
    )
    answer = "Upheld: the front door is to hold a strategy discussion within one working day."
    do_answer_challenge(challenge.challenge_id, "upheld", answer, actor=people["scrutineer"])
    [queued] = Notification.objects.filter(kind="challenge_answered")
    assert queued.to == "officer@example.invalid" and queued.sent_at is None
    mail.outbox.clear()
    sweep(timezone.now())  # the worker drains the outbox
    [message] = [m for m in mail.outbox if "challenge" in m.subject]
    assert message.to == ["officer@example.invalid"]
    assert concern.reference in message.subject
    assert f"/challenges/{challenge.challenge_id}/" in message.body
    assert "Upheld" in message.body
    assert answer not in message.body, "the answer itself is read in Tocsin, signed in"
