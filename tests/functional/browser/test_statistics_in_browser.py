"""The official statistics in a real browser: the front door sees every count and the reason
for a regrading out of exploitation; a team manager sees small counts suppressed and no
reason; each chart is drawn as SVG beside its table; a download is recorded on the ledger.
axe-core checks both pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.browser.conftest import PASSWORD, AxeReport, Server, build_world, pytestmark

__all__ = ["pytestmark"]


@pytest.fixture(scope="module")
def world(server: Server) -> dict[str, Any]:
    return build_world(server, "_statistics_world", {"STATISTICS_PASSWORD": PASSWORD})


def sign_in_as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def test_statistics_for_the_front_door_and_for_a_manager(
    page: Any, axe: AxeReport, server: Server, world: dict[str, Any]
) -> None:
    sign_in_as(page, "st-mash")
    page.get_by_role("link", name="Statistics").click()
    page.get_by_role("heading", name="Official statistics").wait_for()
    assert page.locator("#figure-children_exploitation svg rect.tocsin-stat-bar").count() >= 1
    assert world["reason"] in page.locator("#regradings").inner_text()
    axe.check(page, "statistics, front door")

    sign_in_as(page, "st-manager")
    page.goto("/statistics/")
    page.get_by_role("heading", name="Official statistics").wait_for()
    assert "[c]" in page.locator("#table-reclassified_away").inner_text()
    assert page.locator("#regradings").count() == 0
    axe.check(page, "statistics, suppressed")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    exported = json.loads(
        server.cli.run("events", "--kind", "statistics.exported", "--json").stdout
    )
    assert len(exported["events"]) == 1
    assert exported["events"][0]["payload"]["audience"] == "suppressed"
