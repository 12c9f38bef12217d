"""Case work in a real browser: the front door allocates a concern, the practitioner proposes
no further action, nobody signs off their own proposal, and a team manager rejects it without a
reason (refused) and then approves it. axe-core checks the tray, decide and sign-off pages;
screenshots of them are kept for a person to look at."""

from __future__ import annotations

import os
import re
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

__all__ = ["pytestmark"]

RATIONALE = (
    "Spoke to the school and to her mother: the car belongs to her uncle, who collects her on "
    "Tuesdays; the messages were from a cousin. No exploitation indicators remain."
)


@pytest.fixture(scope="module")
def casework(server: Server) -> dict[str, Any]:
    """A council with a MASH team (officer, manager) and an exploitation team (practitioner,
    team manager), and a concern the practitioner recorded, made with the factories in the
    served database."""
    return build_world(server, "_casework_world", {"CASEWORK_PASSWORD": PASSWORD})


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $TOCSIN_SCREENSHOTS if set (to look at them), else a temp dir."""
    folder = os.environ.get("TOCSIN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def sign_in_as(page: Any, username: str) -> None:
    """A fresh session for ``username``; Tocsin sends them to their own work."""
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def row_for(page: Any, reference: str) -> Any:
    return page.locator("#tray tbody tr").filter(has_text=reference)


def test_a_concern_goes_from_the_front_door_to_closed_with_four_eyes(
    page: Any, axe: AxeReport, casework: dict[str, Any], shots: Path
) -> None:
    reference = casework["reference"]
    page.set_viewport_size({"width": 1280, "height": 900})

    # The MASH officer lands on the front door and sees the concern, and how long it waited.
    sign_in_as(page, "mash-officer")
    page.get_by_role("heading", name="Front door").wait_for()
    assert page.url.endswith("/queue/front-door/")
    row = row_for(page, reference)
    assert row.count() == 1
    waited = row.locator("time")
    assert waited.get_attribute("datetime")
    assert waited.inner_text().strip()
    assert "Not allocated" in row.inner_text()
    page.screenshot(path=str(shots / "tray-front-door.png"), full_page=True)
    axe.check(page, "front door tray")

    # Allocating with the keyboard only: follow the link, choose the worker, send the form.
    row.get_by_role("link", name=reference).focus()
    page.keyboard.press("Enter")
    page.locator("h1#reference").wait_for()
    page.get_by_role("link", name="Allocate", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Allocate this concern").wait_for()
    axe.check(page, "allocate")
    page.locator("#worker").focus()
    page.keyboard.type("Robin")
    assert page.locator("#worker option:checked").inner_text() == "Robin Ellis"
    page.keyboard.press("Tab")
    page.keyboard.type("Please visit the family this week.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#done-title").wait_for()
    assert "Robin Ellis" in page.locator("#case-summary").inner_text()

    # The practitioner finds it in their work and proposes no further action.
    sign_in_as(page, "eb-practitioner")
    page.get_by_role("heading", name="Your work").wait_for()
    row = row_for(page, reference)
    assert row.count() == 1
    page.screenshot(path=str(shots / "tray-your-work.png"), full_page=True)
    axe.check(page, "your work tray")
    row.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_role("heading", name="Record a decision").wait_for()
    page.screenshot(path=str(shots / "decide.png"), full_page=True)
    axe.check(page, "decide")
    page.get_by_label("No further action").check()
    page.get_by_label("Why? Give your reasons").fill("x")
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    assert page.get_by_label("No further action").is_checked()
    page.screenshot(path=str(shots / "decide-with-errors.png"), full_page=True)
    axe.check(page, "decide (with errors)")
    page.get_by_label("Why? Give your reasons").fill(RATIONALE)
    page.get_by_role("button", name="Record the decision").click()
    banner = page.locator("[aria-labelledby=pending-title]")
    banner.wait_for()
    assert "No further action" in banner.inner_text()
    assert page.get_by_role("link", name="Record a decision").count() == 0

    # Nobody signs off their own proposal: no form is offered, and a direct POST is refused.
    banner.get_by_role("link", name="See the proposal").click()
    page.get_by_role("heading", name=re.compile("sign-off")).wait_for()
    assert page.locator("form input[name=approve]").count() == 0
    assert page.get_by_role("button", name="Record the sign-off").count() == 0
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    refused = page.request.post(
        page.url,
        form={"csrfmiddlewaretoken": token, "approve": "yes", "reason": ""},
        headers={"Referer": page.url},
    )
    assert refused.status == 403
    sign_off_url = page.url

    # The team manager rejects it without a reason (refused), then approves it.
    sign_in_as(page, "eb-team-manager")
    page.get_by_role("link", name=re.compile("Awaiting your sign-off")).click()
    page.get_by_role("heading", name="Awaiting your sign-off").wait_for()
    row = row_for(page, reference)
    assert row.count() == 1
    page.screenshot(path=str(shots / "tray-sign-off.png"), full_page=True)
    axe.check(page, "awaiting sign-off tray")
    row.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Review and sign off the proposal").click()
    assert page.url == sign_off_url
    assert RATIONALE in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "sign-off.png"), full_page=True)
    axe.check(page, "sign off")
    page.get_by_label("No, reject it").check()
    page.get_by_role("button", name="Record the sign-off").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    assert "Say why you reject the proposal" in page.locator(".govuk-error-summary").inner_text()
    page.screenshot(path=str(shots / "sign-off-with-errors.png"), full_page=True)
    axe.check(page, "sign off (with errors)")
    page.get_by_label("Yes, approve it").check()
    page.get_by_role("button", name="Record the sign-off").click()
    page.locator("#done-title").wait_for()
    assert page.locator("#case-status").inner_text() == "Closed"
    page.screenshot(path=str(shots / "concern-closed.png"), full_page=True)
    axe.check(page, "concern (closed)")
