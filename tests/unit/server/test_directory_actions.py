"""Directory actions: each appends one event and changes its projection; a refusal writes
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ACTOR, make_agency, make_partnership, make_user
from tocsin.server.actors import ActionRefused
from tocsin.server.directory import actions
from tocsin.server.directory.actions import (
    do_deactivate_user,
    do_enrol_user,
    do_register_agency,
    do_set_password,
)
from tocsin.server.directory.models import User
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(LedgerLeaf.objects.order_by("seq").values_list("kind", flat=True))


def test_each_action_appends_its_event_in_order() -> None:
    make_partnership()
    assert kinds() == [
        "agency.registered",
        "agency.registered",
        "team.formed",
        "user.enrolled",
        "user.password_set",
        "user.enrolled",
    ]


def test_a_password_set_by_action_lets_the_user_sign_in() -> None:
    partnership = make_partnership()
    admin = User.objects.get(pk=partnership.admin.pk)
    assert admin.check_password("a long enough password 1")
    assert not admin.check_password("wrong")


@pytest.mark.parametrize(
    "attempt",
    [
        lambda p: do_register_agency("northgate council", "council", actor=ACTOR),
        lambda p: do_register_agency("New agency", "not-a-sector", actor=ACTOR),
        lambda p: do_register_agency("   ", "council", actor=ACTOR),
        lambda p: do_enrol_user("admin", "Someone", p.council, "practitioner", actor=ACTOR),
        lambda p: do_enrol_user("Bad Name!", "Someone", p.council, "practitioner", actor=ACTOR),
        lambda p: do_enrol_user("newuser", "Someone", p.council, "wizard", actor=ACTOR),
        lambda p: do_enrol_user(
            "newuser", "Someone", p.police, "practitioner", team=p.team, actor=ACTOR
        ),
        lambda p: do_set_password(p.practitioner, "short", actor=ACTOR),
        lambda p: do_register_agency("By a practitioner", "council", actor=p.practitioner),
        lambda p: do_deactivate_user(p.practitioner, "  ", actor=ACTOR),
    ],
    ids=[
        "duplicate agency",
        "bad sector",
        "blank name",
        "taken username",
        "bad username",
        "bad role",
        "team of another agency",
        "weak password",
        "not an administrator",
        "no reason",
    ],
)
def test_refused_actions_write_nothing(attempt) -> None:  # type: ignore[no-untyped-def]
    partnership = make_partnership()
    before = reading_ledger().store.head()
    with pytest.raises(ActionRefused):
        attempt(partnership)
    assert reading_ledger().store.head() == before


def test_a_closed_account_can_do_nothing() -> None:
    partnership = make_partnership()
    do_deactivate_user(partnership.admin, "left the council", actor=ACTOR)
    admin = User.objects.get(pk=partnership.admin.pk)
    assert not admin.is_active
    with pytest.raises(ActionRefused, match="closed"):
        do_register_agency("Elsewhere", "council", actor=admin)


def test_users_may_set_their_own_password() -> None:
    agency = make_agency()
    user = make_user(agency)
    do_set_password(user, "my own long password", actor=user)
    assert User.objects.get(pk=user.pk).check_password("my own long password")


def _first_check_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the action's first uniqueness check answer "free", as if another process took
    the name just after it; later checks ask the database."""
    real = actions.row_exists
    missed: list[bool] = []

    def row_exists(*args: Any, **kwargs: Any) -> bool:
        if not missed:
            missed.append(True)
            return False
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "row_exists", row_exists)


@pytest.mark.parametrize("what", ["agency", "username"])
def test_a_name_taken_between_the_check_and_the_write_is_refused_and_writes_nothing(
    what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    partnership = make_partnership()
    size = reading_ledger().size()
    _first_check_misses(monkeypatch)
    if what == "agency":
        attempt = lambda: do_register_agency(partnership.council.name, "council", actor=ACTOR)  # noqa: E731
    else:
        attempt = lambda: do_enrol_user(  # noqa: E731
            partnership.practitioner.username,
            "Someone Else",
            partnership.police,
            "analyst",
            actor=ACTOR,
        )
    with pytest.raises(ActionRefused, match=r"already registered|is taken"):
        attempt()
    assert reading_ledger().size() == size
    make_agency("Next agency", "voluntary")  # the ledger still takes the next event
    assert reading_ledger().size() == size + 1
