"""The public route in Urdu and Polish in a real browser (issue 19): the layout at a phone's
and a desktop's width (screenshots, kept in $TOCSIN_SCREENSHOTS when set), navigation items
that do not touch, the warning icon and error borders on the reading side, the Urdu web font,
axe-core on every page (the shared threshold: no serious or critical violation), each field at
and over its limits, the progress page, a refused cookie that keeps the report, and the pages
this flow does not reach (a failed write, a server error, too many attempts, a report too
large to read), as the server renders them (``_public_failures_world``)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.functional.browser.conftest import AxeReport, Server, build_world, pytestmark
from tocsin.domain.concerns._draft import (
    MAX_ADDRESS,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NARRATIVE,
    MAX_SHORT,
)

__all__ = ["pytestmark"]

SEND = {"ur": "رپورٹ بھیجیں", "pl": "Wyślij zgłoszenie"}
FIND_OUT = {"ur": "معلوم کریں", "pl": "Sprawdź"}
DIRECTION = {"ur": "rtl", "pl": "ltr"}
WIDTHS = (390, 1280)
#: Each text field of the public form and the longest answer it takes.
LIMITS = {
    "child_name": MAX_NAME,
    "child_description": MAX_DESCRIPTION,
    "child_school": MAX_NAME,
    "narrative": MAX_NARRATIVE,
    "occurred_where": MAX_ADDRESS,
    "adult_description": MAX_DESCRIPTION,
    "vehicle_make": MAX_SHORT,
    "vehicle": MAX_SHORT,
}
#: The English messages a field over its limit must not show (the wrong-message bug's).
WRONG = ("Check this answer", "Tell us what happened or what worries you")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $TOCSIN_SCREENSHOTS if set (to look at them), else a temp dir."""
    folder = os.environ.get("TOCSIN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.offsetParent !== null).map(e => {"
        " const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })",
    )
    return boxes


def _apart(a: dict[str, float], b: dict[str, float], gap: float) -> bool:
    """Whether two boxes are at least ``gap`` apart side by side, or on separate lines."""
    side_by_side = a["top"] < b["bottom"] and b["top"] < a["bottom"]
    if not side_by_side:
        return True
    return max(a["left"], b["left"]) - min(a["right"], b["right"]) >= gap


def _check_navigation_apart(page: Any) -> None:
    links = _boxes(
        page, ".govuk-service-navigation__service-name a, .govuk-service-navigation__item a"
    )
    assert len(links) == 3
    for i, a in enumerate(links):
        for b in links[i + 1 :]:
            assert _apart(a, b, gap=10), f"navigation items touch: {links}"
    languages = _boxes(page, ".tocsin-languages__item a")
    assert len(languages) == 2
    assert _apart(languages[0], languages[1], gap=10), f"language links touch: {languages}"


def _check_warning_on_the_reading_side(page: Any, direction: str) -> None:
    found = page.evaluate(
        """() => {
        const box = document.querySelector('.govuk-warning-text');
        const icon = box.querySelector('.govuk-warning-text__icon').getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(box.querySelector('.govuk-warning-text__text'));
        const lines = [...range.getClientRects()].filter(r => r.width > 0);
        return {icon: {left: icon.left, right: icon.right},
                textLeft: Math.min(...lines.map(r => r.left)),
                textRight: Math.max(...lines.map(r => r.right))};
    }"""
    )
    if direction == "rtl":
        assert found["icon"]["left"] >= found["textRight"], f"icon not on the right: {found}"
    else:
        assert found["icon"]["right"] <= found["textLeft"], f"icon not on the left: {found}"


def _check_error_border_side(page: Any, direction: str) -> None:
    widths = page.eval_on_selector(
        ".govuk-form-group--error",
        "e => [getComputedStyle(e).borderLeftWidth, getComputedStyle(e).borderRightWidth]",
    )
    assert widths == (["0px", "5px"] if direction == "rtl" else ["5px", "0px"]), widths


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_the_public_pages_read_well_at_phone_and_desktop_widths(
    page: Any, axe: AxeReport, shots: Path, lang: str
) -> None:
    direction = DIRECTION[lang]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/report/{lang}/")
        page.evaluate("document.fonts.ready")
        shot = shots / f"public-{lang}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert page.locator("html").get_attribute("dir") == direction
        _check_navigation_apart(page)
        _check_warning_on_the_reading_side(page, direction)
        axe.check(page, f"public report ({lang}, {width} wide)")

        page.get_by_role("button", name=SEND[lang]).click()
        page.locator(".govuk-error-summary").wait_for()
        page.screenshot(path=str(shots / f"public-{lang}-{width}-errors.png"), full_page=True)
        _check_error_border_side(page, direction)
        _check_navigation_apart(page)
        axe.check(page, f"public report with errors ({lang}, {width} wide)")

        page.goto(f"/report/{lang}/follow-up/")
        assert page.locator("#code").get_attribute("dir") == "ltr"
        axe.check(page, f"public follow-up ({lang}, {width} wide)")
        page.goto(f"/report/{lang}/receipt/")
        page.locator("h1").wait_for()
        page.screenshot(path=str(shots / f"public-{lang}-{width}-not-found.png"), full_page=True)
        _check_warning_on_the_reading_side(page, direction)
        axe.check(page, f"public page not found ({lang}, {width} wide)")


