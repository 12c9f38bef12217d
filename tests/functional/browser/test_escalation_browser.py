"""Escalation in a real browser: a concern nobody decides climbs the ladder (the clocks swept
three weeks on); its team manager finds it in "Escalated to you" and the caseloads page; the
partnership's scrutineer finds it at level 3 on the oversight view and closes it, first without
a reason (refused) and then with one. axe-core checks every new page; screenshots are kept for
a person to look at ($TOCSIN_SCREENSHOTS)."""

from __future__ import annotations

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

__all__ = ["pytestmark", "shots"]


@pytest.fixture(scope="module")
def escalated(server: Server) -> dict[str, Any]:
    return build_world(server, "_oversight_world", {"OVERSIGHT_PASSWORD": PASSWORD}, timeout=180)


def test_an_ignored_concern_reaches_the_partnership_which_closes_it_with_a_reason(
    page: Any, axe: AxeReport, escalated: dict[str, Any], shots: Path
) -> None:
    reference = escalated["reference"]
    page.set_viewport_size({"width": 1280, "height": 900})

    # The team manager: the concern is escalated to them (level 1), with its deadline.
    sign_in_as(page, "sd-team-manager")
    page.get_by_role("link", name="Escalated to you").click()
    page.get_by_role("heading", name="Escalated to you").wait_for()
    row = page.locator("#tray tbody tr").filter(has_text=reference)
    assert row.count() == 1
    assert "Decide the next step on a concern" in row.inner_text()
    assert "level 1" in row.inner_text()
    axe.check(page, "escalated to you")
    page.screenshot(path=str(shots / "escalated-to-you.png"), full_page=True)

    page.get_by_role("link", name="Overdue").first.click()
    page.get_by_role("heading", name="Overdue").wait_for()
    axe.check(page, "overdue tray")
    page.screenshot(path=str(shots / "overdue.png"), full_page=True)

    page.get_by_role("link", name="Caseloads").click()
    page.get_by_role("heading", name="Caseloads and sign-off").wait_for()
    assert escalated["names"]["sd-practitioner"] in page.locator("#caseloads").inner_text()
    axe.check(page, "caseloads")
    page.screenshot(path=str(shots / "caseloads.png"), full_page=True)
    # The team manager has no oversight view.
    assert page.get_by_role("link", name="Oversight").count() == 0
    assert page.goto("/oversight/").status == 403

    # The partnership's scrutineer: level 3, and the figures.
    sign_in_as(page, "sd-scrutineer")
    page.goto("/oversight/")
    page.get_by_role("heading", name="Oversight", exact=True).wait_for()
    open_rows = page.locator("#level-3-open tbody tr").filter(has_text=reference)
    assert open_rows.count() >= 1
    assert page.locator("#time-to-decision-chart svg[role=img]").count() == 1
    axe.check(page, "oversight")
    page.screenshot(path=str(shots / "oversight.png"), full_page=True)

    open_rows.first.get_by_role("link", name="Close").click()
    page.get_by_role("heading", name="Close the escalation").wait_for()
    axe.check(page, "close escalation")
    page.get_by_role("button", name="Close the escalation").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Say why you close this escalation" in page.locator(".govuk-error-summary").inner_text()
    axe.check(page, "close escalation (error)")
    page.screenshot(path=str(shots / "close-escalation-error.png"), full_page=True)
    page.get_by_label("Why are you closing it?").fill(
        "Decided at the MACE panel on Tuesday; the panel's record holds the decision"
    )
    page.get_by_role("button", name="Close the escalation").click()
    page.get_by_text("The escalation is closed").wait_for()
    closed = page.locator("#level-3-closed tbody tr").filter(has_text=reference)
    assert closed.count() == 1
    assert "Decided at the MACE panel" in closed.inner_text()
    assert escalated["names"]["sd-scrutineer"] in closed.inner_text()
    page.screenshot(path=str(shots / "oversight-closed.png"), full_page=True)
