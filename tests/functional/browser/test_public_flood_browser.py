"""Must show (issue 14): 600 junk attempts from fresh sessions, spread across two server
processes on one database, after which a genuine public report sent from a real browser is
still accepted.

The two ``tocsin serve`` processes here are this module's own (their own TOCSIN_HOME and
database), so the flood does not leave the other browser tests' server under attack.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.functional.browser.conftest import AXE, AxeReport, _free_port
from tests.functional.conftest import _cli_in

JUNK = 600
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _wait_for(url: str, process: Any) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two ``tocsin serve`` processes sharing one database."""
    for cli in _cli_in(tmp_path_factory.mktemp("flood")):
        ports = [_free_port(), _free_port()]
        processes = [cli.popen("serve", "--port", str(port)) for port in ports]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        try:
            for url, process in zip(urls, processes, strict=True):
                _wait_for(url, process)
            yield urls
        finally:
            for process in processes:
                process.terminate()
                process.communicate(timeout=10)


def _junk_attempt(url: str) -> int:
    """One attempt from a fresh cookie jar: fetch the form (for its CSRF token), post nothing."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(url + "/report/en/", timeout=30) as form:
        token = _CSRF.search(form.read().decode())
    assert token is not None
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1)}).encode()
    request = urllib.request.Request(  # noqa: S310 (the test's own http://127.0.0.1 server)
        url + "/report/en/", data=body, headers={"Referer": url}
    )
    try:
        with opener.open(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def _asks_for_a_challenge(url: str) -> bool:
    with urllib.request.urlopen(url + "/report/en/", timeout=30) as form:  # noqa: S310
        return "data-tocsin-bits" in form.read().decode()


def test_a_genuine_report_gets_through_after_600_junk_attempts_on_two_servers(
    browser: Any, two_servers: list[str], axe: AxeReport
) -> None:
    assert not any(_asks_for_a_challenge(url) for url in two_servers)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(_junk_attempt, [two_servers[i % 2] for i in range(JUNK)]))
    flooded_in = time.monotonic() - started
    # Every junk attempt is told what is wrong (a form error or the challenge), none is a
    # server error and none is refused for the service being "full".
    assert set(statuses) == {400}, sorted(set(statuses))
    # Both processes see the flood: the counts are in the database they share.
    assert all(_asks_for_a_challenge(url) for url in two_servers)

    context = browser.new_context(base_url=two_servers[1])
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    try:
        page.goto("/report/en/")
        assert page.locator("#tocsin-challenge").is_visible()
        axe.check(page, "public report under attack (challenge)")
        page.locator("#child_name").fill("Ola")
        page.locator("#narrative").fill("A man in a car gives the child gifts and phones her.")
        page.get_by_role("button", name="Send the report").click()
        code = page.locator("#follow-up-code")
        code.wait_for()
        assert re.fullmatch(r"[A-Z0-9]{4}( [A-Z0-9]{4}){3}", code.inner_text())
        axe.check(page, "public report sent after a flood")
    finally:
        context.close()
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
    # Keep the flood quick enough to run with the rest of the browser tests.
    assert flooded_in < 240, f"600 junk attempts took {flooded_in:.0f} s"
