"""Clerical review in a real browser: the front door finds a proposed match in its tray,
compares the two records and the engine's weights, confirms it with a reason (the two child
records merge into one chronology), then splits the merge from the child's page. axe-core
checks each page; screenshots are kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.browser.conftest import PASSWORD, AxeReport, Server, build_world, pytestmark
from tests.functional.browser.test_casework_browser import shots, sign_in_as

__all__ = ["pytestmark", "shots"]


@pytest.fixture(scope="module")
def proposed(server: Server) -> dict[str, Any]:
    return build_world(server, "_review_world", {"CASEWORK_PASSWORD": PASSWORD})


def test_the_front_door_reviews_merges_and_splits(
    page: Any, axe: AxeReport, proposed: dict[str, Any], shots: Any
) -> None:
    if proposed["status"] != "proposed":
        pytest.skip("the engine itself linked the two records; nothing waits for review")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, "rv-mash")
    page.get_by_role("link", name="Matches to review").click()
    axe.check(page, "matches to review")
    row = page.locator("#matches tbody tr").filter(has_text="Wiśniewska")
    assert "87%" in row.inner_text()
    page.screenshot(path=str(shots / "review-tray.png"), full_page=True)
    row.get_by_role("link", name="Review").click()
    page.get_by_role("heading", name="Are these one person?").wait_for()
    axe.check(page, "a match under review")
    records = page.locator("#records").inner_text()
    assert "Zofia" in records and "Sofia" in records and "Eastmoor Police" in records
    weights = page.locator("#explanation").inner_text()
    assert "+6.20" in weights and "Date of birth" in weights and "+2.74" in weights
    page.screenshot(path=str(shots / "review-match.png"), full_page=True)
    # No reason: refused, nothing decided.
    page.get_by_label("The same person", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    page.locator(".govuk-error-summary").get_by_text("Enter the reason").wait_for()
    axe.check(page, "a match under review, refused")
    page.get_by_label("Why").fill("Same date of birth; the police spelt her name without accents")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("The match was confirmed").wait_for()
    # Decided, so no longer waiting (other tests' matches, on this shared server, may be).
    assert "/people/review/" in page.url
    assert page.locator("#matches tbody tr").filter(has_text="Wiśniewska").count() == 0
    # The police's record now opens the child's one chronology, holding both concerns.
    school_child, police_child = proposed["children"]
    page.goto(f"/children/{police_child}/")
    page.get_by_role("heading", name="Records brought together").wait_for()
    assert page.url.endswith(f"/children/{school_child}/")
    assert page.locator("#concerns tbody tr").count() == 2
    axe.check(page, "a merged child")
    page.screenshot(path=str(shots / "review-merged-child.png"), full_page=True)
    page.get_by_role("link", name="Split").click()
    axe.check(page, "split a merge")
    page.get_by_label("Why are these two children?").fill(
        "Two girls: different schools and NHS numbers"
    )
    page.get_by_role("button", name="Split the records").click()
    page.get_by_text("The records were split").wait_for()
    assert page.locator("#concerns tbody tr").count() == 1
