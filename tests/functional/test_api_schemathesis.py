"""The API against its own OpenAPI description (issue 14 §6), with schemathesis: every
operation the schema at ``/api/v1/schema/`` describes is called, signed in as the API signs
people in (a session cookie, with the CSRF token on writes), with parameters and JSON bodies
generated from the schema, both valid and deliberately invalid. No answer may be a server
error, and each must be one the schema describes: its status, its content type, its body.

Path ids are those of a world built for the purpose (a concern the caller may see, its
screening, a proposal waiting for the caller's sign-off, a meeting action the caller owns), so
the generated bodies reach the actions' own checks rather than stopping at a 404. Generation
is derandomised and bounded per operation, so a run is the same every time and takes seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_draft, make_partnership, make_user
from tests.factories.register import make_report
from tocsin.domain.casework import Attendee, MeetingAction
from tocsin.domain.concerns import IndicatorSeen
from tocsin.domain.screening import scheme
from tocsin.server.casework.actions import do_decide
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.meetings.actions import do_record_meeting
from tocsin.server.meetings.models import MeetingAction as MeetingActionRow

pytestmark = pytest.mark.django_db

#: Examples generated for each operation in each mode (valid and invalid data).
EXAMPLES = 12
#: The checks that make "0 server errors and 0 schema violations".
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world() -> dict[str, Any]:
    """A head of service (who may use every endpoint but the partnership's own) with a
    concern to act on, and the ids the paths need."""
    p = make_partnership()
    head = make_user(p.council, role="head_of_service")
    indicator = next(i.id for i in scheme().indicators if i.group == "significant")
    today = timezone.localdate()
    concern = do_record_concern(
        make_draft(indicators=[IndicatorSeen(indicator, today)]), actor=head
    ).concern
    proposal = do_decide(
        concern.pk,
        "no_further_action",
        "The family have moved away and the new authority has taken the case on.",
        actor=p.practitioner,
    )
    do_record_meeting(
        concern.pk,
        kind="strategy_discussion",
        held_at=timezone.now() - timedelta(hours=1),
        attendees=[
            Attendee("Sam Carter", "team manager", str(p.council.pk)),
            Attendee("Jo Reid", "detective", str(p.police.pk)),
        ],
        decisions=["section_47_enquiry"],
        summary="Reasonable cause to suspect significant harm.",
        actions=[MeetingAction("Visit the child", str(head.pk), today)],
        actor=head,
    )
    # The register: a report with a recommendation the head of service owns.
    report = make_report(actor=head, owners=[(head, today)])
    return {
        "user": head,
        "ids": {
            "report_id": str(report.pk),
            "recommendation_id": str(report.recommendations.get().pk),
            "concern_id": str(concern.pk),
            "screening_id": str(concern.screenings.get().pk),
            "decision_id": proposal.decision_id,
            "action_id": str(MeetingActionRow.objects.get().pk),
        },
    }


@pytest.fixture
def signed_in(world: dict[str, Any]) -> dict[str, Any]:
    """The cookies and header a signed-in API client sends: the session, and a CSRF secret
    echoed in the header (Django accepts the unmasked secret)."""
    client = Client()
    client.force_login(world["user"])
    secret = get_random_string(32, CSRF_ALLOWED_CHARS)
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: secret,
        },
        "headers": {"X-CSRFToken": secret},
    }


@pytest.fixture
def app() -> Iterator[Any]:
    """Django's WSGI application, answering in this test's transaction. As Django's own test
    client does, requests leave the database connection open: closing it at the end of each
    request would end the test's transaction on PostgreSQL."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _failures_of(
    operation: Any, mode: GenerationMode, ids: dict[str, str], auth: dict[str, Any]
) -> list[str]:
    """Each distinct failure of ``operation`` over EXAMPLES generated cases in ``mode``."""
    found: dict[str, str] = {}
    path_ids = {name: value for name, value in ids.items() if f"{{{name}}}" in operation.path}

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_ids))
    def run(case: Any) -> None:
        try:
            case.call_and_validate(checks=CHECKS, headers=auth["headers"], cookies=auth["cookies"])
        except schemathesis.errors.FailureGroup as failures:
            for failure in failures.exceptions:
                found.setdefault(f"{operation.label} [{mode}]: {failure.title}", str(failures))

    run()
    return list(found.values())


def test_every_operation_answers_as_its_schema_says(
    app: Any, world: dict[str, Any], signed_in: dict[str, Any]
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19  # every endpoint in docs/api.md
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _failures_of(operation, mode, world["ids"], signed_in)
    assert not failures, "\n\n".join(failures)
