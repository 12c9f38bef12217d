"""Projection tables can be written only by appliers, and every event kind has one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from tests.factories import make_partnership
from tocsin.domain.events import CATALOGUE
from tocsin.server.directory.models import Agency, User
from tocsin.server.projections import (
    LiveSession,
    ProjectionModel,
    ProjectionWriteOutsideApplier,
    _applier_running,
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


def _managers(model: type[ProjectionModel]) -> dict[str, models.Manager[Any]]:
    """Every manager a write could go through: those the model declares, Django's default and
    base managers (``_base_manager`` is what related lookups and ``refresh_from_db`` use)."""
    found: dict[str, models.Manager[Any]] = {m.name: m for m in model._meta.managers}
    found["_default_manager"] = model._default_manager
    found["_base_manager"] = model._base_manager
    return found


def _a_column(model: type[ProjectionModel]) -> str:
    return next(f.name for f in model._meta.concrete_fields if not f.primary_key)


#: Each queryset write, on no rows: the guard must answer before the database is asked.
QUERYSET_WRITES: dict[str, Callable[[models.Manager[Any], type[ProjectionModel]], object]] = {
    "update": lambda manager, model: manager.filter(pk__in=[]).update(
        **{_a_column(model): models.F(_a_column(model))}
    ),
    "delete": lambda manager, model: manager.filter(pk__in=[]).delete(),
    "bulk_create": lambda manager, model: manager.bulk_create([]),
    "bulk_update": lambda manager, model: manager.bulk_update([], [_a_column(model)]),
}
#: Writes that build a row and save it (refused before anything reaches the database).
ROW_WRITES: dict[str, Callable[[models.Manager[Any], type[ProjectionModel]], object]] = {
    "create": lambda manager, model: manager.create(),
    "get_or_create": lambda manager, model: manager.get_or_create(pk__in=[]),
    "update_or_create": lambda manager, model: manager.update_or_create(pk__in=[]),
}
WRITE_PATHS = [
    pytest.param(model, manager, write, id=f"{model.__name__}.{manager}.{write}")
    for model in projection_models()
    for manager in _managers(model)
    for write in [*QUERYSET_WRITES, *ROW_WRITES]
]


def test_the_write_paths_cover_every_projection_through_its_base_manager() -> None:
    assert {param.values[0] for param in WRITE_PATHS} == set(projection_models())
    assert len(projection_models()) >= 13
    assert all("_base_manager" in _managers(model) for model in projection_models())


@pytest.mark.parametrize(("model", "manager", "write"), WRITE_PATHS)
def test_every_manager_refuses_every_write_outside_an_applier(
    model: type[ProjectionModel], manager: str, write: str
) -> None:
    writes = {**QUERYSET_WRITES, **ROW_WRITES}
    with pytest.raises(ProjectionWriteOutsideApplier, match=model._meta.label):
        writes[write](_managers(model)[manager], model)


@pytest.mark.parametrize(
    ("model", "manager", "write"),
    [param for param in WRITE_PATHS if param.values[2] in QUERYSET_WRITES],
)
def test_inside_an_applier_every_manager_writes(
    model: type[ProjectionModel], manager: str, write: str
) -> None:
    with _applier_running():
        QUERYSET_WRITES[write](_managers(model)[manager], model)


@pytest.mark.parametrize("model", projection_models(), ids=lambda model: model.__name__)
def test_a_row_cannot_be_saved_or_deleted_outside_an_applier(
    model: type[ProjectionModel],
) -> None:
    row = model()
    with pytest.raises(ProjectionWriteOutsideApplier):
        row.save()
    with pytest.raises(ProjectionWriteOutsideApplier):
        row.save_base(raw=True)  # as loaddata writes a fixture, past save()
    with pytest.raises(ProjectionWriteOutsideApplier):
        row.delete()


def _write_outside_an_applier(operation: str, user: User) -> None:
    if operation == "update":
        User.objects.filter(pk=user.pk).update(display_name="changed")
    elif operation == "base_update":
        User._base_manager.filter(pk=user.pk).update(display_name="changed")
    elif operation == "related_update":
        user.agency.users.filter(pk=user.pk).update(display_name="changed")
    elif operation == "delete":
        User.objects.filter(pk=user.pk).delete()
    elif operation == "base_delete":
        User._base_manager.filter(pk=user.pk).delete()
    elif operation == "save":
        user.display_name = "changed"
        user.save()
    elif operation == "bulk_update":
        user.display_name = "changed"
        User._base_manager.bulk_update([user], ["display_name"])
    elif operation == "bulk_create":
        Agency.objects.bulk_create(
            [Agency(id=uuid.uuid4(), name="Y", name_key="y", sector="police", registered_seq=0)]
        )
    else:
        user.delete()


@pytest.mark.parametrize(
    "operation",
    [
        "update",
        "base_update",
        "related_update",
        "delete",
        "base_delete",
        "save",
        "bulk_update",
        "bulk_create",
        "row_delete",
    ],
)
def test_every_write_path_outside_an_applier_is_refused(operation: str) -> None:
    user = make_partnership().practitioner
    with pytest.raises(ProjectionWriteOutsideApplier):
        _write_outside_an_applier(operation, user)
    user.refresh_from_db()
    assert user.display_name != "changed"
    assert User.objects.filter(pk=user.pk).exists()


def test_inside_an_applier_the_base_manager_writes() -> None:
    user = make_partnership().practitioner
    with _applier_running():
        User._base_manager.filter(pk=user.pk).update(display_name="changed")
    user.refresh_from_db()
    assert user.display_name == "changed"


def test_the_live_session_writes_through_the_guarded_base_manager() -> None:
    user = make_partnership().practitioner
    session = LiveSession("default")
    session.update(User, user.pk, display_name="renamed")
    user.refresh_from_db()
    assert user.display_name == "renamed"
    with pytest.raises(LookupError, match=r"does not exist"):
        session.update(User, uuid.uuid4(), display_name="nobody")


def test_the_model_check_names_a_manager_that_could_write_outside_an_applier() -> None:
    assert not [e for m in projection_models() for e in m.check() if e.id == "tocsin.E001"]

    class Unguarded(ProjectionModel):
        plain = models.Manager()

        class Meta:
            app_label = "directory"
            db_table = "directory_unguarded_for_test"

    try:
        errors = [e for e in Unguarded.check() if e.id == "tocsin.E001"]
        assert [e.msg for e in errors] == ["directory.Unguarded.plain can write outside an applier"]
    finally:
        apps.all_models["directory"].pop("unguarded")
        apps.clear_cache()


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
