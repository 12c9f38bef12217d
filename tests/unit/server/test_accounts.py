"""Account actions and API tokens: who may do what to whose account, what each writes, and
that their projections replay exactly (and are erased with the user)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests.factories import ACTOR, Partnership, make_partnership, make_user
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.directory.actions import (
    access_account,
    do_change_role,
    do_deactivate_user,
    do_reactivate_user,
    do_set_password,
    manageable_accounts,
)
from tocsin.server.directory.models import ApiToken, User
from tocsin.server.directory.tokens import (
    access_token,
    do_issue_api_token,
    do_revoke_api_token,
    token_holder,
)
from tocsin.server.ledger.actions import do_expunge_record
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db

Attempt = Callable[[Partnership], Any]


@pytest.mark.parametrize(
    ("attempt", "refusal"),
    [
        (lambda p, o: do_reactivate_user(p.practitioner, "why", actor=ACTOR), ActionRefused),
        (lambda p, o: do_change_role(p.practitioner, "wizard", actor=ACTOR), Invalid),
        (lambda p, o: do_change_role(p.practitioner, "practitioner", actor=ACTOR), Invalid),
        (lambda p, o: do_deactivate_user(p.practitioner, "x" * 201, actor=ACTOR), Invalid),
        (lambda p, o: do_deactivate_user(p.admin, "slip", actor=p.admin), ActionRefused),
        (lambda p, o: do_change_role(p.admin, "analyst", actor=p.admin), ActionRefused),
        (lambda p, o: do_change_role(p.admin, "analyst", actor=p.practitioner), ActionRefused),
        (lambda p, o: do_deactivate_user(p.practitioner, "x", actor=o), NotVisible),
        (
            lambda p, o: do_set_password(p.practitioner, "a long new one 2", actor=o),
            NotVisible,
        ),
        (lambda p, o: do_change_role(p.practitioner, "analyst", actor=o), NotVisible),
        (lambda p, o: access_account(o, str(p.practitioner.pk)), NotVisible),
        (lambda p, o: access_account(p.admin, "not-a-uuid"), NotVisible),
        (lambda p, o: do_issue_api_token(p.practitioner, "x", "read", 367, actor=ACTOR), Invalid),
        (lambda p, o: do_issue_api_token(p.practitioner, " ", "read", 7, actor=ACTOR), Invalid),
        (lambda p, o: do_issue_api_token(p.practitioner, "x", "all", 7, actor=ACTOR), Invalid),
        (
            lambda p, o: do_issue_api_token(p.practitioner, "x", "read", 7, actor=p.admin),
            ActionRefused,
        ),
        (lambda p, o: access_token(p.practitioner, "not-a-uuid"), NotVisible),
    ],
    ids=[
        "reopen an open account",
        "no such role",
        "the same role",
        "a reason too long",
        "close one's own account",
        "change one's own role",
        "not an administrator",
        "close another agency's account",
        "reset another agency's password",
        "change another agency's role",
        "see another agency's account",
        "an id that is not one",
        "a token for too long",
        "a token for nothing",
        "a token of no scope",
        "a token for someone else",
        "a token id that is not one",
    ],
)
def test_refused_account_actions_write_nothing(attempt: Attempt, refusal: type) -> None:
    p = make_partnership()
    police_admin = make_user(p.police, role="administrator")
    before = reading_ledger().store.head()
    with pytest.raises(refusal):
        attempt(p, police_admin)
    assert reading_ledger().store.head() == before


def test_an_administrator_manages_only_their_own_agency() -> None:
    p = make_partnership()
    make_user(p.police, role="police_officer")
    assert {u.pk for u in manageable_accounts(p.admin)} == {p.admin.pk, p.practitioner.pk}
    assert len(manageable_accounts(ACTOR)) == 3
    with pytest.raises(ActionRefused):
        manageable_accounts(p.practitioner)


def test_closing_revokes_every_live_token_and_reopening_keeps_them_revoked() -> None:
    p = make_partnership()
    first = do_issue_api_token(p.practitioner, "One", "read", 7, actor=ACTOR)
    second = do_issue_api_token(p.practitioner, "Two", "write", 7, actor=ACTOR)
    do_revoke_api_token(first.row, "no longer used", actor=p.practitioner)
    assert token_holder(second.token) is not None
    do_deactivate_user(p.practitioner, "left", actor=p.admin)
    reasons = dict(ApiToken.objects.values_list("name", "revoked_reason"))
    assert reasons == {"One": "no longer used", "Two": "the account was closed"}
    assert token_holder(second.token) is None
    do_reactivate_user(User.objects.get(pk=p.practitioner.pk), "back", actor=p.admin)
    assert token_holder(second.token) is None


def test_a_role_change_applies_at_once() -> None:
    p = make_partnership()
    do_change_role(p.practitioner, "team_manager", actor=p.admin)
    assert User.objects.get(pk=p.practitioner.pk).role == "team_manager"


def test_accounts_and_tokens_replay_exactly_and_a_changed_digest_is_caught() -> None:
    p = make_partnership()
    do_issue_api_token(p.practitioner, "Feed", "read", 7, actor=ACTOR)
    do_change_role(p.practitioner, "analyst", actor=p.admin)
    do_deactivate_user(p.practitioner, "left", actor=p.admin)
    do_reactivate_user(User.objects.get(pk=p.practitioner.pk), "back", actor=p.admin)
    report = verify_ledger()
    assert report.ok, report.problems
    with connection.cursor() as cursor:
        cursor.execute("UPDATE directory_api_token SET digest = %s", ["0" * 64])
    report = verify_ledger()
    assert not report.ok
    assert any(problem.table == "directory_api_token" for problem in report.problems)


def test_expunging_a_user_deletes_their_tokens() -> None:
    p = make_partnership()
    do_issue_api_token(p.practitioner, "Feed", "read", 7, actor=ACTOR)
    do_expunge_record(f"user:{p.practitioner.pk}", "erasure request", actor=ACTOR)
    assert not ApiToken.objects.exists()
    report = verify_ledger()
    assert report.ok, report.problems
