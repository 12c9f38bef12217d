"""A practitioner and members of the public use Tocsin in a real browser; axe-core checks
every page they see for accessibility (no serious or critical violations)."""

from __future__ import annotations

import re
from typing import Any

from tests.functional.browser.conftest import PASSWORD, AxeReport, pytestmark
from tocsin.domain.language import check_text, default_phrase_table
from tocsin.domain.screening import default_scheme

__all__ = ["pytestmark"]


def sign_in(page: Any, axe: AxeReport, username: str = "practitioner") -> None:
    page.goto("/")
    axe.check(page, "start")
    page.get_by_role("link", name="Sign in").click()
    axe.check(page, "sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def test_a_practitioner_records_a_concern_and_finds_it_again(page: Any, axe: AxeReport) -> None:
    sign_in(page, axe)
    page.get_by_role("link", name="Record a concern").first.click()

    # Continuing without a child shows the error summary, focused, linking to the field.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    axe.check(page, "question: children (with errors)")

    page.get_by_label("First name").fill("Maja")
    page.get_by_label("Last name").fill("Testowa")
    page.locator("#children-0-date_of_birth-day").fill("30")
    page.locator("#children-0-date_of_birth-month").fill("2")
    page.locator("#children-0-date_of_birth-year").fill("2012")
    page.get_by_role("button", name="Continue").click()
    # 30 February: the date is refused, inline, and what was typed stays.
    page.locator("#children-0-date_of_birth-day-error").wait_for()
    assert page.get_by_label("First name").input_value() == "Maja"
    page.locator("#children-0-date_of_birth-day").fill("3")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="What happened, when and where?").wait_for()
    page.get_by_label("What happened").fill(
        # Flagged wording comes from the phrase table, its one home.
        default_phrase_table().phrase("putting-self-at-risk").examples[0]
        + " Adults in a grey car collect her after school."
    )
    page.get_by_label("Where it happened").fill("Outside the school gates")
    axe.check(page, "question: what happened")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Are there people of concern?").wait_for()
    page.get_by_label("Nicknames").fill("Big J")
    page.get_by_label("Ethnicity, as described").select_option("REFU")
    axe.check(page, "question: persons")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Registration").fill("ZX12 ABC")
    axe.check(page, "question: vehicles")
    page.get_by_role("button", name="Continue").click()
    axe.check(page, "question: phones")
    page.get_by_role("button", name="Continue").click()
    axe.check(page, "question: places")
    page.get_by_role("button", name="Continue").click()

    indicator = default_scheme().indicators[0]
    page.locator(f"#indicator-{indicator.id}").check()
    page.locator(f"#seen-{indicator.id}-day").fill("1")
    page.locator(f"#seen-{indicator.id}-month").fill("2")
    page.locator(f"#seen-{indicator.id}-year").fill("2025")
    axe.check(page, "question: indicators")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Child sexual exploitation (11A)").check()
    axe.check(page, "question: Children in Need factors")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Check your answers before recording the concern").wait_for()
    assert "Maja Testowa" in page.locator("main").inner_text()
    flagged = check_text(default_phrase_table().phrase("putting-self-at-risk").examples[0])
    assert flagged[0].matched in page.locator(".tocsin-language mark").first.inner_text()
    axe.check(page, "check your answers")
    page.get_by_role("button", name="Record the concern").click()

    panel = page.locator(".govuk-panel--confirmation")
    panel.wait_for()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"TOC-\w{4}-\w{4}", reference)
    axe.check(page, "concern recorded")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the receipt").click()
    assert download.value.suggested_filename == f"tocsin-receipt-{reference}.txt"

    page.get_by_role("link", name="Your recent concerns").first.click()
    axe.check(page, "your recent concerns")
    page.get_by_role("link", name=reference).click()
    page.locator("h1#reference").wait_for()
    assert page.locator("h1#reference").inner_text() == reference
    assert indicator.label in page.locator(".tocsin-screening").inner_text()
    axe.check(page, "concern page")
    page.get_by_role("link", name="Maja Testowa", exact=True).click()
    axe.check(page, "child page")
    page.locator("#concerns").get_by_role("link", name=reference).click()
    page.get_by_role("link", name=re.compile("Change the band")).click()
    page.get_by_role("button", name="Change the band").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "regrade (with errors)")


def _report(page: Any, axe: AxeReport, lang: str, send: str, label: str) -> str:
    page.goto(f"/report/{lang}/")
    axe.check(page, f"public report ({label})")
    page.locator("#child_name").fill("Ola")
    page.locator("#narrative").fill("A man in a car gives the child gifts and phones her at night.")
    page.locator("#vehicle").fill("ZX12")
    page.get_by_role("button", name=send).click()
    code = page.locator("#follow-up-code")
    code.wait_for()
    axe.check(page, f"public report sent ({label})")
    return code.inner_text()


def _follow_up(page: Any, axe: AxeReport, lang: str, code: str, add: str, label: str) -> None:
    page.goto(f"/report/{lang}/follow-up/")
    page.locator("#code").fill("WRONGCODE1234567")
    page.locator("#information").fill("He came back today.")
    page.get_by_role("button", name=add).click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, f"public follow-up with a wrong code ({label})")
    page.locator("#code").fill(code)
    page.get_by_role("button", name=add).click()
    page.locator(".govuk-panel--confirmation").wait_for()
    axe.check(page, f"public follow-up added ({label})")


def test_a_member_of_the_public_reports_in_english_and_follows_up(
    page: Any, axe: AxeReport
) -> None:
    code = _report(page, axe, "en", "Send the report", "English")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    _follow_up(page, axe, "en", code, "Add the information", "English")


def test_a_member_of_the_public_reports_in_urdu_and_follows_up(page: Any, axe: AxeReport) -> None:
    code = _report(page, axe, "ur", "رپورٹ بھیجیں", "Urdu")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ur", "rtl")
    # Right to left for the page; the code itself stays left to right.
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    assert page.locator("#follow-up-code").get_attribute("dir") == "ltr"
    _follow_up(page, axe, "ur", code, "معلومات شامل کریں", "Urdu")


def test_the_polish_pages_pass_axe(page: Any, axe: AxeReport) -> None:
    page.goto("/report/pl/")
    axe.check(page, "public report (Polish)")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "public report with errors (Polish)")
    page.goto("/report/pl/follow-up/")
    axe.check(page, "public follow-up (Polish)")


def test_police_officers_grade_intelligence(page: Any, axe: AxeReport) -> None:
    sign_in(page, axe, "officer")
    page.goto("/concerns/new/")
    page.goto("/concerns/new/grading/")
    page.locator("#grading-source").check()
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "question: grading (with errors)")


def test_too_many_reports_from_one_visitor_are_refused_kindly(page: Any, axe: AxeReport) -> None:
    # Only reports that could be recorded count against a visitor: five in an hour, then the
    # kind refusal. (Mistakes are counted apart and lead to a challenge, never a refusal.)
    for attempt in range(6):
        page.goto("/report/en/")
        page.locator("#child_name").fill("Ola")
        page.locator("#narrative").fill("A man in a car waits for the child after school.")
        page.get_by_role("button", name="Send the report").click()
        if attempt < 5:
            page.locator("#reference").wait_for()
    page.get_by_role("heading", name="Too many attempts").wait_for()
    axe.check(page, "public: too many attempts")
