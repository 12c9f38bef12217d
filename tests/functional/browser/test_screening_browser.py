"""Screening a public report in a real browser (issue 12): the front door finds a report with no
indicators, screens the child, is told before recording that some indicators were seen too long
ago to count, corrects two dates, records it, and sees the band on the concern and in the tray;
the child page shows a band across all concerns; the concern form's check page warns about an
old indicator too. axe-core checks every new or changed page; screenshots are kept for a person
to look at ($TOCSIN_SCREENSHOTS)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
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
from tocsin.domain.screening import default_scheme, months_before

__all__ = ["pytestmark", "shots"]

SIGNIFICANT = [i for i in default_scheme().indicators if i.group == "significant"][:5]
STAYING_OUT = next(i for i in default_scheme().indicators if i.id == "staying_out_late")


@pytest.fixture(scope="module")
def screening_world(server: Server) -> dict[str, Any]:
    """A MASH officer, a public report without indicators, and a child screened by two
    agencies, made with the factories in the served database."""
    return build_world(server, "_screening_world", {"SCREENING_PASSWORD": PASSWORD})


def seen_on(page: Any, indicator: Any, day: date) -> None:
    """Tick ``indicator`` and give the day it was last seen (the date appears once ticked)."""
    page.locator(f"#indicator-{indicator.id}").check()
    page.locator(f"#seen-{indicator.id}-day").fill(str(day.day))
    page.locator(f"#seen-{indicator.id}-month").fill(str(day.month))
    page.locator(f"#seen-{indicator.id}-year").fill(str(day.year))


def test_the_front_door_screens_a_public_report(
    page: Any, axe: AxeReport, screening_world: dict[str, Any], shots: Path
) -> None:
    reference = screening_world["reference"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, screening_world["officer"])
    page.get_by_role("heading", name="Front door").wait_for()
    # Other tests share this server's front door: the public reports are one filter away.
    page.goto("/queue/front-door/?agency=public")
    row = page.locator("#tray tbody tr").filter(has_text=reference)
    assert "Not screened" in row.inner_text()

    # The report arrived with no indicators; the concern page offers to screen the child.
    row.get_by_role("link", name=reference).click()
    page.locator("h1#reference").wait_for()
    section = page.locator("#risk-screening + p")
    assert "No screening indicators" in section.inner_text()
    page.get_by_role("link", name="Screen this child").click()
    page.get_by_role("heading", name=f"Screen {screening_world['child']}").wait_for()
    page.screenshot(path=str(shots / "screen-form.png"), full_page=True)
    axe.check(page, "screen a child")

    # Continuing with nothing ticked: the error summary, focused, linking to the indicators.
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    assert "Tick at least one indicator" in page.locator(".govuk-error-summary").inner_text()
    axe.check(page, "screen a child (with errors)")

    # Five significant signs last seen 13 months ago, and staying out late last week.
    today = date.today()
    long_ago = months_before(today, 13)
    for indicator in SIGNIFICANT:
        seen_on(page, indicator, long_ago)
    seen_on(page, STAYING_OUT, today - timedelta(days=7))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check the screening before recording it").wait_for()
    assert page.locator("#band").inner_text() == "Not at risk"
    notice = page.locator("#stale")
    assert "5 indicators were seen too long ago to count towards the band" in notice.inner_text()
    assert "change their dates" in notice.inner_text()
    reasons = page.locator("#indicators-checked tbody tr td:nth-child(3)").all_inner_texts()
    assert (
        reasons.count("Seen 13 months before the screening, outside the 12-month window: scored 0")
        == 5
    )
    page.screenshot(path=str(shots / "screen-check-old-indicators.png"), full_page=True)
    axe.check(page, "check the screening (old indicators)")

    # Two of them are still happening: change their dates, check again, record.
    page.get_by_role("button", name="Change the answers").click()
    page.get_by_role("heading", name=f"Screen {screening_world['child']}").wait_for()
    assert page.locator(f"#indicator-{SIGNIFICANT[0].id}").is_checked()
    recent = today - timedelta(days=14)
    for indicator in SIGNIFICANT[:2]:
        seen_on(page, indicator, recent)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check the screening before recording it").wait_for()
    assert page.locator("#band").inner_text() == "Moderate risk"  # 5 + 5 + 1
    assert "3 indicators were seen too long ago" in page.locator("#stale").inner_text()
    page.get_by_role("button", name="Record the screening").click()

    # Back on the concern: the band, every indicator's reason, the notice to screen again.
    page.locator("#done-title").wait_for()
    assert "The screening is recorded" in page.locator(".govuk-notification-banner").inner_text()
    screening = page.locator(".tocsin-screening")
    assert "Moderate risk" in screening.locator(".tocsin-band").inner_text()
    stale = screening.locator(".tocsin-stale")
    assert "screen again with the date they were last seen" in stale.inner_text()
    assert "Moderate risk" in page.locator("#case-summary").inner_text()
    assert page.get_by_role("link", name="Screen again").count() == 1
    page.locator("#risk-screening").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "concern-screened.png"), full_page=True)
    axe.check(page, "concern (screened)")

    # The front door's tray carries the band.
    page.goto("/queue/front-door/?agency=public")
    row = page.locator("#tray tbody tr").filter(has_text=reference)
    assert "Moderate risk" in row.inner_text()
    page.screenshot(path=str(shots / "tray-front-door-screened.png"), full_page=True)

    # A child screened by a council and the police: one band across all their concerns.
    page.goto(f"/children/{screening_world['shared_child_id']}/")
    band = page.locator("#band-across-concerns")
    assert "Mild risk" in band.inner_text()  # 5 + 5, though each concern alone is 5
    assert "scored together as of the newest screening" in band.inner_text()
    page.screenshot(path=str(shots / "child-band-across-concerns.png"), full_page=True)
    axe.check(page, "child (band across concerns)")


def test_check_your_answers_warns_about_an_indicator_too_old_to_count(
    page: Any, axe: AxeReport, screening_world: dict[str, Any], shots: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, screening_world["officer"])
    page.goto("/concerns/new/")
    page.get_by_label("First name").fill("Nia")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="What happened, when and where?").wait_for()
    page.goto("/concerns/new/indicators/")
    seen_on(page, SIGNIFICANT[0], months_before(date.today(), 14))
    page.get_by_role("button", name="Continue").click()
    page.goto("/concerns/new/check/")
    notice = page.locator("#stale")
    assert "1 indicator was seen too long ago to count towards the band" in notice.inner_text()
    assert "change its date" in notice.inner_text()
    assert "Not at risk" in page.locator("#preview-band").inner_text()
    page.locator("#preview-band").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "concern-check-old-indicator.png"), full_page=True)
    axe.check(page, "check your answers (old indicator)")