def test_urdu_is_set_in_the_nastaliq_web_font_from_our_static_files(page: Any) -> None:
    page.goto("/report/ur/")
    loaded = page.evaluate(
        """async () => {
        await document.fonts.ready;
        const faces = await document.fonts.load('700 24px "Noto Nastaliq Urdu"', 'بچے');
        return {faces: faces.map(f => f.status),
                family: getComputedStyle(document.querySelector('h1')).fontFamily};
    }"""
    )
    assert loaded["faces"] == ["loaded"], loaded
    assert loaded["family"].startswith('"Noto Nastaliq Urdu"'), loaded
    # Polish stays in the service's own font.
    page.goto("/report/pl/")
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Nastaliq" not in family


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_each_field_at_and_over_its_limits(page: Any, axe: AxeReport, lang: str) -> None:
    page.goto(f"/report/{lang}/")
    # Over every limit at once (and "²" for an age): each field gets its own message, in
    # the language, and keeps what was typed.
    for field, limit in LIMITS.items():
        page.locator(f"#{field}").fill("x" * (limit + 1))
    page.locator("#child_age").fill("²")
    page.get_by_role("button", name=SEND[lang]).click()
    page.locator(".govuk-error-summary").wait_for()
    axe.check(page, f"public report over its limits ({lang})")
    targets = page.eval_on_selector_all(
        ".govuk-error-summary__list a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert targets == [
        "#child_name",
        "#child_description",
        "#child_age",
        "#child_school",
        "#narrative",
        "#occurred_where",
        "#adult_description",
        "#vehicle_make",
        "#vehicle",
    ]
    messages = {}
    for field, limit in LIMITS.items():
        message = page.locator(f"#{field}-error").inner_text()
        # All the digits are the limit's ("2 000", "2,000" and "2000" alike), no more, no less.
        assert re.sub(r"\D", "", message) == str(limit), message
        assert not any(wrong in message for wrong in WRONG), message
        messages[field] = message
        assert len(page.locator(f"#{field}").input_value()) == limit + 1
    assert len(set(messages.values())) == len(messages)
    assert page.locator("#child_age").input_value() == "²"

    # At every limit (and the oldest age, and today): the report is sent.
    for field, limit in LIMITS.items():
        page.locator(f"#{field}").fill("x" * limit)
    page.locator("#child_age").fill("17")
    today = datetime.now(ZoneInfo("Europe/London")).date()  # the service's day
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        page.locator(f"#occurred_on-{part}").fill(str(value))
    page.get_by_role("button", name=SEND[lang]).click()
    page.locator("#follow-up-code").wait_for()
    assert page.locator("#reference").get_attribute("dir") == "ltr"
    axe.check(page, f"public report sent at its limits ({lang})")

    # What has happened to it: the progress page, asked and answered.
    code = page.locator("#follow-up-code").inner_text()
    page.goto(f"/report/{lang}/progress/")
    assert page.locator("#code").get_attribute("dir") == "ltr"
    axe.check(page, f"public progress ({lang})")
    page.locator("#code").fill(code)
    page.get_by_role("button", name=FIND_OUT[lang]).click()
    page.locator("#progress").wait_for()
    _check_warning_on_the_reading_side(page, DIRECTION[lang])
    axe.check(page, f"public progress told ({lang})")


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_a_lost_cookie_keeps_the_report_and_says_why_in_the_language(
    page: Any, axe: AxeReport, lang: str
) -> None:
    page.goto(f"/report/{lang}/")
    page.locator("#child_name").fill("Ola")
    page.locator("#narrative").fill("Mężczyzna w samochodzie daje dziecku prezenty.")
    page.context.clear_cookies()
    page.get_by_role("button", name=SEND[lang]).click()
    page.locator("#problem").wait_for()
    assert "999" in page.locator("#problem").inner_text()
    assert page.locator("#narrative").input_value().startswith("Mężczyzna")
    axe.check(page, f"public report after a lost cookie ({lang})")
    page.get_by_role("button", name=SEND[lang]).click()
    page.locator("#follow-up-code").wait_for()


@pytest.fixture(scope="module")
def failures(server: Server) -> dict[str, Any]:
    """The pages a healthy server does not give, as it renders them, by language."""
    return build_world(server, "_public_failures_world", {})


#: Each such page: the status it answers with, and the element that says what went wrong.
FAILURES = {
    "failed write": (503, "#problem"),
    "server error": (500, "h1"),
    "too many attempts": (429, "h1"),
    "too large": (400, "h1"),
}


def _serving(answer: dict[str, Any]) -> Any:
    """A route handler that gives the browser ``answer`` instead of asking the server."""

    def fulfil(route: Any) -> None:
        route.fulfill(status=answer["status"], headers=answer["headers"], body=answer["body"])

    return fulfil


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_the_pages_when_something_goes_wrong_pass_axe(
    page: Any, axe: AxeReport, shots: Path, failures: dict[str, Any], lang: str
) -> None:
    """A failed write and a server error cannot be had from a healthy server; too many attempts
    would spend the per-address limit every browser test's reports share, and a report too
    large to read 2.5 MB of typing. So the server's own answer (status, headers with the
    Content Security Policy, page) is served in its place, once, at the form's address: the
    browser loads the real stylesheets, fonts and scripts with it, and axe-core reads what a
    visitor would see."""
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    for name, (status, says) in FAILURES.items():
        answer = failures[lang][name]
        assert answer["status"] == status, (name, answer["status"])
        page.route(f"**/report/{lang}/", _serving(answer), times=1)
        response = page.goto(f"/report/{lang}/")
        assert response is not None and response.status == status
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("html").get_attribute("dir") == DIRECTION[lang]
        assert page.locator(says).first.is_visible()
        assert "999" in page.locator("main").inner_text()
        _check_navigation_apart(page)
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(shots / f"public-{lang}-{name.replace(' ', '-')}.png"))
        axe.check(page, f"public {name} ({lang})")
