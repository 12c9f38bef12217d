"""Recording gaps (issue 12) through the pages, the public form, the API and import: a child
described rather than named, an agency's intelligence about a vehicle with no child yet, every
field given shown, and the prompt for the exploitation factors (11A, 24A)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_partnership, make_team, make_user
from tocsin.domain.concerns import (
    NO_CHILD_NOR_SUBJECT,
    ChildDraft,
    ConcernDraft,
    Grading,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
)
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.importing import import_concerns
from tocsin.server.concerns.models import Child, Concern
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.verify import verify_ledger
from tocsin.server.web.concern_form import SESSION_KEY

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough password 1"
BLAZER = "Girl about 14 in a Northfield Academy blazer, long dark plaits"
#: How pages name the child BLAZER describes, aged about 14.
UNNAMED = "Unnamed child (about 14, Girl about 14 in a Northfield Academy…)"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text_of(response: Any) -> str:
    return " ".join(page(response).get_text().split())


def signed_in(client: Client, role: str = "practitioner") -> Any:
    partnership = make_partnership()
    agency = partnership.police if role == "police_officer" else partnership.council
    user = make_user(agency, role=role, password=PASSWORD)
    client.force_login(user)
    return partnership, user


def post(client: Client, slug: str, data: dict[str, Any]) -> Any:
    return client.post(f"/concerns/new/{slug}/", {"action": "continue", **data})


# A child described rather than named


def test_a_concern_about_a_child_whose_name_is_not_known(client: Client) -> None:
    _, user = signed_in(client)
    client.get("/concerns/new/")
    children = page(client.get("/concerns/new/children/"))
    assert children.select_one("#children-0-description") is not None
    assert children.select_one("#no_child")["type"] == "checkbox"
    answered = post(
        client,
        "children",
        {
            "children-count": "1",
            "children-0-description": BLAZER,
            "children-0-approximate_age": "14",
            "children-0-school": "Northfield Academy",
            "children-0-sex": "F",
        },
    )
    assert answered["Location"] == "/concerns/new/what-happened/"
    post(client, "what-happened", {"narrative": "Seen getting into a car after school."})
    for slug in ("persons", "vehicles", "phones", "places"):
        post(client, slug, {f"{slug}-count": "1"})
    assert post(client, "indicators", {})["Location"] == "/concerns/new/cin-factors/"
    post(client, "cin-factors", {})
    check = text_of(client.get("/concerns/new/check/"))
    assert "Unnamed child (about 14, Northfield Academy" in check
    assert BLAZER in check
    assert client.post("/concerns/new/check/").status_code == 302

    concern = Concern.objects.get()
    assert concern.recorded_by_id == user.pk
    child = Child.objects.get()
    assert (child.given_name, child.description, child.school) == ("", BLAZER, "Northfield Academy")
    assert str(child).startswith("Unnamed child (about 14, Northfield Academy, Girl about 14")
    concern_page = page(client.get(f"/concerns/{concern.pk}/"))
    listed = concern_page.select_one("#children")
    assert listed.select_one("a").get_text() == str(child)
    assert BLAZER in listed.get_text()
    child_page = page(client.get(f"/children/{child.pk}/"))
    assert child_page.select_one("h1").get_text() == str(child)
    assert child_page.select_one("#description").get_text() == BLAZER
    mine = page(client.get("/concerns/mine/")).select_one("#concerns").get_text()
    assert str(child) in mine
    leaf = LedgerLeaf.objects.get(kind="child.recorded")
    assert leaf.seq < concern.recorded_seq
    assert verify_ledger().ok


def test_the_children_page_says_what_is_missing_and_refuses_both_answers(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    only_sex = post(client, "children", {"children-count": "1", "children-0-sex": "F"})
    assert only_sex.status_code == 400  # a select alone is a blank fieldset
    described_nothing = post(
        client, "children", {"children-count": "1", "children-0-address": " ", "no_child": ""}
    )
    assert described_nothing.status_code == 400
    both = post(
        client,
        "children",
        {"children-count": "1", "children-0-given_name": "Ola", "no_child": "yes"},
    )
    assert both.status_code == 400
    html = page(both)
    assert [a["href"] for a in html.select(".govuk-error-summary__list a")] == ["#no_child"]
    assert html.select_one("#no_child-error") is not None
    assert html.select_one("#no_child").has_attr("checked")
    assert not Concern.objects.exists()


# Intelligence about a vehicle with no child yet


def test_intelligence_about_a_vehicle_alone_skips_the_screening(client: Client) -> None:
    partnership, officer = signed_in(client, role="police_officer")
    client.get("/concerns/new/")
    assert post(client, "children", {"children-count": "1", "no_child": "yes"})["Location"] == (
        "/concerns/new/what-happened/"
    )
    post(client, "what-happened", {"narrative": "A black Audi waits outside the school."})
    post(client, "persons", {"persons-count": "1"})
    post(
        client,
        "vehicles",
        {"vehicles-count": "1", "vehicles-0-make": "Audi", "vehicles-0-colour": "Black"},
    )
    post(client, "phones", {"phones-count": "1"})
    # No child: no screening indicators and no Children in Need factors are asked.
    assert post(client, "places", {"places-count": "1"})["Location"] == "/concerns/new/grading/"
    assert post(client, "grading", {})["Location"] == "/concerns/new/check/"
    check = page(client.get("/concerns/new/check/"))
    assert "No child is known yet" in check.get_text()
    assert "Black Audi, registration not known" in check.get_text()
    assert "no one to screen" in check.get_text()
    assert "question 7 of 7" in page(client.get("/concerns/new/grading/")).get_text()

    assert client.post("/concerns/new/check/").status_code == 302
    concern = Concern.objects.get()
    assert not concern.child_links.exists()
    assert not LedgerLeaf.objects.filter(kind__in=["child.recorded", "child.screened"]).exists()
    shown = page(client.get(f"/concerns/{concern.pk}/"))
    assert " ".join(shown.select_one("#children").get_text().split()).startswith(
        "No child named yet: intelligence about 1 vehicle."
    )
    assert "Black Audi, registration not known" in shown.select_one("#intelligence").get_text()
    assert "No child named yet" in page(client.get("/concerns/mine/")).get_text()

    # The police's front door sees it in its tray, and says what it is about.
    mash = make_user(
        partnership.police,
        role="mash_officer",
        team=make_team(partnership.police, "Police MASH"),
        password=PASSWORD,
    )
    client.force_login(mash)
    tray = page(client.get("/queue/front-door/")).select_one("#tray").get_text()
    assert concern.reference in tray
    assert "No child named yet: intelligence about 1 vehicle" in tray

    # Need-to-know is as for any concern: another agency gets 404 and nothing is written.
    client.force_login(make_user(partnership.council, password=PASSWORD))
    before = LedgerLeaf.objects.count()
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404
    assert LedgerLeaf.objects.count() == before
    assert verify_ledger().ok
    assert officer.agency_id == partnership.police.pk


def test_no_child_and_nothing_else_named_is_refused_at_check_your_answers(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    post(client, "children", {"children-count": "1", "no_child": "yes"})
    post(client, "what-happened", {"narrative": "Something felt wrong at the park."})
    refused = client.post("/concerns/new/check/")
    assert refused.status_code == 400
    links = page(refused).select(".govuk-error-summary__list a")
    assert [(a["href"], a.get_text()) for a in links] == [
        ("/concerns/new/children/?change=1#children-0-given_name", NO_CHILD_NOR_SUBJECT)
    ]
    assert not Concern.objects.exists()


def test_taking_the_child_away_leaves_the_screening_answers_to_remove(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    post(client, "children", {"children-count": "1", "children-0-given_name": "Ola"})
    post(client, "cin-factors", {"cin_factors": ["11A"]})
    changed = client.post(
        "/concerns/new/children/?change=1",
        {"children-count": "1", "no_child": "yes", "action": "continue"},
    )
    assert changed["Location"] == "/concerns/new/check/"
    post(client, "what-happened", {"narrative": "Seen with a man in a black Audi."})
    post(client, "vehicles", {"vehicles-count": "1", "vehicles-0-make": "Audi"})
    refused = client.post("/concerns/new/check/")
    links = [a["href"] for a in page(refused).select(".govuk-error-summary__list a")]
    assert links == ["/concerns/new/cin-factors/?change=1#cin_factors"]
    assert client.get("/concerns/new/cin-factors/").status_code == 200
    client.post("/concerns/new/cin-factors/?change=1", {"action": "continue"})
    assert client.post("/concerns/new/check/").status_code == 302


# Every field given is shown


def _every_field() -> ConcernDraft:
    return ConcernDraft(
        children=[
            ChildDraft(
                given_name="Zofia",
                family_name="Testowa-Every",
                aliases=["Zosia"],
                date_of_birth=date(2012, 3, 4),
                sex="F",
                address="Flat 2, 1 Example Street",
                postcode="zz1 4qx",
                school="Northfield Academy",
                nhs_number="943 476 5919",
                description="Red coat, braces on her teeth",
            ),
            ChildDraft(description=BLAZER, approximate_age=14),
        ],
        narrative="Adults in a black Audi collect the girls from the park after school.",
        occurred_on=date(2026, 11, 1),
        occurred_where="Mill Lane park",
        persons=[
            PersonDraft(
                names=["Dean Carter"],
                nicknames=["DC", "Deano"],
                description="Tall, short dark hair, gold chain",
                ethnicity="WBRI",
                approximate_age=31,
            ),
            PersonDraft(nicknames=["Big J"], ethnicity="REFU"),
        ],
        vehicles=[
            VehicleDraft(make="Audi", colour="Black"),
            VehicleDraft(registration="YX19A", make="Ford Fiesta", colour="red"),
            VehicleDraft(registration="zx12abc", make="Vauxhall", colour="silver"),
        ],
        phones=["07700 900123", "07700 900456"],
        places=[
            PlaceDraft(name="The flat above the takeaway", postcode="zz1 2ab"),
            PlaceDraft(postcode="ZZ1 9XY"),
        ],
        cin_factors=["11A", "10A"],
        grading=Grading("2", "B", "P"),
    )


EVERY_VALUE = [
    "Zofia Testowa-Every",
    UNNAMED,
    BLAZER,
    "Red coat, braces on her teeth",
    "Adults in a black Audi collect the girls from the park after school.",
    "Mill Lane park",
    "Dean Carter (known as DC, Deano), about 31. Tall, short dark hair, gold chain. "
    "Ethnicity as described: White British.",
    "Known as Big J. Ethnicity as described: Refused.",
    "Black Audi, registration not known",
    "YX19A (partial registration), red Ford Fiesta",
    "ZX12 ABC, silver Vauxhall",
    "07700900123",
    "07700900456",
    "The flat above the takeaway, ZZ1 2AB",
    "ZZ1 9XY",
    "Child sexual exploitation (11A)",
    "Missing (10A)",
    "2BP: source untested",
]


def test_the_concern_page_shows_every_field_given(client: Client) -> None:
    partnership = make_partnership()
    officer = make_user(partnership.police, role="police_officer", password=PASSWORD)
    concern = do_record_concern(_every_field(), actor=officer).concern
    client.force_login(officer)
    shown = text_of(client.get(f"/concerns/{concern.pk}/"))
    missing = [value for value in EVERY_VALUE if value not in shown]
    assert not missing, missing
    assert "1 November 2026" in shown or "2026-11-01" in shown
    zofia = concern.child_links.get(child__given_name="Zofia").child
    child_page = text_of(client.get(f"/children/{zofia.pk}/"))
    for value in (
        "Zosia",
        "4 March 2012",
        "Female",
        "Northfield Academy",
        "Red coat, braces on her teeth",
        "Flat 2, 1 Example Street ZZ1 4QX",
        "9434765919",
    ):
        assert value in child_page, value


def test_check_your_answers_shows_every_field_given(client: Client) -> None:
    signed_in(client, role="police_officer")
    client.get("/concerns/new/")
    session = client.session
    draft = _every_field()
    stored: dict[str, Any] = {
        "children": [
            {**vars(c), "date_of_birth": c.date_of_birth and c.date_of_birth.isoformat()}
            for c in draft.children
        ],
        "no_child": False,
        "narrative": draft.narrative,
        "occurred_on": "2026-11-01",
        "occurred_where": draft.occurred_where,
        "persons": [vars(p) for p in draft.persons],
        "vehicles": [vars(v) for v in draft.vehicles],
        "phones": draft.phones,
        "places": [vars(p) for p in draft.places],
        "indicators": [],
        "cin_factors": draft.cin_factors,
        "grading": {"source": "2", "intelligence": "B", "handling": "P"},
    }
    session[SESSION_KEY] = stored
    session.save()
    shown = text_of(client.get("/concerns/new/check/"))
    # As typed: normalising (postcodes, phones, registrations) happens when it is recorded,
    # except that a registration is read as the ledger will hold it.
    as_typed = {
        "07700900123": "07700 900123",
        "07700900456": "07700 900456",
        "The flat above the takeaway, ZZ1 2AB": "The flat above the takeaway, zz1 2ab",
        "2BP: source untested": "2BP",
        UNNAMED: "Unnamed child (about 14",
    }
    missing = [as_typed.get(v, v) for v in EVERY_VALUE if as_typed.get(v, v) not in shown]
    assert not missing, missing
    for value in ("Zosia", "Northfield Academy", "Flat 2, 1 Example Street zz1 4qx", "943 476"):
        assert value in shown, value


# The prompt for the exploitation factors


def test_the_cin_page_prompts_for_suggested_factors_and_ticks_nothing(client: Client) -> None:
    signed_in(client)
    client.get("/concerns/new/")
    post(client, "children", {"children-count": "1", "children-0-given_name": "Ola"})
    post(
        client,
        "indicators",
        {
            "indicator": ["links_to_known_perpetrators", "self_harm"],
            **{f"seen-links_to_known_perpetrators-{k}": v for k, v in _day().items()},
            **{f"seen-self_harm-{k}": v for k, v in _day().items()},
        },
    )
    html = page(client.get("/concerns/new/cin-factors/"))
    prompt = html.select_one("#cin-prompts")
    assert [li["id"] for li in prompt.select("li")] == ["prompt-11A", "prompt-24A"]
    assert [a["href"] for a in prompt.select("a")] == ["#cin-11A", "#cin-24A"]
    assert "Links to known perpetrators" in prompt.get_text()
    assert not [box["value"] for box in html.select("input[name=cin_factors][checked]")]
    # The practitioner decides: 11A ticked, 24A not; the prompt then names only 24A.
    post(client, "cin-factors", {"cin_factors": ["11A"]})
    again = page(client.get("/concerns/new/cin-factors/"))
    assert [li["id"] for li in again.select("#cin-prompts li")] == ["prompt-24A"]
    check = page(client.get("/concerns/new/check/"))
    assert "child criminal exploitation (24A)" in check.select_one("#cin-prompts").get_text()
    post(client, "cin-factors", {"cin_factors": ["11A", "24A"]})
    assert page(client.get("/concerns/new/cin-factors/")).select_one("#cin-prompts") is None


def _day() -> dict[str, str]:
    return {"day": "1", "month": "11", "year": "2026"}


# The public, the API and import accept and refuse the same things


def test_a_member_of_the_public_need_not_give_the_childs_name(client: Client) -> None:
    sent = client.post(
        "/report/en/",
        {
            "child_description": BLAZER,
            "child_school": "Northfield Academy",
            "narrative": "A man in a black Audi gives her lifts after school.",
            "vehicle_make": "Black Audi",
        },
    )
    assert sent["Location"] == "/report/en/sent/"
    concern = Concern.objects.get()
    child = concern.child_links.get().child
    assert (child.given_name, child.description, child.school) == ("", BLAZER, "Northfield Academy")
    assert concern.vehicles == [
        {"registration": "", "make": "Black Audi", "colour": "", "complete": False}
    ]
    nothing = client.post("/report/pl/", {"narrative": "Coś złego dzieje się w parku."})
    assert nothing.status_code == 400
    links = page(nothing).select(".govuk-error-summary__list a")
    assert [a["href"] for a in links] == ["#child_name"]
    assert "Napisz nam coś o dziecku" in links[0].get_text()
    assert Concern.objects.count() == 1


def _api(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_records_intelligence_about_a_vehicle_and_a_described_child() -> None:
    partnership = make_partnership()
    officer = make_user(partnership.police, role="police_officer")
    body = {
        "narrative": "A black Audi waits outside the school at home time.",
        "vehicles": [{"make": "Audi", "colour": "black"}],
    }
    made = _api(officer).post("/api/v1/concerns/", body, format="json")
    assert made.status_code == 201, made.json()
    shown = _api(officer).get(f"/api/v1/concerns/{made.json()['id']}/").json()
    assert shown["children"] == []
    assert shown["about"] == "No child named yet: intelligence about 1 vehicle"
    described = _api(officer).post(
        "/api/v1/concerns/",
        {**body, "children": [{"description": BLAZER, "approximate_age": 14}]},
        format="json",
    )
    assert described.status_code == 201
    child = _api(officer).get(f"/api/v1/concerns/{described.json()['id']}/").json()["children"][0]
    assert child["description"] == BLAZER
    assert child["shown_as"].startswith("Unnamed child (about 14, Girl about 14")
    before = LedgerLeaf.objects.count()
    refused = _api(officer).post(
        "/api/v1/concerns/", {"narrative": body["narrative"], "children": []}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "children", "message": NO_CHILD_NOR_SUBJECT}]
    # Another agency may not see the intelligence.
    assert (
        _api(partnership.practitioner).get(f"/api/v1/concerns/{made.json()['id']}/").status_code
        == 404
    )
    assert LedgerLeaf.objects.count() == before


def test_import_takes_a_row_about_no_child_and_a_row_about_a_described_child(
    tmp_path: Path,
) -> None:
    partnership = make_partnership()
    header = "child_given_name,child_family_name,child_description,narrative,vehicle_make\n"
    rows = (
        ",,,A black Audi waits outside the school.,Audi\n"
        f',,"{BLAZER}",She was seen getting into the Audi.,Audi\n'
    )
    path = tmp_path / "rows.csv"
    path.write_text(header + rows, encoding="utf-8")
    outcome = import_concerns(path, actor=partnership.practitioner)
    assert outcome.ok, outcome.problems
    first, second = Concern.objects.order_by("recorded_seq")
    assert not first.child_links.exists()
    assert second.child_links.get().child.description == BLAZER
    refused = tmp_path / "refused.csv"
    refused.write_text(header + ",,,Something felt wrong.,\n", encoding="utf-8")
    before = LedgerLeaf.objects.count()
    failed = import_concerns(refused, actor=partnership.practitioner)
    assert not failed.ok
    assert [(p.column, p.problem) for p in failed.problems] == [
        ("child_given_name", NO_CHILD_NOR_SUBJECT)
    ]
    assert LedgerLeaf.objects.count() == before
