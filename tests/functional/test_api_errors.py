"""Every error the API gives is ``{"errors": [{"field", "message"}]}`` (issue 14 §6): not signed
in, no CSRF token, no such endpoint, a method an endpoint does not take, a body that is not
JSON or not sent as JSON, an answer the client cannot accept, an invalid page, throttling and
a fault in the server; and the schema offers JSON bodies only, describes the list as the page
it is, and names these errors on every operation."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle

from tests.factories import make_draft, make_partnership
from tocsin.server.api import views
from tocsin.server.api.errors import NOT_ANSWERED, NOT_JSON, NOT_SIGNED_IN
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.ledger.models import LedgerLeaf

pytestmark = pytest.mark.django_db
BODY = {"children": [{"given_name": "Amara"}], "narrative": "Seen with older men at the park."}


def client_for(user: Any, **options: Any) -> APIClient:
    client = APIClient(**options)
    client.force_authenticate(user)
    return client


def only_error(response: Any, status: int) -> str:
    """The one error ``response`` gives, with ``status``, not tied to a field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["field"] == ""
    assert error["message"]
    return str(error["message"])


def test_not_signed_in_is_403_in_the_api_shape() -> None:
    assert only_error(APIClient().get("/api/v1/concerns/"), 403) == NOT_SIGNED_IN
    assert only_error(APIClient().post("/api/v1/queue/", {}, format="json"), 403) == NOT_SIGNED_IN


def test_a_token_that_is_not_valid_is_403_in_the_api_shape() -> None:
    response = APIClient().get("/api/v1/concerns/", HTTP_AUTHORIZATION="Bearer tocsin_wrong")
    assert "token" in only_error(response, 403)


def test_a_write_without_the_csrf_token_is_403_and_records_nothing() -> None:
    p = make_partnership()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(p.practitioner)
    before = LedgerLeaf.objects.count()
    assert "CSRF" in only_error(client.post("/api/v1/concerns/", BODY, format="json"), 403)
    assert LedgerLeaf.objects.count() == before


def test_a_refusal_by_role_is_403_in_the_api_shape() -> None:
    p = make_partnership()
    message = only_error(client_for(p.admin).get("/api/v1/oversight/"), 403)
    assert message == "the oversight view is for the partnership and heads of service"


def test_no_such_endpoint_is_404_in_the_api_shape_signed_in_or_not() -> None:
    p = make_partnership()
    for client in (APIClient(), client_for(p.practitioner)):
        assert "/api/v1/schema/" in only_error(client.get("/api/v1/no-such-thing/"), 404)
        only_error(client.post("/api/v1/concerns/x/nothing/", {}, format="json"), 404)
        # Without its final slash a path is not an endpoint; an API client is told so
        # rather than redirected (a redirected POST loses its body).
        assert 'ends in "/"' in only_error(client.get("/api/v1/concerns"), 404)


def test_a_concern_you_may_not_see_and_a_page_beyond_the_last_are_404() -> None:
    p = make_partnership()
    only_error(client_for(p.practitioner).get("/api/v1/concerns/not-a-concern/"), 404)
    only_error(client_for(p.practitioner).get("/api/v1/concerns/?page=2"), 404)


def test_a_method_an_endpoint_does_not_take_is_405() -> None:
    p = make_partnership()
    response = client_for(p.practitioner).put("/api/v1/concerns/", BODY, format="json")
    assert "PUT" in only_error(response, 405)
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"
    only_error(APIClient().post("/api/v1/schema/", {}, format="json"), 405)


def test_a_form_body_is_415_and_records_nothing() -> None:
    p = make_partnership()
    response = client_for(p.practitioner).post(
        "/api/v1/concerns/", {"narrative": "Seen at the park.", "phones": "07700 900123"}
    )  # a multipart form, as a browser would send it
    assert only_error(response, 415).startswith(NOT_JSON)
    urlencoded = client_for(p.practitioner).post(
        "/api/v1/concerns/",
        "narrative=Seen+at+the+park",
        content_type="application/x-www-form-urlencoded",
    )
    assert "application/x-www-form-urlencoded" in only_error(urlencoded, 415)
    assert not Concern.objects.exists()


@pytest.mark.parametrize("body", ['{"narrative": ', "narrative", '{"narrative": "\\ud83"}'])
def test_a_body_that_is_not_json_is_400(body: str) -> None:
    p = make_partnership()
    response = client_for(p.practitioner).post(
        "/api/v1/concerns/", body, content_type="application/json"
    )
    assert "JSON" in only_error(response, 400)
    assert not Concern.objects.exists()


def test_a_body_that_is_json_but_not_an_object_names_the_problem() -> None:
    p = make_partnership()
    response = client_for(p.practitioner).post("/api/v1/concerns/", [BODY], format="json")
    message = only_error(response, 400)
    assert "dictionary" in message or "object" in message


def test_an_answer_the_client_cannot_accept_is_406_in_json() -> None:
    p = make_partnership()
    response = client_for(p.practitioner).get("/api/v1/concerns/", HTTP_ACCEPT="text/html")
    only_error(response, 406)


class _Throttled(BaseThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        return False

    def wait(self) -> float:
        return 30


def test_throttling_is_429_with_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    p = make_partnership()
    monkeypatch.setattr(views.ConcernList, "throttle_classes", [_Throttled])
    response = client_for(p.practitioner).get("/api/v1/concerns/")
    assert "30 seconds" in only_error(response, 429)
    assert response["Retry-After"] == "30"


def test_a_fault_is_500_in_the_api_shape_and_logged_without_the_body(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    p = make_partnership()
    do_record_concern(make_draft(), actor=p.practitioner)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the read model broke")

    monkeypatch.setattr(views, "concerns_page", broken)
    client = client_for(p.practitioner, raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="tocsin.api"):
        response = client.get("/api/v1/concerns/")
    assert only_error(response, 500) == NOT_ANSWERED
    (logged,) = [r for r in caplog.records if r.name == "tocsin.api"]
    assert logged.getMessage() == "API request failed: /api/v1/concerns/"
    assert logged.exc_info is not None
    # As for any uncaught exception, Django's test client raises it by default.
    with pytest.raises(RuntimeError, match="the read model broke"):
        client_for(p.practitioner).get("/api/v1/concerns/")


def test_field_problems_keep_their_paths() -> None:
    p = make_partnership()
    response = client_for(p.practitioner).post(
        "/api/v1/concerns/",
        {**BODY, "children": [{"date_of_birth": "soon"}], "phones": "not a list"},
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {
        "children[0].date_of_birth",
        "phones",
    }


def _schema() -> dict[str, Any]:
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def test_the_schema_offers_json_bodies_only() -> None:
    bodies = [
        operation["requestBody"]
        for operations in _schema()["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]
    assert len(bodies) >= 14  # every write
    assert {media for body in bodies for media in body["content"]} == {"application/json"}


def test_the_schema_describes_the_list_as_the_page_it_is() -> None:
    schema = _schema()
    listing = schema["paths"]["/api/v1/concerns/"]["get"]
    ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert page["type"] == "object"
    assert set(page["required"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["type"] == "array"
    assert page["properties"]["next"]["nullable"] is True
    assert {p["name"] for p in listing["parameters"]} == {"page", "page_size"}


def test_the_schema_names_the_errors_of_every_operation() -> None:
    errors = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"403"}
            if "requestBody" in operation:
                expected |= {"400", "415"}
            if "{" in path:
                expected.add("404")
            for code in expected:
                assert responses[code]["content"] == errors, (method, path, code)
