"""The already-known panel in a real browser (issue 15): a police officer starts a concern
about a girl the council already knows; before recording, check your answers says that the
council holds information and whom to contact there, never what it says or where to find it.
axe-core checks the page; a screenshot is kept for a person to look at ($TOCSIN_SCREENSHOTS)."""

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
def known_world(server: Server) -> dict[str, Any]:
    return build_world(server, "_known_world", {"KNOWN_PASSWORD": PASSWORD})


def test_check_your_answers_says_another_agency_already_knows_the_child(
    page: Any, axe: AxeReport, known_world: dict[str, Any], shots: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, known_world["constable"])
    page.goto("/concerns/new/")
    page.get_by_label("First name").fill("Nadiya")
    page.get_by_label("Last name").fill("Brightwater")
    page.locator("[id$='date_of_birth-day']").first.fill("9")
    page.locator("[id$='date_of_birth-month']").first.fill("2")
    page.locator("[id$='date_of_birth-year']").first.fill("2012")
    page.get_by_label("Postcode").first.fill("ZZ9 4EB")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="What happened, when and where?").wait_for()
    # The first check loads the model and builds the index (serve warms it at start; on a
    # busy machine that can still be running).
    page.goto("/concerns/new/check/", timeout=90_000)
    panel = page.locator("#already-known")
    panel.wait_for()
    text = panel.inner_text()
    assert "Nadiya Brightwater (child)" in text
    assert f"{known_world['council']} holds information" in text
    assert known_world["owner"] in text
    assert known_world["reference"] not in page.content()
    assert panel.locator("a").count() == 0
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "concern-check-already-known.png"), full_page=True)
    axe.check(page, "check your answers (already known)")
