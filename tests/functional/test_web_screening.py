"""Screening where it was missing (issue 12), through the pages: the front door screens a
public report, checking the result before recording it; indicators seen too long ago say why
they scored nothing, before recording and after; the child's band across all concerns."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_draft, make_partnership, make_user
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.domain.screening import months_before, scheme
from tocsin.server.concerns.actions import PUBLIC, do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.ledger.models import LedgerLeaf

pytestmark = pytest.mark.django_db

SIGNIFICANT = [i for i in scheme().indicators if i.group == "significant"]


def page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def public_report(**overrides: Any) -> Concern:
    return do_record_concern(make_draft(channel="public", **overrides), actor=PUBLIC).concern


def ticked(*indicators: Any, on: Any) -> dict[str, Any]:
    """The indicator question's answers: each ticked, last seen on the day ``on``."""
    answers: dict[str, Any] = {"indicator": [i.id for i in indicators]}
    for indicator in indicators:
        answers |= {
            f"seen-{indicator.id}-day": str(on.day),
            f"seen-{indicator.id}-month": str(on.month),
            f"seen-{indicator.id}-year": str(on.year),
        }
    return answers


def test_the_front_door_screens_a_public_report_and_old_indicators_say_why(
    client: Client,
) -> None:
    p = make_partnership()
    officer = make_user(p.council, role="mash_officer")
    client.force_login(officer)
    report = public_report()
    child = report.child_links.get().child

    concern_page = page(client.get(f"/concerns/{report.pk}/"))
    link = concern_page.select_one("#screen-links a")
    assert link.get_text(strip=True) == "Screen this child"
    url = f"/concerns/{report.pk}/screen/"
    assert link["href"] == f"{url}?child={child.pk}"
    form = page(client.get(link["href"]))
    assert form.select_one("h1").get_text() == f"Screen {child}"
    assert len(form.select("input[name=indicator]")) == len(scheme().indicators)
    assert form.select_one("input[name=child]")["value"] == str(child.pk)

    # Nothing ticked: one problem, at the indicators.
    empty = client.post(url, {"child": str(child.pk), "action": "check"})
    assert empty.status_code == 400
    assert [a["href"] for a in page(empty).select(".govuk-error-summary__list a")] == [
        "#indicators"
    ]

    # Five significant indicators last seen 13 months ago: "Not at risk", and it says why.
    long_ago = months_before(timezone.localdate(), 13)
    answers = {"child": str(child.pk), **ticked(*SIGNIFICANT[:5], on=long_ago)}
    check = client.post(url, {**answers, "action": "check"})
    assert check.status_code == 200
    html = page(check)
    assert html.select_one("h1").get_text() == "Check the screening before recording it"
    assert html.select_one("#band").get_text() == "Not at risk"
    notice = html.select_one("#stale").get_text(" ", strip=True)
    assert "5 indicators were seen too long ago to count towards the band" in notice
    assert "change their dates to the day each was last seen" in notice
    rows = html.select("#indicators-checked tbody tr")
    assert len(rows) == 5
    assert rows[0].select("td")[2].get_text() == (
        "Seen 13 months before the screening, outside the 12-month window: scored 0"
    )
    assert not LedgerLeaf.objects.filter(kind="child.screened").exists()  # only checked

    # "Change the answers" keeps them.
    change = page(client.post(url, {**answers, "action": "change"}))
    assert change.select_one(f"#indicator-{SIGNIFICANT[0].id}").has_attr("checked")
    assert change.select_one(f"#seen-{SIGNIFICANT[0].id}-year")["value"] == str(long_ago.year)

    hidden = {i["name"] for i in html.select("form input[type=hidden]")}
    assert {"child", "indicator", f"seen-{SIGNIFICANT[0].id}-day"} <= hidden
    recorded = client.post(url, {**answers, "action": "record"})
    assert recorded.status_code == 302
    assert recorded["Location"] == f"/concerns/{report.pk}/?done=screened#risk-screening"
    assert LedgerLeaf.objects.filter(kind="child.screened").count() == 1

    after = page(client.get(recorded["Location"]))
    assert "The screening is recorded" in after.select_one("#done-title").parent.parent.get_text()
    screening = report.screenings.get()
    notice = after.select_one(f"#stale-{screening.pk}").get_text(" ", strip=True)
    assert "5 indicators were seen too long ago" in notice
    assert "screen again with the date they were last seen" in notice
    assert (
        "outside the 12-month window: scored 0"
        in after.select_one(".tocsin-screening table").get_text()
    )
    assert after.select_one("#screen-links a").get_text(strip=True) == "Screen again"

    # Screened again with recent dates, the case's band on the front door moves.
    recent = timezone.localdate()
    client.post(
        url, {"child": str(child.pk), **ticked(*SIGNIFICANT[:3], on=recent), "action": "record"}
    )
    tray = page(client.get("/queue/front-door/")).select_one("#tray").get_text()
    assert report.reference in tray and "Moderate risk" in tray


