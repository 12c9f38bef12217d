"""Screening through the API (issue 12): POST /api/v1/concerns/<id>/screenings/ screens a child
of a concern already recorded, a public report included; the screening representation explains
every indicator and names those seen too long ago to count; a child carries their band across
all concerns; refusals are 400, 403 and 404 and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import make_draft, make_partnership, make_user
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.screening import months_before, scheme
from tocsin.server.concerns.actions import PUBLIC, do_record_concern
from tocsin.server.concerns.models import RecordView
from tocsin.server.ledger.models import LedgerLeaf

pytestmark = pytest.mark.django_db
SIGNIFICANT = [i.id for i in scheme().indicators if i.group == "significant"]


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_front_door_screens_a_public_report_and_hears_why_old_indicators_scored_nothing() -> (
    None
):
    p = make_partnership()
    officer = make_user(p.council, role="mash_officer")
    report = do_record_concern(make_draft(channel="public"), actor=PUBLIC).concern
    child = report.child_links.get().child
    long_ago = months_before(timezone.localdate(), 13).isoformat()
    body = {
        "child_id": str(child.pk),
        "indicators": [{"indicator_id": i, "seen_on": long_ago} for i in SIGNIFICANT[:5]],
    }
    response = client_for(officer).post(
        f"/api/v1/concerns/{report.pk}/screenings/", body, format="json"
    )
    assert response.status_code == 201, response.content
    screening = response.json()
    assert (screening["score"], screening["band"], screening["current_band"]) == (
        0,
        "not-at-risk",
        "not-at-risk",
    )
    assert screening["child_id"] == str(child.pk)
    assert screening["as_of"] == timezone.localdate().isoformat()
    assert screening["seq"] == LedgerLeaf.objects.get(kind="child.screened").seq
    # The answer shows the screening: its concern and child are on the ledger as viewed.
    viewed = RecordView.objects.filter(viewer=f"user:{officer.pk}", purpose="api: screening")
    assert {v.subject for v in viewed} == {f"concern:{report.pk}", f"child:{child.pk}"}
    assert {c["explanation"] for c in screening["contributions"]} == {
        "Seen 13 months before the screening, outside the 12-month window: scored 0"
    }
    assert all(c["aged_out"] for c in screening["contributions"])
    stale = screening["stale"]
    assert stale["count"] == 5 and stale["indicators"] == SIGNIFICANT[:5]
    assert stale["summary"].startswith("5 indicators were seen too long ago to count")
    assert stale["advice"].startswith("If any are still happening, screen again")

    # The concern's representation says the same, and the child carries the band across all.
    concern = client_for(officer).get(f"/api/v1/concerns/{report.pk}/").json()
    (shown,) = concern["screenings"]
    assert shown["stale"] == stale and shown["contributions"] == screening["contributions"]
    across = concern["children"][0]["band_across_concerns"]
    assert (across["band"], across["basis"], across["score"]) == ("not-at-risk", "combined", 0)
    assert "scored together" in across["rule"]


def test_a_childs_band_across_concerns_in_the_api_counts_every_agency() -> None:
    p = make_partnership()
    officer = make_user(p.police, role="police_officer")
    child = ChildDraft(given_name="Amara", nhs_number="9434765919")
    today = timezone.localdate()
    ours = do_record_concern(
        make_draft(children=[child], indicators=[IndicatorSeen(SIGNIFICANT[0], today)]),
        actor=p.practitioner,
    ).concern
    do_record_concern(
        make_draft(children=[child], indicators=[IndicatorSeen(SIGNIFICANT[1], today)]),
        actor=officer,
    )
    concern = client_for(p.practitioner).get(f"/api/v1/concerns/{ours.pk}/").json()
    assert concern["screenings"][0]["band"] == "not-at-risk"
    assert concern["screenings"][0]["stale"] is None
    across = concern["children"][0]["band_across_concerns"]
    assert (across["band"], across["score"], across["as_of"]) == ("mild", 10, today.isoformat())


def test_screening_refusals_write_nothing() -> None:
    p = make_partnership()
    report = do_record_concern(make_draft(channel="public"), actor=PUBLIC).concern
    ours = do_record_concern(make_draft(), actor=p.practitioner).concern
    child = str(ours.child_links.get().child.pk)
    today = timezone.localdate().isoformat()
    good = {"child_id": child, "indicators": [{"indicator_id": SIGNIFICANT[0], "seen_on": today}]}
    officer = make_user(p.police, role="police_officer")
    analyst = make_user(p.council, role="analyst")
    # A 400 is on the ledger as a read of the concern checked (as on every route); nothing else.
    writes = LedgerLeaf.objects.exclude(kind="record.viewed")
    before = writes.count()

    def post(user: Any, concern: Any, body: dict[str, Any]) -> Any:
        url = f"/api/v1/concerns/{concern.pk}/screenings/"
        return client_for(user).post(url, body, format="json")

    assert post(officer, ours, good).status_code == 404  # another agency's concern
    assert post(p.practitioner, report, good).status_code == 404  # the front door's
    assert post(analyst, ours, good).status_code == 403
    assert post(p.admin, ours, good).status_code == 403
    bad = post(
        p.practitioner,
        ours,
        {
            "child_id": str(report.child_links.get().child.pk),
            "indicators": [
                {"indicator_id": "no_such_sign", "seen_on": today},
                {"indicator_id": SIGNIFICANT[0], "seen_on": "2999-01-01"},
            ],
        },
    )
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == [
        "child",
        "indicators[0]",
        "indicators[1]",
    ]
    empty = post(p.practitioner, ours, {"child_id": child, "indicators": []})
    assert [e["field"] for e in empty.json()["errors"]] == ["indicators"]
    shapeless = post(p.practitioner, ours, {"indicators": [{"seen_on": "yesterday"}]})
    assert shapeless.status_code == 400
    assert {e["field"] for e in shapeless.json()["errors"]} == {
        "child_id",
        "indicators[0].indicator_id",
        "indicators[0].seen_on",
    }
    assert writes.count() == before


def test_the_schema_describes_the_screening_route() -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    route = schema["paths"]["/api/v1/concerns/{concern_id}/screenings/"]
    assert "201" in route["post"]["responses"]
    assert {"400", "403", "404"} <= set(route["post"]["responses"])
