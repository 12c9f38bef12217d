"""Recording gaps in a real browser (issue 12): a practitioner records a concern about a child
whose name nobody knows, and is prompted for the exploitation factors the indicators suggest;
a police officer records intelligence about a vehicle with no child yet, and the front door
sees it in its tray; a member of the public reports without the child's name. axe-core checks
every page; screenshots of the new and changed pages are kept for a person to look at
($TOCSIN_SCREENSHOTS)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.functional.browser.conftest import PASSWORD, AxeReport, Server, pytestmark

__all__ = ["pytestmark"]

BLAZER = "Girl about 14 in a Northfield Academy blazer, long dark plaits, pink phone case"


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $TOCSIN_SCREENSHOTS if set (to look at them), else a temp dir."""
    folder = os.environ.get("TOCSIN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def police_front_door(server: Server) -> str:
    """A MASH officer at the police, who works the police's front-door tray."""
    server.cli.run(
        "users", "create", "police-mash", "--name", "Alex Example", "--agency",
        "Northgate Police", "--role", "mash_officer", "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    return "police-mash"


def sign_in_as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def cont(page: Any) -> None:
    page.get_by_role("button", name="Continue").click()


def heading(page: Any, text: str) -> None:
    page.get_by_role("heading", name=text).wait_for()


def test_a_concern_about_a_child_whose_name_is_not_known(
    page: Any, axe: AxeReport, shots: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, "practitioner")
    page.goto("/concerns/new/")
    heading(page, "Which child or children is the concern about?")
    page.screenshot(path=str(shots / "gaps-children.png"), full_page=True)
    axe.check(page, "question: children, described or none known")

    page.get_by_label("What the child looks like").fill(BLAZER)
    page.get_by_label("Approximate age, if the date of birth is not known").fill("14")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("School or college").fill("Northfield Academy")
    cont(page)
    heading(page, "What happened, when and where?")
    page.get_by_label("What happened").fill(
        "She was seen getting into a black Audi outside the school with two adult men. She had "
        "a new phone and would not say who gave it to her."
    )
    cont(page)
    heading(page, "Are there people of concern?")
    cont(page)
    page.get_by_label("Make").fill("Audi")
    page.get_by_label("Colour").fill("Black")
    cont(page)
    cont(page)  # phones
    cont(page)  # places

    heading(page, "Which screening indicators have been seen?")
    for indicator in ("links_to_known_perpetrators", "gifts_or_money_from_unknown_adults"):
        page.locator(f"#indicator-{indicator}").check()
        page.locator(f"#seen-{indicator}-day").fill("1")
        page.locator(f"#seen-{indicator}-month").fill("11")
        page.locator(f"#seen-{indicator}-year").fill("2026")
    cont(page)

    # The indicators suggest 11A and 24A: the page asks, and ticks neither.
    heading(page, "Which Children in Need factors are relevant?")
    prompt = page.locator("#cin-prompts")
    assert prompt.is_visible()
    assert [item.get_attribute("id") for item in prompt.locator("li").all()] == [
        "prompt-11A",
        "prompt-24A",
    ]
    assert not page.locator("#cin-11A").is_checked()
    assert not page.locator("#cin-24A").is_checked()
    page.screenshot(path=str(shots / "gaps-cin-prompt.png"), full_page=True)
    axe.check(page, "question: Children in Need factors, with the prompt")
    prompt.get_by_role("link", name="Child sexual exploitation (11A)").click()
    assert page.evaluate("location.hash") == "#cin-11A"
    page.locator("#cin-11A").check()
    cont(page)

    heading(page, "Check your answers before recording the concern")
    main = page.locator("main").inner_text()
    assert "Unnamed child (about 14, Northfield Academy" in main
    assert BLAZER in main
    assert "Black Audi, registration not known" in main
    assert "child criminal exploitation (24A)" in page.locator("#cin-prompts").inner_text()
    page.screenshot(path=str(shots / "gaps-check-answers-unnamed-child.png"), full_page=True)
    axe.check(page, "check your answers: an unnamed child")
    page.get_by_role("button", name="Record the concern").click()
    page.locator(".govuk-panel--confirmation").wait_for()
    page.get_by_role("link", name="View the concern").click()
    page.locator("h1#reference").wait_for()
    children = page.locator("#children").inner_text()
    assert "Unnamed child (about 14, Northfield Academy" in children
    assert "Black Audi, registration not known" in page.locator("#intelligence").inner_text()
    page.screenshot(path=str(shots / "gaps-concern-unnamed-child.png"), full_page=True)
    axe.check(page, "concern page: an unnamed child")
    page.locator("#children a").click()
    page.locator("#description").wait_for()
    assert page.locator("#description").inner_text() == BLAZER
    page.screenshot(path=str(shots / "gaps-child-unnamed.png"), full_page=True)
    axe.check(page, "child page: an unnamed child")


def test_intelligence_about_a_vehicle_alone(
    page: Any, axe: AxeReport, shots: Path, police_front_door: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, "officer")
    page.goto("/concerns/new/")
    heading(page, "Which child or children is the concern about?")
    # Neither a child nor "no child": the page says what to do, and links to the question.
    cont(page)
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "No child is known yet" in summary.inner_text()
    page.get_by_label("No child is known yet").check()
    page.screenshot(path=str(shots / "gaps-children-none-known.png"), full_page=True)
    axe.check(page, "question: children, none known yet")
    cont(page)

    heading(page, "What happened, when and where?")
    page.get_by_label("What happened").fill(
        "Intelligence: a black Audi is seen most evenings outside the children's home on Mill "
        "Lane. Two men in it call girls over to the car. No child has been identified yet."
    )
    page.get_by_label("Where it happened").fill("Mill Lane")
    cont(page)
    heading(page, "Are there people of concern?")
    cont(page)
    heading(page, "Are there vehicles involved?")
    page.get_by_label("Make").fill("Audi")
    page.get_by_label("Colour").fill("Black")
    axe.check(page, "question: vehicles, make and colour only")
    cont(page)
    heading(page, "Are there phone numbers involved?")
    cont(page)
    heading(page, "Are there places involved?")
    cont(page)
    # No child, so no screening: the next question is the grading.
    heading(page, "Intelligence grading (3x5x2)")
    assert "question 7 of 7" in page.locator(".govuk-caption-l").inner_text()
    page.locator("#grading-source").check()
    page.locator("#grading-intelligence").check()
    page.locator("#grading-handling").check()
    cont(page)

    heading(page, "Check your answers before recording the concern")
    main = page.locator("main").inner_text()
    assert "No child is known yet" in main
    assert "Black Audi, registration not known" in main
    assert "no one to screen" in main
    page.screenshot(path=str(shots / "gaps-check-answers-vehicle-alone.png"), full_page=True)
    axe.check(page, "check your answers: intelligence about a vehicle")
    page.get_by_role("button", name="Record the concern").click()
    page.locator(".govuk-panel--confirmation").wait_for()
    reference = page.locator("#reference").inner_text()
    page.get_by_role("link", name="View the concern").click()
    page.locator("h1#reference").wait_for()
    assert (
        page.locator("#children")
        .inner_text()
        .startswith("No child named yet: intelligence about 1 vehicle.")
    )
    assert "Black Audi, registration not known" in page.locator("#intelligence").inner_text()
    page.screenshot(path=str(shots / "gaps-concern-vehicle-alone.png"), full_page=True)
    axe.check(page, "concern page: intelligence about a vehicle")

    # The police's front door finds it at the top of its tray, newest first (other tests share
    # this server, so the tray holds more than a page), and what it is about.
    sign_in_as(page, police_front_door)
    page.goto("/queue/front-door/?sort=newest")
    row = page.locator("#tray tbody tr").filter(has_text=reference)
    assert "No child named yet: intelligence about 1 vehicle" in row.inner_text()
    page.screenshot(path=str(shots / "gaps-tray-vehicle-alone.png"), full_page=True)
    axe.check(page, "front door tray: intelligence about a vehicle")


@pytest.mark.parametrize(("lang", "send"), [("en", "Send the report"), ("ur", "رپورٹ بھیجیں")])
def test_a_member_of_the_public_reports_without_the_childs_name(
    page: Any, axe: AxeReport, shots: Path, lang: str, send: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/report/{lang}/")
    page.locator("#child_description").fill(BLAZER)
    page.locator("#child_school").fill("Northfield Academy")
    page.locator("#narrative").fill("A man in a black car gives her lifts and presents.")
    page.locator("#vehicle_make").fill("Black Audi")
    page.screenshot(path=str(shots / f"gaps-public-report-{lang}.png"), full_page=True)
    axe.check(page, f"public report, child described ({lang})")
    page.get_by_role("button", name=send).click()
    page.locator("#follow-up-code").wait_for()
    axe.check(page, f"public report sent, child described ({lang})")
