"""The REST API: record a concern, validation errors as field paths, need-to-know (another
agency gets 404), every read on the ledger, the OpenAPI schema served and valid, and a route
inventory that fails when an API route disappears."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.factories import make_draft, make_partnership, make_user
from tocsin.domain.concerns import NO_CHILD_NOR_SUBJECT
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern, RecordView
from tocsin.server.ledger.models import LedgerLeaf

pytestmark = pytest.mark.django_db
ROUTES = {
    "api/v1/concerns/",
    "api/v1/concerns/<str:concern_id>/",
    "api/v1/concerns/<str:concern_id>/screenings/",
    "api/v1/schema/",
    "api/v1/register/",
    "api/v1/register/<str:report_id>/withdrawal/",
    "api/v1/recommendations/<str:recommendation_id>/response/",
    "api/v1/scrutiny/exports/",
    "api/v1/networks/",
}
BODY: dict[str, Any] = {
    "children": [
        {"given_name": "Amara", "family_name": "Okafor", "date_of_birth": "2011-03-04", "sex": "F"}
    ],
    "narrative": "Adults have been contacting the child through social media.",
    "occurred_on": "2026-11-01",
    "vehicles": [{"registration": "ZX12 ABC", "make": "Ford", "colour": "silver"}],
    "phones": ["07700 900123"],
    "cin_factors": ["11A"],
    "grading": {"source": "2", "intelligence": "B", "handling": "P"},
}


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _routes(resolver: URLResolver, prefix: str = "") -> set[str]:
    found = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            found.add(route)
    return found


def test_every_api_route_is_still_served() -> None:
    assert _routes(get_resolver()) >= ROUTES


def test_record_a_concern() -> None:
    p = make_partnership()
    response = client_for(p.practitioner).post("/api/v1/concerns/", BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    concern = Concern.objects.get(pk=body["id"])
    assert body["reference"] == concern.reference
    assert body["seq"] == concern.recorded_seq
    assert LedgerLeaf.objects.get(seq=body["seq"]).kind == "concern.recorded"
    assert response["Location"] == f"/api/v1/concerns/{concern.pk}/"
    assert concern.agency_id == p.council.pk
    assert concern.channel == "practitioner"
    assert concern.grading == {"source": "2", "intelligence": "B", "handling": "P"}


def test_validation_errors_name_each_field_and_write_nothing() -> None:
    p = make_partnership()
    before = LedgerLeaf.objects.count()
    body = {
        **BODY,
        "children": [{"given_name": "", "sex": "Q"}, {"date_of_birth": "2030-01-01"}],
        "phones": ["0123"],
    }
    response = client_for(p.practitioner).post("/api/v1/concerns/", body, format="json")
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "children[0].given_name",
        "children[0].sex",
        "children[1].date_of_birth",
        "phones[0]",
    ]
    shape = client_for(p.practitioner).post(
        "/api/v1/concerns/",
        {**BODY, "children": [{"date_of_birth": "soon", "aliases": ["x" * 201]}]},
        format="json",
    )
    assert shape.status_code == 400
    assert {e["field"] for e in shape.json()["errors"]} == {
        "children[0].date_of_birth",
        "children[0].aliases[0]",
    }
    missing = client_for(p.practitioner).post("/api/v1/concerns/", {}, format="json")
    # Children may be left out (intelligence about no child yet); validate_draft then asks
    # for a child or what the intelligence is about.
    assert {e["field"] for e in missing.json()["errors"]} == {"narrative"}
    nothing = client_for(p.practitioner).post(
        "/api/v1/concerns/", {"narrative": "Seen at the park."}, format="json"
    )
    assert nothing.status_code == 400
    assert nothing.json()["errors"] == [{"field": "children", "message": NO_CHILD_NOR_SUBJECT}]
    assert LedgerLeaf.objects.count() == before


def test_administrators_may_not_record_and_strangers_may_not_ask() -> None:
    p = make_partnership()
    refused = client_for(p.admin).post("/api/v1/concerns/", BODY, format="json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["message"].startswith("only a user with the role")
    assert APIClient().get("/api/v1/concerns/").status_code == 403
    assert APIClient().post("/api/v1/concerns/", BODY, format="json").status_code == 403
    assert not Concern.objects.exists()


def test_session_sign_in_needs_csrf_on_writes() -> None:
    p = make_partnership()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(p.admin)
    assert client.post("/api/v1/concerns/", BODY, format="json").status_code == 403
    assert client.get("/api/v1/concerns/").status_code == 200


def test_need_to_know_and_every_read_is_recorded() -> None:
    p = make_partnership()
    ours = do_record_concern(make_draft(), actor=p.practitioner).concern
    police_officer = make_user(p.police, role="police_officer")
    theirs = do_record_concern(make_draft(), actor=police_officer).concern

    listing = client_for(p.practitioner).get("/api/v1/concerns/")
    assert listing.status_code == 200
    assert [c["id"] for c in listing.json()["results"]] == [str(ours.pk)]
    assert listing.json()["count"] == 1
    child_id = listing.json()["results"][0]["children"][0]["id"]
    views = RecordView.objects.filter(viewer=f"user:{p.practitioner.pk}")
    assert {v.subject for v in views} == {f"concern:{ours.pk}", f"child:{child_id}"}
    assert len({v.view_id for v in views}) == 1  # one event for the request

    detail = client_for(p.practitioner).get(f"/api/v1/concerns/{ours.pk}/")
    assert detail.status_code == 200
    assert detail.json()["reference"] == ours.reference
    assert detail.json()["agency"] == "Northgate Council"
    assert views.filter(purpose="api: concern").count() == 2  # the concern and its child

    before = LedgerLeaf.objects.count()
    for concern_id in [theirs.pk, uuid.uuid4(), "not-a-uuid"]:
        hidden = client_for(p.practitioner).get(f"/api/v1/concerns/{concern_id}/")
        assert hidden.status_code == 404
    assert LedgerLeaf.objects.count() == before  # nothing shown, nothing to record
    assert not RecordView.objects.filter(subject=f"concern:{theirs.pk}").exists()


def test_an_empty_list_records_no_view() -> None:
    p = make_partnership()
    before = LedgerLeaf.objects.count()
    response = client_for(p.practitioner).get("/api/v1/concerns/")
    assert response.json()["results"] == []
    assert LedgerLeaf.objects.count() == before


def test_pages() -> None:
    p = make_partnership()
    for _ in range(3):
        do_record_concern(make_draft(), actor=p.practitioner)
    first = client_for(p.practitioner).get("/api/v1/concerns/?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["next"] is not None
    second = client_for(p.practitioner).get(first["next"]).json()
    assert len(second["results"]) == 1


def test_the_schema_is_served_and_valid() -> None:
    from drf_spectacular.validation import validate_schema

    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/concerns/", "/api/v1/concerns/{concern_id}/"} <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/v1/concerns/"]
    validate_schema(schema)  # as served: with the errors every operation can give
