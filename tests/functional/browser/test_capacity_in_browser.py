"""Capacity alarms in a real browser: a worker is given more cases than the policy's capacity,
the sweep (``tocsin escalate``) raises an alarm, and the head of service finds it under
"Capacity" with its figures; a team manager in the worker's line has no such page and nothing
to clear it with; when the caseload falls, the next sweep clears it. axe-core checks the page
with an alarm and without."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.functional.browser.conftest import PASSWORD, ROOT, AxeReport, Server, pytestmark

__all__ = ["pytestmark"]


def _world(server: Server, step: str) -> dict[str, Any]:
    made = subprocess.run(
        [sys.executable, "-m", "tests.functional.browser._capacity_world", step],
        env={**server.cli.env, "CAPACITY_PASSWORD": PASSWORD},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    answer: dict[str, Any] = json.loads(made.stdout.strip().splitlines()[-1])
    return answer


@pytest.fixture(scope="module")
def overloaded(server: Server) -> dict[str, Any]:
    return _world(server, "raise")


def sign_in_as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def test_a_capacity_alarm_reaches_the_head_of_service_and_clears_when_the_numbers_fall(
    page: Any, axe: AxeReport, server: Server, overloaded: dict[str, Any]
) -> None:
    capacity = overloaded["capacity"]
    server.cli.run("escalate")

    sign_in_as(page, "em-head")
    page.get_by_role("link", name="Capacity").click()
    page.get_by_role("heading", name="Capacity alarms").wait_for()
    row = page.locator("#alarms tbody tr", has_text="Kit Lowe")
    assert row.count() == 1
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert "Eastmere Council" in cells and "Open cases" in cells
    assert cells[3:6] == [str(capacity), str(capacity + 1), str(capacity + 1)]
    assert page.locator("main").get_by_role("button").count() == 0, "nothing clears an alarm"
    axe.check(page, "capacity alarms")

    # The worker's team manager: no link, no page, nothing to clear it with.
    sign_in_as(page, "em-manager")
    assert page.get_by_role("link", name="Capacity").count() == 0
    assert page.goto("/capacity/").status == 404

    # The numbers fall: the next sweep clears the alarm, and the page says so.
    _world(server, "fall")
    server.cli.run("escalate")
    sign_in_as(page, "em-head")
    page.goto("/capacity/")
    assert page.locator("#alarms tbody tr", has_text="Kit Lowe").count() == 0
    axe.check(page, "capacity alarms, none open")
