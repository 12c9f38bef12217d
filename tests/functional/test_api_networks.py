"""``/api/v1/networks/``: the network as the table page shows it, for the same roles, with the
same filters and their errors, and every child and concern it lists recorded as read."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user
from tests.factories.networks import NetworkWorld, make_network_world
from tocsin.server.concerns.models import ConcernChild, RecordView
from tocsin.server.networks.gates import NETWORK_ROLES

pytestmark = pytest.mark.django_db
URL = "/api/v1/networks/"


@pytest.fixture
def world() -> NetworkWorld:
    return make_network_world()


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", NETWORK_ROLES)
def test_each_network_role_gets_every_entity_and_link(world: NetworkWorld, role: str) -> None:
    response = client_for(make_user(world.partnership, role=role)).get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["nodes"]) == 9 and len(body["links"]) == 16
    assert body["summary"].startswith("9 entities")
    adult = next(n for n in body["nodes"] if n["kind"] == "adult")
    assert (adult["label"], adult["children"], adult["network"]) == ("Mohammed Khan", 4, "N1")
    assert len(adult["references"]) == adult["concerns"] > 0


def test_every_child_and_concern_listed_is_recorded_as_read(world: NetworkWorld) -> None:
    client_for(world.analyst).get(URL)
    viewed = set(
        RecordView.objects.filter(purpose="api: networks").values_list("subject", flat=True)
    )
    children = {f"child:{c}" for c in ConcernChild.objects.values_list("child_id", flat=True)}
    assert children <= viewed
    assert {f"concern:{c}" for c in world.concern_ids} <= viewed


@pytest.mark.parametrize(
    "role", ["practitioner", "team_manager", "police_officer", "head_of_service"]
)
def test_other_roles_are_refused_and_shown_nothing(world: NetworkWorld, role: str) -> None:
    response = client_for(make_user(world.council, role=role)).get(URL)
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"].startswith("the network is for analysts")
    assert not RecordView.objects.exists()


def test_a_filter_that_cannot_be_read_is_named_and_nothing_is_shown(world: NetworkWorld) -> None:
    response = client_for(world.analyst).get(URL, {"since": "last spring", "kind": "boat"})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"since", "kind"}
    assert not RecordView.objects.exists()


def test_filters_narrow_it_as_the_pages_do(world: NetworkWorld) -> None:
    body = client_for(world.analyst).get(URL, {"kind": ["child", "adult"]}).json()
    assert {n["kind"] for n in body["nodes"]} == {"child", "adult"}
    since = client_for(world.analyst).get(URL, {"since": "2026-08-01"}).json()
    assert sum(1 for n in since["nodes"] if n["kind"] == "child") == 3
