"""The need-to-know gates (``concerns/gates.py``), branch by branch: the agency is the boundary;
the front door and the scrutineers see every concern; administrators, closed accounts and anyone
without an agency see none; a record that does not exist and one that may not be seen get the
same answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from tests.factories import ACTOR, make_agency, make_draft, make_partnership, make_user
from tocsin.domain.concerns import ChildDraft
from tocsin.server.concerns.actions import PUBLIC, do_record_concern
from tocsin.server.concerns.gates import (
    SEES_EVERY_CONCERN,
    NotVisible,
    access_child,
    access_concern,
    actor_may_reach_concern,
    children_visible_to,
    concerns_visible_to,
)
from tocsin.server.concerns.models import Child, Concern
from tocsin.server.directory.actions import do_deactivate_user
from tocsin.server.directory.models import User

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


class World:
    """Two agencies' concerns about one child (Kasia), one public report, and a person in
    each role that matters to the gates."""

    def __init__(self) -> None:
        p = make_partnership()
        self.council, self.police = p.council, p.police
        self.admin, self.practitioner = p.admin, p.practitioner
        self.officer = make_user(p.police, role="police_officer")
        self.mash = make_user(p.council, role="mash_officer")
        self.scrutineer = make_user(
            make_agency("Partnership", "partnership"), role="partnership_scrutineer"
        )
        kasia = [ChildDraft(given_name="Kasia", nhs_number="943 476 5919")]
        self.council_first = self._record(kasia, self.practitioner)
        self.council_second = self._record(kasia, self.practitioner)
        self.police_concern = self._record(kasia, self.officer)
        self.public = do_record_concern(
            make_draft(channel="public"), actor=PUBLIC, today=TODAY
        ).concern
        self.kasia = self.council_first.child_links.get().child

    @staticmethod
    def _record(children: list[ChildDraft], actor: User) -> Concern:
        return do_record_concern(make_draft(children=children), actor=actor, today=TODAY).concern


def _pks(rows: Any) -> set[uuid.UUID]:
    return {row.pk for row in rows}


def _closed(user: User) -> User:
    do_deactivate_user(user, "left the partnership", actor=ACTOR)
    user.refresh_from_db()
    assert not user.is_active
    return user


def _sees_nothing(user: User, world: World) -> None:
    assert not concerns_visible_to(user).exists()
    assert not children_visible_to(user).exists()
    for concern in [world.council_first, world.police_concern, world.public]:
        with pytest.raises(NotVisible):
            access_concern(user, concern.pk)
    with pytest.raises(NotVisible):
        access_child(user, world.kasia.pk)


def test_a_practitioner_sees_their_own_agencys_concerns_only() -> None:
    world = World()
    assert _pks(concerns_visible_to(world.practitioner)) == {
        world.council_first.pk,
        world.council_second.pk,
    }
    assert access_concern(world.practitioner, world.council_first.pk) == world.council_first
    for hidden in [world.police_concern, world.public]:
        with pytest.raises(NotVisible):
            access_concern(world.practitioner, hidden.pk)


@pytest.mark.parametrize("role", sorted(SEES_EVERY_CONCERN))
def test_the_front_door_and_the_scrutineers_see_every_concern(role: str) -> None:
    world = World()
    user = world.mash if role == "mash_officer" else world.scrutineer
    assert _pks(concerns_visible_to(user)) == _pks(Concern.objects.all())
    assert access_concern(user, world.public.pk) == world.public
    assert access_concern(user, world.police_concern.pk) == world.police_concern


def test_an_administrator_sees_no_concern() -> None:
    world = World()
    _sees_nothing(world.admin, world)


@pytest.mark.parametrize("role", ["practitioner", "mash_officer", "partnership_scrutineer"])
def test_a_closed_account_sees_nothing_whatever_its_role(role: str) -> None:
    world = World()
    user = {
        "practitioner": world.practitioner,
        "mash_officer": world.mash,
        "partnership_scrutineer": world.scrutineer,
    }[role]
    assert concerns_visible_to(user).exists()
    _sees_nothing(_closed(user), world)


def test_an_active_account_with_no_agency_sees_nothing() -> None:
    # No event leaves an active account without an agency (an expunged user's tombstone is
    # closed too); the gate refuses it anyway, rather than match concerns with no agency,
    # which are the public's reports.
    world = World()
    nobody = User(id=uuid.uuid4(), username="x", role="practitioner", agency=None, is_active=True)
    _sees_nothing(nobody, world)


def test_a_front_door_account_with_no_agency_still_sees_every_concern() -> None:
    World()
    mash = User(id=uuid.uuid4(), username="y", role="mash_officer", agency=None, is_active=True)
    assert len(_pks(concerns_visible_to(mash))) == 4
    assert _pks(concerns_visible_to(mash)) == _pks(Concern.objects.all())


def test_children_are_visible_through_a_visible_concern_once_each() -> None:
    world = World()
    visible = list(children_visible_to(world.practitioner))
    assert world.kasia in visible
    assert len(visible) == len(_pks(visible))
    assert not children_visible_to(world.admin).exists()
    reported_by_the_public = {link.child_id for link in world.public.child_links.all()}
    assert reported_by_the_public.isdisjoint(_pks(visible))


def test_a_child_comes_with_only_the_concerns_the_reader_may_see_newest_first() -> None:
    world = World()
    child, concerns = access_child(world.practitioner, world.kasia.pk)
    assert child == world.kasia
    assert [c.pk for c in concerns] == [world.council_second.pk, world.council_first.pk]
    _, for_police = access_child(world.officer, str(world.kasia.pk))
    assert [c.pk for c in for_police] == [world.police_concern.pk]
    _, for_mash = access_child(world.mash, world.kasia.pk)
    assert len(for_mash) == 3


def test_a_child_with_no_visible_concern_is_not_visible() -> None:
    world = World()
    other = world.public.child_links.get().child
    with pytest.raises(NotVisible, match=r"no such child"):
        access_child(world.practitioner, other.pk)
    assert access_child(world.mash, other.pk)[0] == other


@pytest.mark.parametrize(
    "bad_id",
    [uuid.uuid4(), str(uuid.uuid4()), "not-a-uuid", "", None, 12.5, ["a list"]],
    ids=["unknown", "unknown-text", "malformed", "empty", "none", "float", "list"],
)
def test_an_id_that_names_nothing_gets_the_same_answer_as_a_hidden_one(bad_id: Any) -> None:
    world = World()
    with pytest.raises(NotVisible, match=r"^no such concern, or you do not have access to it$"):
        access_concern(world.mash, bad_id)
    with pytest.raises(NotVisible, match=r"^no such child, or you do not have access to them$"):
        access_child(world.mash, bad_id)
    with pytest.raises(NotVisible, match=r"^no such concern, or you do not have access to it$"):
        access_concern(world.officer, world.council_first.pk)
    assert Child.objects.filter(pk=world.kasia.pk).exists()


def test_what_an_action_may_reach_person_by_person_system_and_public() -> None:
    world = World()
    # A person: exactly the gate.
    assert actor_may_reach_concern(world.practitioner, world.council_first.pk).pk == (
        world.council_first.pk
    )
    with pytest.raises(NotVisible):
        actor_may_reach_concern(world.practitioner, world.police_concern.pk)
    # A system actor (the command line, the demo): any concern that exists.
    assert actor_may_reach_concern(ACTOR, world.police_concern.pk).pk == world.police_concern.pk
    for bad_id in [uuid.uuid4(), "not-a-uuid"]:
        with pytest.raises(NotVisible):
            actor_may_reach_concern(ACTOR, bad_id)
    # The public: never by id, not even their own report.
    with pytest.raises(NotVisible):
        actor_may_reach_concern(PUBLIC, world.public.pk)
