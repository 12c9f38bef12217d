"""Estimates of the hidden number through the pages (test client): who may use them, the form's
errors, the result with its UpSet chart, the list of estimates, the CSV and the receipt."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_user
from tests.factories.estimates import BEFORE, FROM, TODAY, ListsWorld, make_lists_world
from tocsin.intel.estimate import estimate, read_capture_csv
from tocsin.server.intel.actions import ESTIMATE_ROLES, do_produce_estimate
from tocsin.server.intel.models import EstimateRun
from tocsin.server.ledger.recording import reading_ledger

pytestmark = pytest.mark.django_db


def page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def period(start: date, end: date) -> dict[str, str]:
    return {
        "period_from-day": str(start.day),
        "period_from-month": str(start.month),
        "period_from-year": str(start.year),
        "period_to-day": str(end.day),
        "period_to-month": str(end.month),
        "period_to-year": str(end.year),
    }


def form(**changes: str) -> dict[str, str]:
    values = {
        **period(FROM, TODAY),
        "method": "stepwise",
        "grouping": "agency",
        "bootstrap": "40",
        "seed": "1234",
        "merge_below": "0",
    }
    values.update(changes)
    return values


@pytest.fixture
def world() -> ListsWorld:
    return make_lists_world()


@pytest.fixture
def analyst(client: Client, world: ListsWorld) -> Client:
    client.force_login(world.analyst)
    return client


def test_sign_in_is_required(client: Client) -> None:
    for path in ("/estimates/", "/estimates/new/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", sorted(ESTIMATE_ROLES))
def test_the_estimate_roles_see_the_pages_and_the_links(
    client: Client, world: ListsWorld, role: str
) -> None:
    client.force_login(make_user(world.police, role=role))
    assert client.get("/estimates/new/").status_code == 200
    listing = page(client.get("/estimates/"))
    assert listing.select_one("a.govuk-service-navigation__link[href='/estimates/']")
    # Signed in, "/" is the person's work; the page about Tocsin stays at /?about.
    start = page(client.get("/?about"))
    assert start.select_one("main a[href='/estimates/new/']") is not None


@pytest.mark.parametrize(
    "role", ["practitioner", "team_manager", "police_officer", "administrator"]
)
def test_everyone_else_is_refused_like_elsewhere_and_sees_no_link(
    client: Client, world: ListsWorld, role: str
) -> None:
    run = do_produce_estimate(FROM, TODAY, bootstrap=0, actor=world.analyst)
    user = make_user(world.police, role=role)
    client.force_login(user)
    paths = ["/estimates/", "/estimates/new/", f"/estimates/{run.pk}/"]
    paths += [f"/estimates/{run.pk}/capture-table.csv", f"/estimates/{run.pk}/receipt/"]
    for path in paths:
        assert client.get(path).status_code == 403
    size = reading_ledger().size()
    assert client.post("/estimates/new/", form()).status_code == 403
    assert reading_ledger().size() == size
    assert page(client.get("/")).select_one("a[href='/estimates/']") is None


def test_the_form_suggests_the_span_of_the_concerns(analyst: Client) -> None:
    html = page(analyst.get("/estimates/new/"))
    assert html.select_one("#period_from-year")["value"] == str(BEFORE.year)
    assert html.select_one("#period_from-day")["value"] == str(BEFORE.day)
    assert html.select_one("#method")["checked"] is not None  # stepwise, the default
    assert html.select_one("#bootstrap")["value"] == "200"
    assert html.select_one("#seed")["value"] == "1234"
    for field in ("bootstrap", "seed", "merge_below"):
        assert html.select_one(f"label[for='{field}']") is not None


@pytest.mark.parametrize(
    ("changes", "links"),
    [
        (
            {"period_from-day": "", "period_from-month": "", "period_from-year": ""},
            ["#period_from-day"],
        ),
        ({"period_to-day": "31", "period_to-month": "2"}, ["#period_to-day"]),
        (period(TODAY, FROM), ["#period_to-day"]),
        ({"method": "guess"}, ["#method"]),
        ({"grouping": "region"}, ["#grouping"]),
        ({"bootstrap": "lots"}, ["#bootstrap"]),
        ({"bootstrap": "5000"}, ["#bootstrap"]),
        ({"seed": "-1"}, ["#seed"]),
        ({"merge_below": "1.5"}, ["#merge_below"]),
    ],
)
def test_bad_answers_are_shown_in_the_error_summary_and_nothing_is_recorded(
    analyst: Client, changes: dict[str, str], links: list[str]
) -> None:
    size = reading_ledger().size()
    response = analyst.post("/estimates/new/", form(**changes))
    assert response.status_code == 400
    html = page(response)
    assert html.select_one("title").get_text().startswith("Error:")
    assert [a["href"] for a in html.select(".govuk-error-summary__list a")] == links
    assert html.select_one(f"{links[0]}-error, {links[0].removesuffix('-day')}-error") is not None
    assert reading_ledger().size() == size
    assert not EstimateRun.objects.exists()


def test_lists_the_engine_cannot_use_show_its_message_and_record_nothing(
    analyst: Client,
) -> None:
    size = reading_ledger().size()
    # Only the council has a child on the day before the period.
    response = analyst.post("/estimates/new/", form(**period(BEFORE, BEFORE)))
    assert response.status_code == 400
    summary = page(response).select_one(".govuk-error-summary")
    assert "Only one list (Northgate Council) has children in this period" in summary.get_text()
    # What was typed stays.
    assert page(response).select_one("#bootstrap")["value"] == "40"
    assert reading_ledger().size() == size


def test_an_estimate_is_recorded_and_shown_with_its_chart(
    analyst: Client, world: ListsWorld
) -> None:
    size = reading_ledger().size()
    response = analyst.post("/estimates/new/", form())
    assert response.status_code == 302
    run = EstimateRun.objects.get()
    assert response["Location"] == f"/estimates/{run.pk}/"
    assert run.produced_seq == size
    assert reading_ledger().size() == size + 1

    html = page(analyst.get(response["Location"]))
    result = run.result
    assert html.select_one("#observed").get_text() == "5"
    assert html.select_one("#estimate").get_text() == f"{result['estimate']:,.0f}"
    assert html.select_one("#dark-figure").get_text() == f"{result['dark_figure']:,.0f}"
    assert "BCa bootstrap" in html.select_one("#figures").get_text()
    assert "seed" in html.select_one("#settings").get_text()
    assert f"event {run.produced_seq}" in html.select_one(".govuk-caption-l").get_text()
    assert "estimate.produced" in html.select_one("#record").get_text()
    assert world.analyst.display_name in html.select_one("#record").get_text()
    assert (
        "1 report from the public in this period is left out"
        in html.select_one("#left-out").get_text()
    )
    caveats = html.select_one("#caveats").find_next("ul").get_text()
    for words in (
        "nobody came or went",
        "Missed matches make the hidden number bigger",
        "depends on the model",
        "hidden from every agency pull it down",
        "evidence of scale, not a count",
    ):
        assert words in caveats

    # The UpSet chart: one bar per capture history with its count, the dots of its lists,
    # the list sizes, and an accessible name, with the same numbers in a table.
    svg = html.select_one("#upset svg")
    assert svg["role"] == "img"
    assert svg.select_one("title").get_text() and svg.select_one("desc").get_text()
    bars = {bar["data-lists"]: int(bar["data-count"]) for bar in svg.select(".tocsin-upset-bar")}
    assert bars == {
        "Northgate Council|Northgate Police": 2,
        "Northgate Council|Northgate Youth Service": 1,
        "Northgate Police": 1,
        "Northgate Youth Service": 1,
    }
    assert len(svg.select(".tocsin-upset-on")) == 2 + 2 + 1 + 1
    assert [int(r["data-count"]) for r in svg.select(".tocsin-upset-size")] == [3, 3, 2]
    rows = [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in html.select("#combinations tbody tr")
    ]
    assert rows[0] == ["on both Northgate Council and Northgate Police", "2", "2"]
    assert ["on Northgate Police only", "1", "1"] in rows
    assert html.select_one("#combinations caption") is not None
    lists = [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in html.select("#lists tbody tr")
    ]
    assert lists[0] == ["Northgate Council", "Northgate Council", "3"]
    assert html.select_one("#upset-heading") is not None


def test_the_model_is_shown_in_words(analyst: Client) -> None:
    analyst.post("/estimates/new/", form(method="main", bootstrap="0"))
    run = EstimateRun.objects.get()
    html = page(analyst.get(f"/estimates/{run.pk}/"))
    assert "treated as independent" in html.select_one("#terms").get_text()
    assert "profile-likelihood" in html.select_one("#figures").get_text()
    assert "no bootstrap" in html.select_one("#settings").get_text()


def test_the_csv_reproduces_the_figure(analyst: Client) -> None:
    analyst.post("/estimates/new/", form(bootstrap="30", seed="99"))
    run = EstimateRun.objects.get()
    response = analyst.get(f"/estimates/{run.pk}/capture-table.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.splitlines()[0] == (
        "Northgate Council,Northgate Police,Northgate Youth Service,count"
    )
    table = read_capture_csv(io.StringIO(text))
    assert estimate(table, method="stepwise", bootstrap=30, seed=99).as_json() == run.result
    rerun = page(analyst.get(f"/estimates/{run.pk}/")).select_one("#rerun").get_text()
    assert "--method stepwise --bootstrap 30 --seed 99" in rerun


def test_the_receipt_proves_the_event(analyst: Client) -> None:
    analyst.post("/estimates/new/", form(bootstrap="0"))
    run = EstimateRun.objects.get()
    receipt = analyst.get(f"/estimates/{run.pk}/receipt/")
    assert receipt.content.decode().startswith("c2sp.org/tlog-proof@v1")
    assert f"index {run.produced_seq}" in receipt.content.decode()


def test_the_list_shows_every_estimate_newest_first(analyst: Client) -> None:
    analyst.post("/estimates/new/", form(method="main", bootstrap="0"))
    analyst.post("/estimates/new/", form(bootstrap="0"))
    html = page(analyst.get("/estimates/"))
    rows = html.select("#estimates tbody tr")
    assert [row.select("td")[4].get_text() for row in rows] == ["stepwise", "main"]
    newest = EstimateRun.objects.order_by("-produced_seq").first()
    assert rows[0].select_one("a")["href"] == f"/estimates/{newest.pk}/"
    assert html.select_one("#estimates caption") is not None


def test_an_unknown_estimate_is_404(analyst: Client) -> None:
    missing = "7c82ba73-9ed1-4fd4-83f3-2ba6f6c7c033"
    for suffix in ("", "capture-table.csv", "receipt/"):
        assert analyst.get(f"/estimates/{missing}/{suffix}").status_code == 404
