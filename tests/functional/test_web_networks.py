"""The network view through the pages (test client): who may see it, the table offered first,
the filters and their errors, the JSON the picture draws, the CSV and the PDF, and every one of
them recorded as a read of each child (and concern) it shows."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_user
from tests.factories.networks import NetworkWorld, make_network_world
from tocsin.server.concerns.models import Concern, ConcernChild, RecordView
from tocsin.server.networks.gates import NETWORK_ROLES

pytestmark = pytest.mark.django_db

PAGES = ["/networks/", "/networks/table/", "/networks/graph.json", "/networks/links.csv"]


def page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def world() -> NetworkWorld:
    return make_network_world()


@pytest.fixture
def analyst(client: Client, world: NetworkWorld) -> Client:
    client.force_login(world.analyst)
    return client


def _viewed(purpose: str) -> set[str]:
    return set(RecordView.objects.filter(purpose=purpose).values_list("subject", flat=True))


@pytest.mark.parametrize(
    "role", ["practitioner", "team_manager", "police_officer", "head_of_service"]
)
def test_roles_outside_the_network_roles_are_refused_and_shown_nothing(
    client: Client, world: NetworkWorld, role: str
) -> None:
    assert role not in NETWORK_ROLES
    client.force_login(make_user(world.council, role=role))
    for path in [*PAGES, "/networks/chart.pdf"]:
        assert client.get(path).status_code == 403, path
    assert not RecordView.objects.exists()
    assert b"/networks/" not in client.get("/concerns/mine/").content


@pytest.mark.parametrize("role", NETWORK_ROLES)
def test_each_network_role_sees_the_whole_partnership(
    client: Client, world: NetworkWorld, role: str
) -> None:
    client.force_login(make_user(world.partnership, role=role))
    data = client.get("/networks/graph.json").json()
    assert len(data["nodes"]) == 9


def test_the_page_offers_the_table_before_the_picture(analyst: Client) -> None:
    response = analyst.get("/networks/")
    assert response.status_code == 200
    doc = page(response)
    table_link = doc.select_one("#network-table-link")
    picture = doc.select_one("#network-graph")
    assert table_link is not None and picture is not None
    assert table_link.sourceline < picture.sourceline
    assert picture["role"] == "img"
    assert "9 entities" in picture["aria-label"]
    assert "children" in picture["aria-label"] and "childs" not in picture["aria-label"]
    assert picture["data-src"] == "/networks/graph.json"
    script = [s["src"] for s in doc.select("script[src]")]
    assert "/static/tocsin/build/network.js" in script
    adults = doc.select("#top-adults tbody tr")
    assert adults[0].select("td")[0].get_text() == "Mohammed Khan"
    assert adults[0].select("td")[1].get_text() == "4"
    assert "Flat 3, 12 Quarry Lane" in doc.select_one("#hotspots").get_text()
    assert doc.select_one('a[href="/networks/"]') is not None  # in the navigation


def test_the_json_has_server_positions_and_records_every_child_shown(
    analyst: Client, world: NetworkWorld
) -> None:
    response = analyst.get("/networks/graph.json")
    data = response.json()
    assert response["Cache-Control"] == "no-store"
    xs = [n["x"] for n in data["nodes"]]
    assert all(-1 <= x <= 1 for x in xs) and len(set(xs)) > 1
    adult = next(n for n in data["nodes"] if n["kind"] == "adult")
    assert (adult["children"], adult["reporters"], adult["network"]) == (4, 3, "N1")
    assert adult["flags"] == ["cse"]
    assert len(data["edges"]) == 16
    children = {f"child:{c}" for c in ConcernChild.objects.values_list("child_id", flat=True)}
    assert _viewed("network view data") == children


def test_the_table_lists_every_entity_and_link_and_records_them(
    analyst: Client, world: NetworkWorld
) -> None:
    doc = page(analyst.get("/networks/table/"))
    assert len(doc.select("#networks tbody tr")) == 2
    assert len(doc.select("#entities tbody tr")) == 9
    assert len(doc.select("#links tbody tr")) == 16
    references = set(Concern.objects.values_list("reference", flat=True))
    shown = {r for r in references if r in doc.get_text()}
    assert shown == references
    viewed = _viewed("network table")
    assert {f"concern:{c}" for c in world.concern_ids} <= viewed
    assert any(s.startswith("child:") for s in viewed)


def test_the_tables_come_a_page_at_a_time_and_record_only_what_the_page_shows(
    analyst: Client, world: NetworkWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tocsin.server.web import network_pages

    monkeypatch.setattr(network_pages, "TABLE_PAGE", 4)
    doc = page(analyst.get("/networks/table/", {"entities": "2"}))
    assert len(doc.select("#entities tbody tr")) == 4
    assert "5 to 8 of 9" in doc.select_one("#entities caption").get_text()
    pages = doc.select_one("#entities-pages")
    assert pages["aria-label"] == "Pages of entities"
    assert pages.select_one('a[rel="prev"]')["href"] == "?entities=1#entities-heading"
    assert pages.select_one('a[rel="next"]')["href"] == "?entities=3#entities-heading"
    # The filters are kept from page to page.
    narrowed = page(analyst.get("/networks/table/", {"entities": "2", "kind": ["child", "adult"]}))
    back = narrowed.select_one('#entities-pages a[rel="prev"]')["href"]
    assert back == "?entities=1&kind=child&kind=adult#entities-heading"
    # Past the last page: the last page; not a number: the first.
    last = page(analyst.get("/networks/table/", {"links": "99"}))
    assert "Page 4 of 4" in last.select_one("#links-pages").get_text()
    assert len(last.select("#links tbody tr")) == 4
    first = page(analyst.get("/networks/table/", {"links": "²"}))
    assert "Page 1 of 4" in first.select_one("#links-pages").get_text()
    # Each network links to the page where its entities start.
    for link in doc.select("#networks tbody a"):
        assert link["href"].split("#")[0].startswith("?entities=")

    # Only the children on the page, or at an end of a link on it, are recorded as seen.
    before = set(RecordView.objects.values_list("pk", flat=True))
    shown = page(analyst.get("/networks/table/", {"kind": ["child"], "links": "1"}))
    viewed = {
        v.subject
        for v in RecordView.objects.exclude(pk__in=before)
        if v.subject.startswith("child:")
    }
    children = {f"child:{c}" for c in ConcernChild.objects.values_list("child_id", flat=True)}
    assert len(shown.select("#entities tbody tr")) == 4
    assert viewed and viewed < children


def test_filters_narrow_by_days_agency_and_kind(analyst: Client, world: NetworkWorld) -> None:
    since = analyst.get("/networks/graph.json", {"since": "2026-08-01"}).json()
    assert sum(1 for n in since["nodes"] if n["kind"] == "child") == 3
    police = analyst.get("/networks/graph.json", {"agency": str(world.police.pk)}).json()
    assert {n["kind"] for n in police["nodes"]} == {"child", "adult", "vehicle", "place"}
    assert sum(1 for n in police["nodes"] if n["kind"] == "child") == 1
    kinds = analyst.get("/networks/graph.json", {"kind": ["adult", "vehicle"]}).json()
    assert {n["kind"] for n in kinds["nodes"]} == {"adult", "vehicle"}
    doc = page(analyst.get("/networks/table/", {"kind": ["adult", "vehicle"]}))
    assert doc.select_one("#kind-adult").has_attr("checked")
    assert not doc.select_one("#kind-child").has_attr("checked")
    csv_link = doc.select_one('a[href^="/networks/links.csv"]')
    assert csv_link["href"] == "/networks/links.csv?kind=adult&kind=vehicle"


def test_a_bad_filter_is_named_at_its_field(analyst: Client) -> None:
    response = analyst.get("/networks/", {"since": "yesterday", "agency": "nobody"})
    assert response.status_code == 400
    doc = page(response)
    assert "Enter the first day as a date" in doc.select_one("#since-error").get_text()
    assert "Choose an agency" in doc.select_one("#agency-error").get_text()
    backwards = page(analyst.get("/networks/", {"since": "2026-09-01", "until": "2026-01-01"}))
    assert "on or after the first" in backwards.select_one("#until-error").get_text()


def test_the_csv_has_every_link_with_its_evidence(analyst: Client, world: NetworkWorld) -> None:
    response = analyst.get("/networks/links.csv")
    assert response["Content-Disposition"] == 'attachment; filename="network-links.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 16
    strongest = rows[0]
    assert int(strongest["independent_reporters"]) >= 1
    adult_car = next(r for r in rows if {r["from_kind"], r["to_kind"]} == {"Adult", "Vehicle"})
    assert adult_car["reports"] == "4" and adult_car["independent_reporters"] == "3"
    assert len(adult_car["concerns"].split()) == 4
    assert {f"concern:{c}" for c in world.concern_ids[:4]} <= _viewed("network export (CSV)")


def test_the_pdf_is_a_chart_for_the_strategy_meeting(analyst: Client) -> None:
    response = analyst.get("/networks/chart.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert _viewed("network export (PDF)")


def test_an_empty_partnership_says_so(client: Client) -> None:
    from tests.factories import make_agency

    client.force_login(make_user(make_agency(sector="partnership"), role="analyst"))
    doc = page(client.get("/networks/"))
    assert "0 entities" in doc.select_one("#network-summary").get_text()
    assert doc.select_one("#network-graph") is None
    assert client.get("/networks/graph.json").json()["nodes"] == []
