"""The load test's simulated people (locust), run by bench_load.py.

``TOCSIN_LOAD_WORLD`` names the JSON ``_load_world.py`` wrote: one signed-in session per
simulated person, and the concerns and children each may see. Every person asks, in a random
order with no pause, for the pages of their role; each request is named by the page it is, so
the figures are per page whichever record was asked for. A response that is not 200 (a
sign-in page, a refusal, an error) is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import FastHttpUser, task

with open(os.environ["TOCSIN_LOAD_WORLD"], encoding="utf-8") as _f:
    WORLD: dict[str, Any] = json.load(_f)
_NEXT = itertools.count()


class Person(FastHttpUser):
    """One signed-in person, MASH officer or practitioner."""

    def on_start(self) -> None:
        me = WORLD["users"][next(_NEXT) % len(WORLD["users"])]
        self.me = me
        self.rng = random.Random(me["cookie"])
        self.headers = {"Cookie": f"{WORLD['cookie_name']}={me['cookie']}"}

    def _get(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")

    @task
    def trivial(self) -> None:
        self._get("/?about", "trivial page (start, signed in)")

    @task
    def front_door(self) -> None:
        if self.me["role"] == "mash_officer":
            self._get("/queue/", "front-door tray")
        else:
            self._get("/concerns/mine/", "practitioner's concerns")

    @task
    def chronology(self) -> None:
        self._get(f"/children/{self.rng.choice(self.me['children'])}/", "child's chronology")

    @task
    def concern(self) -> None:
        self._get(f"/concerns/{self.rng.choice(self.me['concerns'])}/", "concern page")

    @task
    def api_list(self) -> None:
        self._get("/api/v1/concerns/", "API concern list")
