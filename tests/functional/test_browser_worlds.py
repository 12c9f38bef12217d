"""The browser tests share one server (tests/functional/browser/conftest.py), and each module
builds its world on it with a script of its own. Two scripts that register the same agency or
the same username make whichever runs second fail at setup, depending on the order the suite
runs in; so no name may be used by two of them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

WORLDS = sorted((Path(__file__).parent / "browser").glob("_*_world.py"))


def _names(pattern: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for script in WORLDS:
        found.update(set(re.findall(pattern, script.read_text(encoding="utf-8"))))
    return found


def test_no_two_world_scripts_register_the_same_agency_or_username() -> None:
    assert len(WORLDS) >= 5
    agencies = _names(r'make_agency\(\s*"([^"]+)"')
    usernames = _names(r'username="([^"]+)"')
    assert agencies and usernames
    assert [name for name, n in agencies.items() if n > 1] == []
    assert [name for name, n in usernames.items() if n > 1] == []