def test_screening_a_concern_out_of_reach_is_refused_and_writes_nothing(client: Client) -> None:
    p = make_partnership()
    report = public_report()
    theirs = do_record_concern(make_draft(), actor=p.practitioner).concern
    child = report.child_links.get().child
    answers = {"child": str(child.pk), **ticked(SIGNIFICANT[0], on=timezone.localdate())}
    officer = make_user(p.police, role="police_officer")
    scrutineer = make_user(p.council, role="partnership_scrutineer")
    writes = LedgerLeaf.objects.exclude(kind="record.viewed")
    before = writes.count()
    client.force_login(officer)
    for concern in (report, theirs):  # a public report reaches the front door only
        assert client.get(f"/concerns/{concern.pk}/screen/").status_code == 404
        refused = client.post(f"/concerns/{concern.pk}/screen/", {**answers, "action": "record"})
        assert refused.status_code == 404
    client.force_login(scrutineer)
    assert client.get(f"/concerns/{report.pk}/screen/").status_code == 403
    assert (
        client.post(f"/concerns/{report.pk}/screen/", {**answers, "action": "record"}).status_code
        == 403
    )
    scrutiny = page(client.get(f"/concerns/{report.pk}/"))
    assert scrutiny.select_one("#screen-links") is None
    assert writes.count() == before


def test_a_concern_about_several_children_asks_which(client: Client) -> None:
    p = make_partnership()
    client.force_login(p.practitioner)
    concern = do_record_concern(
        make_draft(children=[ChildDraft(given_name="Amara"), ChildDraft(given_name="Bilal")]),
        actor=p.practitioner,
    ).concern
    url = f"/concerns/{concern.pk}/screen/"
    html = page(client.get(url))
    assert html.select_one("h1").get_text() == "Screen a child"
    assert len(html.select("input[name=child]")) == 2
    answers = ticked(SIGNIFICANT[0], on=timezone.localdate())
    missing = client.post(url, {**answers, "action": "check"})
    assert missing.status_code == 400
    assert [a["href"] for a in page(missing).select(".govuk-error-summary__list a")] == ["#child"]
    bilal = next(
        link.child for link in concern.child_links.all() if link.child.given_name == "Bilal"
    )
    done = client.post(url, {**answers, "child": str(bilal.pk), "action": "record"})
    assert done.status_code == 302
    assert concern.screenings.get().child_id == bilal.pk
    links = [
        a.get_text(strip=True)
        for a in page(client.get(f"/concerns/{concern.pk}/")).select("#screen-links a")
    ]
    assert sorted(links) == ["Screen Amara", "Screen Bilal again"]


def test_check_your_answers_says_which_indicators_are_too_old_to_count(client: Client) -> None:
    p = make_partnership()
    client.force_login(p.practitioner)
    client.get("/concerns/new/")
    client.post(
        "/concerns/new/children/",
        {"children-count": "1", "children-0-given_name": "Zofia", "action": "continue"},
    )
    long_ago = months_before(timezone.localdate(), 13)
    response = client.post("/concerns/new/indicators/", ticked(*SIGNIFICANT[:2], on=long_ago))
    assert response.status_code == 302
    check = page(client.get("/concerns/new/check/"))
    assert "Not at risk" in check.select_one("#preview-band").get_text()
    notice = check.select_one("#stale").get_text(" ", strip=True)
    assert "2 indicators were seen too long ago to count towards the band" in notice
    assert "change their dates" in notice
    assert (
        "outside the 12-month window: scored 0"
        in check.select_one("#preview-indicators").get_text()
    )


def test_the_child_page_shows_the_band_across_all_concerns(client: Client) -> None:
    p = make_partnership()
    officer = make_user(p.police, role="police_officer")
    child = ChildDraft(given_name="Amara", family_name="Okafor", nhs_number="9434765919")
    today = timezone.localdate()
    ours = do_record_concern(
        make_draft(children=[child], indicators=[IndicatorSeen(SIGNIFICANT[0].id, today)]),
        actor=p.practitioner,
    ).concern
    do_record_concern(
        make_draft(children=[child], indicators=[IndicatorSeen(SIGNIFICANT[1].id, today)]),
        actor=officer,
    )
    client.force_login(p.practitioner)
    record = ours.child_links.get().child
    html = page(client.get(f"/children/{record.pk}/"))
    row = html.select_one("#band-across-concerns").get_text(" ", strip=True)
    assert "Mild risk" in row  # 5 + 5 from two agencies, though each concern alone is 5
    assert "as of" in row and str(today.year) in row
    assert "scored together as of the newest screening" in row
    assert "It counts 1 concern you may not see." in row
    assert "Not at risk" in html.select_one("#concerns").get_text()
