"""A child's picture in a real browser: a council worker adds a case note (the wording check
first), then the child known to a school, the police and the council is seen by each agency
(its own part, and what the others hold without what it says) and by the front door (all of
it). axe-core checks the note page and the chronology; screenshots are kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.browser.conftest import (
    PASSWORD,
    AxeReport,
    Server,
    build_world,
    pytestmark,
)
from tests.functional.browser.test_casework_browser import shots, sign_in_as
from tocsin.domain.language import check_text, default_phrase_table

__all__ = ["pytestmark", "shots"]


#: Wording the language check flags, from the phrase table (its one home), and what it marks.
FLAGGED = default_phrase_table().phrase("putting-self-at-risk").examples[0]
MARKED = check_text(FLAGGED)[0].matched


@pytest.fixture(scope="module")
def known_to_three(server: Server) -> dict[str, Any]:
    return build_world(server, "_chronology_world", {"CASEWORK_PASSWORD": PASSWORD})


def test_adding_a_case_note(
    page: Any, axe: AxeReport, known_to_three: dict[str, Any], shots: Any
) -> None:
    concern = known_to_three["concerns"]["ch-council"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, "ch-council")
    page.goto(f"/concerns/{concern['id']}/")
    page.get_by_role("link", name="Add a case note").click()
    page.get_by_label("Case note").wait_for()
    axe.check(page, "case note")
    note = page.get_by_label("Case note")
    note.fill(FLAGGED)
    page.get_by_role("button", name="Save the note").click()
    # Checked before it is saved: the flagged words, the suggestion, the text kept.
    page.locator("#wording-check").wait_for()
    assert page.locator("mark.tocsin-flagged").inner_text() == MARKED
    page.screenshot(path=str(shots / "note-wording-check.png"), full_page=True)
    note.fill("Her mother says adults at the takeaway give her lifts and money.")
    page.get_by_role("button", name="Save the note as it is now").click()
    page.get_by_text("Your case note is added").wait_for()
    notes = page.locator(".tocsin-note")
    assert "adults at the takeaway give her lifts" in notes.last.inner_text()
    assert "Dee Okoro" in notes.last.inner_text()


@pytest.mark.parametrize("who", ["ch-school", "ch-police", "ch-council", "ch-mash"])
def test_the_chronology_of_a_child_known_to_three_agencies(
    page: Any, axe: AxeReport, known_to_three: dict[str, Any], shots: Any, who: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, who)
    page.goto(f"/children/{known_to_three['child_id']}/")
    page.get_by_role("heading", name="Maja Thornbury").wait_for()
    table = page.locator("#chronology").inner_text()
    narratives = known_to_three["narratives"]
    agencies = known_to_three["agencies"]
    if who == "ch-mash":
        for narrative in narratives.values():
            assert narrative in table
        assert page.locator("#held-elsewhere").count() == 0
        assert "Seen alone at home" in table and "Allocated to Dee Okoro" in table
    else:
        assert narratives[who] in table
        held = page.locator("#held-elsewhere").inner_text()
        for other, narrative in narratives.items():
            if other in (who, "ch-mash"):
                continue
            assert narrative not in page.content(), f"{who} was shown {other}'s concern"
            assert agencies[other] in held
        if who != "ch-council":
            assert "Dee Okoro" in held, "whom to ask about the council's concern"
    axe.check(page, f"chronology ({who})")
    page.screenshot(path=str(shots / f"chronology-{who}.png"), full_page=True)
    # The print version: the marking, no navigation.
    page.get_by_role("link", name="Print the chronology").click()
    page.get_by_text("OFFICIAL-SENSITIVE").wait_for()
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    page.screenshot(path=str(shots / f"chronology-print-{who}.png"), full_page=True)
    page.emulate_media(media="screen")


def test_a_public_reporter_learns_the_outcome_in_urdu(
    page: Any, axe: AxeReport, known_to_three: dict[str, Any], shots: Any
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    page.goto("/report/ur/")
    page.locator("#child_name").fill("Ola")
    page.locator("#narrative").fill("A man in a car gives the child gifts and phones her at night.")
    page.get_by_role("button", name="رپورٹ بھیجیں").click()
    code = page.locator("#follow-up-code").inner_text()
    reference = page.locator("#reference").inner_text()

    # The front door finds the report, records a visit and then the outcome.
    sign_in_as(page, "ch-mash")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Record contact").click()
    page.get_by_label("A parent or carer").check()
    page.get_by_label("How?").select_option("phone")
    page.locator("#happened_on-day").fill("1")
    page.locator("#happened_on-month").fill("12")
    page.locator("#happened_on-year").fill("2026")
    page.locator("#made").check()
    page.get_by_label("What happened").fill("Spoke to her father, who had seen the car too.")
    axe.check(page, "record contact")
    page.get_by_role("button", name="Record the contact").click()
    page.get_by_text("The contact is recorded").wait_for()
    page.get_by_role("link", name="Record the outcome").click()
    page.get_by_label("Police action (investigation, arrest or disruption)").check()
    page.get_by_label("Summary for professionals").fill("The car's owner was arrested.")
    axe.check(page, "record the outcome")
    page.screenshot(path=str(shots / "outcome-form.png"), full_page=True)
    page.get_by_role("button", name="Record the outcome").click()
    banner = page.locator("#outcome")
    banner.wait_for()
    assert "“The police are taking action.”" in banner.inner_text()
    assert "Spoke to her father" in page.locator("#contacts").inner_text()
    page.screenshot(path=str(shots / "concern-with-outcome.png"), full_page=True)

    # The reporter, with only the code, reads the outcome in Urdu and nothing more.
    page.context.clear_cookies()
    page.goto("/report/ur/progress/")
    axe.check(page, "report progress (Urdu)")
    page.locator("#code").fill(code)
    page.get_by_role("button", name="معلوم کریں").click()
    told = page.locator("#progress")
    told.wait_for()
    assert told.inner_text() == "پولیس کارروائی کر رہی ہے۔"
    assert "arrested" not in page.content()
    axe.check(page, "report progress told (Urdu)")
    page.screenshot(path=str(shots / "progress-ur.png"), full_page=True)
