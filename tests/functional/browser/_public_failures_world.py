"""The public pages the Urdu and Polish browser test does not reach, as the server renders
them: a report the database refused to write (503) and a server error (500), which a healthy
server never gives, the "too many attempts" page (429), which would spend the per-address
limit all the browser tests' reports share, and a report too large to read (400). Each is
asked for with Django's test client against the served Tocsin's database (run as ``python -m``
with the server's environment), the failure made by replacing the action or the limit in this
process only; the server itself is untouched. Prints each response's status, headers and page
as JSON, for the browser test to serve in place of the server's answer and check with axe-core.

The requests come from a documentation address (203.0.113.0/24), so they count against no
limit the browser tests' own reports (from 127.0.0.1) need."""

from __future__ import annotations

import json
import os
from typing import Any

#: The headers that shape the page in the browser (the policy, the type, the language).
KEPT_HEADERS = ("Content-Type", "Content-Security-Policy", "Content-Language")
REPORT = {
    "ur": {
        "child_name": "کاشف",
        "narrative": "گاڑی میں بالغ افراد بچے کو اسکول سے لے جاتے ہیں۔",
        "occurred_where": "اسکول کے باہر",
    },
    "pl": {
        "child_name": "Kasia",
        "narrative": "Dorośli w samochodzie odbierają dziecko ze szkoły.",
        "occurred_where": "Przed szkołą",
    },
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django
    import pytest

    django.setup()

    from django.conf import settings
    from django.db import DatabaseError
    from django.test import Client

    from tocsin.server.web import _ratelimit, public

    def refused(*args: object, **kwargs: object) -> None:
        raise DatabaseError("could not write")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    def client(**options: Any) -> Client:
        return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.19", **options)

    def kept(response: Any) -> dict[str, Any]:
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        body = response.content.decode()
        return {"status": response.status_code, "headers": headers, "body": body}

    too_large = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    pages: dict[str, dict[str, Any]] = {}
    for lang, report in REPORT.items():
        url = f"/report/{lang}/"
        found = pages[lang] = {}
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(public, "do_record_concern", refused)
            found["failed write"] = kept(client().post(url, report))
            patched.setattr(public, "do_record_concern", broken)
            found["server error"] = kept(client(raise_request_exception=False).post(url, report))
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(_ratelimit, "REPORT", _ratelimit.Limit(_ratelimit.REPORT.action, 0, 0))
            found["too many attempts"] = kept(client().post(url, report))
        found["too large"] = kept(client().post(url, {**report, "narrative": too_large}))
    print(json.dumps(pages))


if __name__ == "__main__":
    main()
