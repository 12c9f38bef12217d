"""Sign people in and choose the pages the load test asks for; run by bench_load.py in the
server's home, against a copy of the borough demo.

    python benchmarks/_load_world.py USERS

Prints one JSON object: for each of USERS simulated people, a session cookie (a session
made as signing in makes one, so each simulated person is a different signed-in person or a
different session of one) and the pages they ask for: MASH officers (the front door's tray,
the API list, concerns and children across the service) and practitioners (their own
agency's concerns and children, the API list). The concerns and children are a sample
spread over the whole partnership (every k-th by id), as a gate lets that person see them.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> int:
    users = int(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tocsin.server.concerns.gates import children_visible_to, concerns_visible_to
    from tocsin.server.directory.models import User
    from tocsin.server.signin.middleware import LAST_SEEN_AT, SIGNED_IN_AT

    def sample(ids: list[str], n: int) -> list[str]:
        step = max(1, len(ids) // n)
        return ids[::step][:n]

    people = []
    for role, share in (("mash_officer", 0.5), ("practitioner", 0.5)):
        candidates = list(
            User.objects.filter(role=role, is_active=True, agency__isnull=False).order_by(
                "enrolled_seq"
            )[: max(1, round(users * share))]
        )
        for user in candidates:
            concerns = sample(
                [
                    str(c)
                    for c in concerns_visible_to(user).order_by("id").values_list("id", flat=True)
                ],
                60,
            )
            children = sample(
                [
                    str(c)
                    for c in children_visible_to(user).order_by("id").values_list("id", flat=True)
                ],
                60,
            )
            if not concerns or not children:
                continue
            people.append({"user": user, "role": role, "concerns": concerns, "children": children})
    if not people:
        raise SystemExit("no MASH officers or practitioners with concerns to sign in as")
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    out = []
    for i in range(users):
        person = people[i % len(people)]
        user = person["user"]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = time.time()
        session.create()
        out.append(
            {
                "cookie": session.session_key,
                "role": person["role"],
                "username": user.username,
                "concerns": person["concerns"],
                "children": person["children"],
            }
        )
    print(json.dumps({"cookie_name": settings.SESSION_COOKIE_NAME, "users": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
