"""Projection tables can be written only by appliers, and every event kind has one."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import make_partnership
from tocsin.domain.events import CATALOGUE
from tocsin.server.directory.models import Agency, User
from tocsin.server.projections import (
    LiveSession,
    ProjectionWriteOutsideApplier,
    applier_for,
    projection_models,
    row_exists,
)

pytestmark = pytest.mark.django_db


def test_every_event_kind_has_an_applier() -> None:
    for kind in CATALOGUE:
        assert callable(applier_for(kind)), kind


def test_projection_models_are_ordered_parents_first() -> None:
    order = projection_models()
    assert order.index(Agency) < order.index(User)


def test_save_outside_an_applier_is_refused() -> None:
    agency = Agency(id=uuid.uuid4(), name="X", name_key="x", sector="council", registered_seq=0)
    with pytest.raises(ProjectionWriteOutsideApplier, match=r"appending an event"):
        agency.save()


def _write_outside_an_applier(operation: str, user: User) -> None:
    if operation == "update":
        User.objects.filter(pk=user.pk).update(display_name="changed")
    elif operation == "delete":
        User.objects.filter(pk=user.pk).delete()
    elif operation == "save":
        user.display_name = "changed"
        user.save()
    elif operation == "bulk_create":
        Agency.objects.bulk_create(
            [Agency(id=uuid.uuid4(), name="Y", name_key="y", sector="police", registered_seq=0)]
        )
    else:
        user.delete()


@pytest.mark.parametrize("operation", ["update", "delete", "save", "bulk_create", "row_delete"])
def test_every_write_path_outside_an_applier_is_refused(operation: str) -> None:
    user = make_partnership().practitioner
    with pytest.raises(ProjectionWriteOutsideApplier):
        _write_outside_an_applier(operation, user)
    user.refresh_from_db()
    assert user.display_name != "changed"


def test_row_exists_matches_every_column_given() -> None:
    partnership = make_partnership()
    agency = partnership.council
    assert row_exists(Agency, name_key=agency.name_key)
    assert row_exists(Agency, name_key=agency.name_key, sector=agency.sector)
    assert not row_exists(Agency, name_key=agency.name_key, sector="not-a-sector")
    assert not row_exists(Agency, name_key="no agency is called this")
    assert row_exists(User, agency_id=str(agency.pk), role=partnership.practitioner.role)


def test_live_insert_refuses_an_unknown_column_and_writes_nothing() -> None:
    session = LiveSession("default")
    agency_id = uuid.uuid4()
    with pytest.raises(TypeError, match=r"no column colour"):
        session.insert(
            Agency,
            id=str(agency_id),
            name="Z",
            name_key="z",
            sector="police",
            registered_seq=0,
            colour="blue",
        )
    assert not Agency.objects.filter(pk=agency_id).exists()


def test_live_insert_writes_the_row_save_would_and_returns_it_typed() -> None:
    session = LiveSession("default")
    agency_id = uuid.uuid4()
    session.insert(
        Agency, id=str(agency_id), name="Z", name_key="z", sector="police", registered_seq=7
    )
    returned = session.row(Agency, agency_id)
    stored = Agency.objects.get(pk=agency_id)
    assert isinstance(returned.pk, uuid.UUID)
    assert not returned._state.adding
    assert [getattr(returned, f.attname) for f in Agency._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in Agency._meta.concrete_fields
    ]
