"""A child's chronology across agencies, within need-to-know: each agency sees its own part and
is told, without being shown, what the others hold and whom to ask; the front door sees it all.
Printing and the PDF are reads of their own, recorded on the ledger."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from pypdf import PdfReader

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.screening import scheme
from tocsin.server.casework.actions import (
    do_allocate,
    do_decide,
    do_record_contact,
    do_record_outcome,
)
from tocsin.server.concerns.actions import PUBLIC, do_add_information, do_record_concern
from tocsin.server.concerns.models import RecordView

pytestmark = pytest.mark.django_db

NHS = "9990000018"
NARRATIVES = {
    "school": "Seen by staff getting into a grey car at the school gate after lessons.",
    "police": "Intelligence: phone linked to a flat where children are taken at night.",
    "council": "Youth worker saw her with adults at the takeaway on the high street.",
}


def _child() -> ChildDraft:
    return ChildDraft(
        given_name="Maja",
        family_name="Thornbury",
        date_of_birth=date(2012, 5, 1),
        sex="F",
        nhs_number=NHS,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    school = make_agency("Hillside School", "education")
    police = make_agency("Northshire Police", "police")
    council = make_agency("Northshire Council", "council")
    mash = make_team(council, "MASH")
    exploitation = make_team(council, "Exploitation team")
    people = {
        "school": make_user(school, team=make_team(school, "Pastoral")),
        "police": make_user(police, role="police_officer", team=make_team(police, "CSE unit")),
        "council": make_user(council, team=exploitation),
        "mash": make_user(council, role="mash_officer", team=mash),
    }
    mild = [i.id for i in scheme().indicators if i.group != "significant"][:2]
    concerns = {}
    for name in ("school", "police", "council"):
        draft = make_draft(
            children=[_child()],
            narrative=NARRATIVES[name],
            indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in mild],
        )
        concerns[name] = do_record_concern(draft, actor=people[name]).concern
    council_concern = concerns["council"]
    do_allocate(council_concern.pk, worker_id=str(people["council"].pk), actor=people["mash"])
    do_decide(
        council_concern.pk,
        "assessment",
        "Indicators of exploitation need an assessment",
        actor=people["council"],
    )
    do_add_information(
        council_concern.pk, "Spoke to the school nurse about her absences.", actor=people["council"]
    )
    do_record_contact(
        council_concern.pk,
        with_whom="child",
        method="home_visit",
        happened_on=date(2026, 11, 20),
        made=True,
        seen_alone=True,
        summary="Seen alone at home; talked about the takeaway.",
        actor=people["council"],
    )
    do_record_outcome(
        council_concern.pk,
        "child_in_need_plan",
        "Plan agreed with her and her mother",
        actor=people["council"],
    )
    return {
        "people": people,
        "concerns": concerns,
        "child": council_concern.child_links.get().child,
    }


def _page(user: Any, url: str) -> BeautifulSoup:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def test_one_child_record_for_three_agencies(world: dict[str, Any]) -> None:
    links = {c.child_links.get().child_id for c in world["concerns"].values()}
    assert links == {world["child"].pk}


@pytest.mark.parametrize("agency", ["school", "police", "council"])
def test_each_agency_sees_its_own_part_and_is_told_what_others_hold(
    world: dict[str, Any], agency: str
) -> None:
    page = _page(world["people"][agency], f"/children/{world['child'].pk}/")
    text = page.get_text(" ")
    table = page.select_one("#chronology").get_text(" ")
    assert NARRATIVES[agency] in table
    for other, narrative in NARRATIVES.items():
        if other != agency:
            assert narrative not in text, f"{agency} was shown {other}'s concern"
    held = page.select_one("#held-elsewhere").get_text(" ")
    others = {
        "school": "Hillside School",
        "police": "Northshire Police",
        "council": "Northshire Council",
    }
    for other, name in others.items():
        assert (name in held) == (other != agency)
    if agency != "council":
        # The council's concern is owned by a named worker: whom to ask.
        assert world["people"]["council"].display_name in held
        assert "Seen alone at home" not in text and "Plan agreed" not in text
    # Only what was shown is recorded as shown.
    view = RecordView.objects.filter(purpose="child chronology").order_by("-viewed_seq")
    shown = set(view.values_list("subject", flat=True)[:50])
    assert f"concern:{world['concerns'][agency].pk}" in shown
    for other in set(NARRATIVES) - {agency}:
        assert f"concern:{world['concerns'][other].pk}" not in shown


def test_the_front_door_sees_the_whole_chronology_in_date_order(world: dict[str, Any]) -> None:
    page = _page(world["people"]["mash"], f"/children/{world['child'].pk}/")
    assert page.select_one("#held-elsewhere") is None
    table = page.select_one("#chronology").get_text(" ")
    for narrative in NARRATIVES.values():
        assert narrative in table
    kinds = [row["data-kind"] for row in page.select("#chronology tbody tr")]
    for kind in ("concern", "screening", "allocation", "decision", "note", "contact", "outcome"):
        assert kind in kinds, kind
    # Oldest first: the first concern recorded comes first; the contact (20 November) comes
    # before everything recorded today.
    assert kinds[0] == "contact"
    assert kinds.index("concern") < kinds.index("allocation") < kinds.index("outcome")
    newest = _page(world["people"]["mash"], f"/children/{world['child'].pk}/?order=newest")
    assert [r["data-kind"] for r in newest.select("#chronology tbody tr")] == kinds[::-1]
    notes = _page(world["people"]["mash"], f"/children/{world['child'].pk}/?kind=note")
    assert [r["data-kind"] for r in notes.select("#chronology tbody tr")] == ["note"]


def test_no_concern_you_may_see_means_no_child_page(world: dict[str, Any]) -> None:
    stranger = make_user(make_agency("Elsewhere Trust", "health"))
    client = Client()
    client.force_login(stranger)
    for url in ("", "print/", "chronology.pdf"):
        assert client.get(f"/children/{world['child'].pk}/{url}").status_code == 404


def test_printing_and_the_pdf_are_recorded(world: dict[str, Any]) -> None:
    user = world["people"]["police"]
    page = _page(user, f"/children/{world['child'].pk}/print/")
    assert "OFFICIAL-SENSITIVE" in page.get_text()
    assert page.select_one('[data-module="tocsin-print"]') is not None
    printed = RecordView.objects.filter(
        purpose="child chronology printed", viewer=f"user:{user.pk}"
    )
    assert printed.filter(subject=f"concern:{world['concerns']['police'].pk}").exists()
    client = Client()
    client.force_login(user)
    pdf = client.get(f"/children/{world['child'].pk}/chronology.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert "Maja Thornbury" in flat and "OFFICIAL-SENSITIVE" in flat and "Page 1 of" in flat
    assert NARRATIVES["police"][:40] in flat
    assert NARRATIVES["school"][:40] not in flat
    made = RecordView.objects.filter(purpose="child chronology PDF", viewer=f"user:{user.pk}")
    assert made.filter(subject=f"child:{world['child'].pk}").exists()
    assert not made.filter(subject=f"concern:{world['concerns']['school'].pk}").exists()


def test_a_public_report_about_the_child_is_held_by_the_front_door(world: dict[str, Any]) -> None:
    public = do_record_concern(
        replace(make_draft(children=[_child()]), channel="public"), actor=PUBLIC
    ).concern
    page = _page(world["people"]["council"], f"/children/{world['child'].pk}/")
    held = page.select_one("#held-elsewhere").get_text(" ")
    assert "front door" in held
    assert public.narrative not in page.get_text()
