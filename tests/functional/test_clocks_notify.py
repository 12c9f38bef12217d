"""Escalations tell the people at each level: the team manager, the head of service, then the
partnership's scrutineer; by e-mail (Django's backend) or GOV.UK Notify; once per level; never
with a child's name in the message; and a mail server that fails undoes nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.clocks import notify
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.directory.actions import do_set_email
from tocsin.server.directory.models import User

pytestmark = pytest.mark.django_db
ADMIN = SystemActor("cli")


def _people() -> dict[str, Any]:
    council = make_agency("Notify Council", "council")
    team = make_team(council, "Exploitation team")
    other_team = make_team(council, "Children in care")
    people = {
        "worker": make_user(council, team=team),
        "manager": make_user(council, role="team_manager", team=team),
        "other_manager": make_user(council, role="team_manager", team=other_team),
        "head": make_user(council, role="head_of_service"),
        "scrutineer": make_user(
            make_agency("Partnership", "partnership"), role="partnership_scrutineer"
        ),
        "no_address": make_user(council, role="head_of_service"),
        "mash_manager": make_user(council, role="mash_manager", team=make_team(council, "MASH")),
    }
    for name, user in people.items():
        if name != "no_address":
            do_set_email(user, f"{name}@example.invalid", actor=ADMIN)
    return people


def _later(days: int = 21) -> Any:
    return timezone.now() + timedelta(days=days)


def test_each_level_is_told_once_without_personal_details() -> None:
    people = _people()
    concern = do_record_concern(make_draft(), actor=people["worker"]).concern
    mail.outbox.clear()
    result = sweep(_later())
    decision = [m for m in mail.outbox if "Decide the next step" in m.subject]
    assert sorted(m.to[0] for m in decision) == [
        "head@example.invalid",
        "manager@example.invalid",
        "other_manager@example.invalid",
        "scrutineer@example.invalid",
    ], "while no team holds it, its agency's team managers; then the head of service; then out"
    assert result.notified == len(mail.outbox)
    child = concern.child_links.get().child
    for message in decision:
        assert concern.reference in message.subject and concern.reference in message.body
        assert f"/concerns/{concern.pk}/" in message.body
        assert "was due by the end of " in message.body, "the deadline as people read one"
        assert child.given_name not in message.body and child.family_name not in message.body
        assert concern.narrative[:20] not in message.body
    mail.outbox.clear()
    assert sweep(_later()).notified == 0 and mail.outbox == [], "told once per level"


def test_nothing_is_sent_when_notifications_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    people = _people()
    do_record_concern(make_draft(), actor=people["worker"])
    monkeypatch.setenv("TOCSIN_NOTIFY", "none")
    mail.outbox.clear()
    result = sweep(_later())
    assert result.escalations and result.notified == 0 and mail.outbox == []


def test_gov_uk_notify(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []

    class FakeNotify:
        def __init__(self, api_key: str) -> None:
            assert api_key == "test-key"

        def send_email_notification(self, **kwargs: Any) -> None:
            sent.append(kwargs)

    import notifications_python_client.notifications as client

    monkeypatch.setattr(client, "NotificationsAPIClient", FakeNotify)
    monkeypatch.setenv("TOCSIN_NOTIFY", "govuk-notify")
    monkeypatch.setenv("TOCSIN_NOTIFY_API_KEY", "test-key")
    monkeypatch.setenv("TOCSIN_NOTIFY_TEMPLATE_ID", "template-1")
    people = _people()
    do_record_concern(make_draft(), actor=people["worker"])
    result = sweep(_later())
    assert result.notified == len(sent) > 0
    assert {s["template_id"] for s in sent} == {"template-1"}
    assert all(set(s["personalisation"]) == {"subject", "body"} for s in sent)


def test_a_failing_mail_server_undoes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(messages: Any, config: Any) -> int:
        raise ConnectionRefusedError("the relay is down")

    monkeypatch.setitem(notify.SENDERS, "email", broken)
    people = _people()
    do_record_concern(make_draft(), actor=people["worker"])
    result = sweep(_later())
    assert result.escalations and result.notified == 0
    assert Escalation.objects.count() == len(result.escalations)


def test_setting_an_address() -> None:
    people = _people()
    worker = people["worker"]
    with pytest.raises(ActionRefused, match="not an e-mail address"):
        do_set_email(worker, "not an address", actor=ADMIN)
    with pytest.raises(ActionRefused):
        do_set_email(worker, "x@example.invalid", actor=people["manager"])
    do_set_email(worker, "", actor=worker)
    assert User.objects.get(pk=worker.pk).email == ""
    out = io.StringIO()
    call_command("users", "set-email", worker.username, "w@example.invalid", stdout=out)
    assert User.objects.get(pk=worker.pk).email == "w@example.invalid"


def test_an_allocated_concern_goes_to_its_own_team_manager() -> None:
    from tocsin.server.casework.actions import do_allocate, do_decide

    people = _people()
    concern = do_record_concern(make_draft(), actor=people["worker"]).concern
    do_allocate(concern.pk, worker_id=str(people["worker"].pk), actor=people["mash_manager"])
    do_decide(
        concern.pk,
        "strategy_discussion",
        "Reasonable cause to suspect harm",
        actor=people["worker"],
    )
    mail.outbox.clear()
    sweep(_later(3))
    level_one = [m.to[0] for m in mail.outbox if "level 1" in m.body]
    assert "manager@example.invalid" in level_one
    assert "other_manager@example.invalid" not in level_one, "not another team's manager"


def test_whoever_is_told_is_whoever_the_escalation_reaches_in_their_tray() -> None:
    from tocsin.server.clocks.read_models import escalated_to

    people = _people()
    do_record_concern(make_draft(), actor=people["worker"])
    public = do_record_concern(make_draft(channel="public"), actor=_public()).concern
    assert public.agency_id is None
    escalations = sweep(_later()).escalations
    assert escalations
    for escalation in escalations:
        row = Escalation.objects.get(pk=f"{escalation.obligation_id}:{escalation.level}")
        told = {u.pk for u in notify.recipients(escalation)}
        reached = {
            u.pk
            for u in User.objects.exclude(email="")
            if escalated_to(u).filter(pk=row.pk).exists()
        }
        assert told == reached, (escalation.obligation, escalation.level)


def _public() -> Any:
    from tocsin.server.concerns.actions import PUBLIC

    return PUBLIC
