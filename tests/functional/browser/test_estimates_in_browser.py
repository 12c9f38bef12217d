"""An analyst estimates the hidden number in a real browser; axe-core checks every page they see
(the form with and without errors, the result with its UpSet chart, the list of estimates)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from tests.factories.estimates import nhs_number
from tests.functional.browser.conftest import PASSWORD, AxeReport, Server, pytestmark

__all__ = ["pytestmark"]


@pytest.fixture(scope="module")
def analysts(server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Two analysts (council and police) and the concerns each agency recorded (imported by a
    practitioner of that agency): children 0-29
    with 11A or 24A, overlapping, imported so that the other browser tests' people are
    untouched. Returns the council analyst's username."""
    folder = tmp_path_factory.mktemp("estimates")
    for username, agency in (
        ("analyst", "Northgate Council"),
        ("police-analyst", "Northgate Police"),
    ):
        # Analysts read and never record: a practitioner of the same agency imports its
        # concerns.
        for name, role in ((username, "analyst"), (f"{username}-importer", "practitioner")):
            server.cli.run(
                "users",
                "create",
                name,
                "--name",
                f"{agency} {role.title()}",
                "--agency",
                agency,
                "--role",
                role,
                "--password-stdin",
                input=PASSWORD + "\n",
            )
    children = {"analyst": range(20), "police-analyst": range(10, 30)}
    for username, numbers in children.items():
        path = folder / f"{username}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["child_given_name", "child_family_name", "child_nhs_number", "narrative",
                 "occurred_on", "cin_factors"]
            )  # fmt: skip
            for n in numbers:
                writer.writerow(
                    [
                        "Amara",
                        f"Test-{n}",
                        nhs_number(n),
                        "Adults have been contacting the child and collecting her in a car.",
                        f"2025-{1 + n % 12:02d}-15",
                        "11A" if n % 2 else "24A",
                    ]
                )
        server.cli.run("import", "concerns", str(path), "--as", f"{username}-importer")
    return "analyst"


def sign_in(page: Any, username: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def test_an_analyst_estimates_the_hidden_number(
    page: Any, axe: AxeReport, analysts: str, tmp_path: Path
) -> None:
    sign_in(page, analysts)
    axe.check(page, "start (analyst)")
    page.get_by_role("link", name="Estimates", exact=True).click()
    page.get_by_role("heading", name="Estimates of the hidden number").wait_for()
    axe.check(page, "estimates (none yet)")
    page.get_by_role("link", name="Produce a new estimate").click()
    page.get_by_role("heading", name="Estimate the hidden number").wait_for()
    # The period defaults to the span of the concerns: 2025.
    assert page.locator("#period_from-year").input_value() == "2025"
    axe.check(page, "estimate form")

    page.locator("#period_to-day").fill("31")
    page.locator("#period_to-month").fill("2")
    page.get_by_label("Bootstrap resamples").fill("lots")
    page.get_by_role("button", name="Produce the estimate").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    axe.check(page, "estimate form (with errors)")

    page.locator("#period_to-day").fill("31")
    page.locator("#period_to-month").fill("12")
    page.get_by_label("Bootstrap resamples").fill("50")
    page.get_by_role("button", name="Produce the estimate").click()
    page.locator("#estimate").wait_for()
    assert page.locator("#observed").inner_text() == "30"
    chart = page.locator("#upset svg")
    assert chart.get_attribute("role") == "img"
    assert chart.locator(".tocsin-upset-bar").count() == 3  # council only, police only, both
    axe.check(page, "estimate result")
    # With few combinations the table is shown open; with many it is one click away.
    assert page.locator("#combinations-details").get_attribute("open") is not None
    rows = page.locator("#combinations tbody tr").all_inner_texts()
    assert any(re.search(r"both Northgate Council and Northgate Police\s+2\s+10", r) for r in rows)

    with page.expect_download() as download:
        page.locator("#download-csv").click()
    saved = tmp_path / "table.csv"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").splitlines()[0] == (
        "Northgate Council,Northgate Police,count"
    )

    page.get_by_role("link", name="All estimates").click()
    page.locator("#estimates tbody tr").first.wait_for()
    axe.check(page, "estimates (one)")


def test_a_practitioner_is_not_offered_estimates(page: Any, axe: AxeReport) -> None:
    sign_in(page, "practitioner")
    assert page.get_by_role("link", name="Estimates", exact=True).count() == 0
    response = page.goto("/estimates/")
    assert response.status == 403
