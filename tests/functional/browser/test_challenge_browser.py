"""Professional challenge in a real browser: a police officer challenges the front door's
decision on the police's concern (the wording check first); it goes to the partnership's
independent scrutineer, outside the decider's line; the council's head of service, in the
decider's line, has no way to answer it; the scrutineer answers it from their challenges page
with its deadline in words; the officer sees the outcome on the concern and on their
challenges page. axe-core checks every page; screenshots are kept in $TOCSIN_SCREENSHOTS
(default /tmp/shots-challenge) for a person to look at."""

from __future__ import annotations

import os
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
from tests.functional.browser.test_casework_browser import sign_in_as
from tocsin.domain.language import check_text, default_phrase_table

__all__ = ["pytestmark"]

GROUNDS = (
    "Three sightings in a grey car with adults at night are signs of exploitation; early help "
    "alone will not protect her. A strategy discussion is needed."
)
ANSWER = (
    "Upheld: the sightings meet the threshold for a strategy discussion, which the front door "
    "is to convene within one working day."
)


#: Wording the language check flags, from the phrase table (its one home), and what it marks.
FLAGGED = default_phrase_table().phrase("putting-self-at-risk").examples[0]
MARKED = check_text(FLAGGED)[0].matched


@pytest.fixture(scope="module")
def challenge_world(server: Server) -> dict[str, Any]:
    return build_world(server, "_challenge_world", {"CASEWORK_PASSWORD": PASSWORD})


@pytest.fixture
def shots() -> Path:
    path = Path(os.environ.get("TOCSIN_SCREENSHOTS", "/tmp/shots-challenge"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_raising_and_answering_a_challenge(
    page: Any, axe: AxeReport, challenge_world: dict[str, Any], shots: Path
) -> None:
    concern = challenge_world["concern"]
    page.set_viewport_size({"width": 1280, "height": 900})

    # The police officer challenges the front door's decision.
    sign_in_as(page, "cg-officer")
    page.goto(f"/concerns/{concern['id']}/")
    page.locator("#decisions").get_by_role("link", name="Challenge this decision").click()
    page.get_by_role("heading", name="Challenge this decision").wait_for()
    axe.check(page, "challenge a decision")
    grounds = page.get_by_label("Why do you disagree with the decision?")
    grounds.fill("")
    page.get_by_role("button", name="Send the challenge").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Say why you disagree" in page.locator(".govuk-error-summary").inner_text()
    axe.check(page, "challenge a decision (error)")
    page.screenshot(path=str(shots / "challenge-error.png"), full_page=True)
    grounds.fill(FLAGGED + " " + GROUNDS)
    page.get_by_role("button", name="Send the challenge").click()
    page.locator("#wording-check").wait_for()
    assert page.locator("mark.tocsin-flagged").first.inner_text() == MARKED
    page.screenshot(path=str(shots / "challenge-wording-check.png"), full_page=True)
    grounds.fill(GROUNDS)
    page.get_by_role("button", name="Send the challenge as it is now").click()
    page.get_by_text("Your challenge is sent").wait_for()
    challenges = page.locator("#challenges").inner_text()
    assert "You" in challenges and "Due in 5 working days" in challenges
    axe.check(page, "concern page with a challenge")
    page.screenshot(path=str(shots / "concern-challenged.png"), full_page=True)

    # The council's head of service, in the decider's line, sees it but cannot answer it.
    sign_in_as(page, "cg-head")
    page.goto(f"/concerns/{concern['id']}/")
    assert "Rhian Marsh" not in page.locator("#challenges").inner_text()
    page.locator("#challenges").get_by_role("link").first.click()
    page.get_by_role("heading", name="Challenge to a decision").wait_for()
    assert page.locator("input[name=outcome]").count() == 0
    page.screenshot(path=str(shots / "challenge-head-of-service.png"), full_page=True)

    # The scrutineer finds it on their challenges page, with its deadline, and answers it.
    sign_in_as(page, "cg-scrutineer")
    page.get_by_role("link", name="Challenges").click()
    row = page.locator("#to-answer tbody tr").filter(has_text=concern["reference"])
    assert "Rhian Marsh" in row.inner_text() and "working days" in row.inner_text()
    axe.check(page, "challenges to answer")
    page.screenshot(path=str(shots / "challenges-to-answer.png"), full_page=True)
    row.get_by_role("link").click()
    page.get_by_role("heading", name="Challenge to a decision").wait_for()
    axe.check(page, "answer a challenge")
    page.get_by_role("button", name="Record the answer").click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, "answer a challenge (error)")
    page.get_by_label("Upheld: the decision is to be changed").check()
    page.get_by_label("Your reasons").fill(ANSWER)
    page.screenshot(path=str(shots / "challenge-answer.png"), full_page=True)
    page.get_by_role("button", name="Record the answer").click()
    page.get_by_text("Your answer is recorded").wait_for()
    assert page.locator("#to-answer").inner_text().startswith("No challenges")

    # The officer is told: on the concern, and on their challenges page.
    sign_in_as(page, "cg-officer")
    page.goto(f"/concerns/{concern['id']}/")
    told = page.locator("#challenges").inner_text()
    assert "Upheld" in told and ANSWER in told and "Dr Ade Bello" in told
    page.get_by_role("link", name="Challenges").click()
    mine = page.locator("#raised").inner_text()
    assert "Upheld" in mine and ANSWER in mine
    axe.check(page, "your challenges")
    page.screenshot(path=str(shots / "your-challenges.png"), full_page=True)
