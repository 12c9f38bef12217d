"""Browser tests: Playwright driving Debian's Chromium against a real ``tocsin serve``, with
axe-core (from npm) checking every page for accessibility.

The server is a subprocess with its own TOCSIN_HOME and database (tests/functional/conftest.py),
so the browser sees exactly what a person would: no test transaction in between.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import Cli, _cli_in

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium")
PASSWORD = "a long enough password 1"
# The stack notes' flags: Debian's Chromium, headless, nothing reaching beyond loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.2 A and AA, and axe's best practices; the build fails on serious or critical ones.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: run `make chromium`"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Server:
    url: str
    cli: Cli


@contextmanager
def serving(cli: Cli) -> Iterator[Server]:
    """``tocsin serve`` on a free port of the loopback, once it answers; stopped afterwards."""
    port = _free_port()
    process = cli.popen("serve", "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield Server(url, cli)
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A partnership (a council with a practitioner) served by ``tocsin serve``."""
    for cli in _cli_in(tmp_path_factory.mktemp("browser")):
        cli.run("agencies", "register", "Northgate Council", "--sector", "council")
        cli.run(
            "users",
            "create",
            "practitioner",
            "--name",
            "Pat Example",
            "--agency",
            "Northgate Council",
            "--role",
            "practitioner",
            "--password-stdin",
            input=PASSWORD + "\n",
        )
        cli.run("agencies", "register", "Northgate Police", "--sector", "police")
        cli.run(
            "users",
            "create",
            "officer",
            "--name",
            "Sam Example",
            "--agency",
            "Northgate Police",
            "--role",
            "police_officer",
            "--password-stdin",
            input=PASSWORD + "\n",
        )
        with serving(cli) as served:
            yield served


# What Chromium says when a click's navigation replaces the document axe was reading.
_NAVIGATING = ("Execution context was destroyed", "reading 'documentElement'")


def _axe_run(page: Any) -> dict[str, Any]:
    """axe-core's result for the page once it has loaded; run again (at most twice) if a
    navigation started by the test's last click replaced the document mid-run."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            result: dict[str, Any] = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            return result
        except PlaywrightError as error:
            if attempt == 2 or not any(sign in str(error) for sign in _NAVIGATING):
                raise
    raise AssertionError("unreachable")


@dataclass
class AxeReport:
    """Every page checked, and the serious or critical violations found on each."""

    pages: list[str] = field(default_factory=list)
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def check(self, page: Any, label: str) -> None:
        result = _axe_run(page)
        self.pages.append(label)
        bad = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in FAILING_IMPACTS
        ]
        if bad:
            self.violations[label] = bad
        assert not bad, f"axe found serious or critical problems on {label}:\n" + json.dumps(
            bad, indent=2
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh browser context (no cookies) with axe-core injected into every page (as an init
    script, which the Content Security Policy does not govern), and every console error
    collected: a page that breaks the policy or throws fails the test."""
    context = browser.new_context(base_url=server.url)
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    # Pages answer 400 on a form with errors and 404 for the favicon, which the console
    # reports too; anything else (a CSP refusal, a script error) fails the test.
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors


@pytest.fixture(scope="session")
def axe() -> AxeReport:
    return AxeReport()


def build_world(
    server: Server, module: str, env: dict[str, str], *, timeout: int = 120
) -> dict[str, Any]:
    """Run ``tests.functional.browser.<module>`` with the served Tocsin's environment (plus
    ``env``): it makes people and records in the served database with the factories, since the
    browser sees a server in another process, and prints what the test needs as JSON."""
    import subprocess
    import sys

    made = subprocess.run(
        [sys.executable, "-m", f"tests.functional.browser.{module}"],
        env={**server.cli.env, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    world: dict[str, Any] = json.loads(made.stdout.strip().splitlines()[-1])
    return world
