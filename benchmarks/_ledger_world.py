"""Build a large ledger; run by bench_ledger.py in a subprocess of its own, which then verifies
it with ``tocsin verify`` in a fresh process, as anyone checking the ledger would.

    python benchmarks/_ledger_world.py EVENTS

Prints one JSON object: the build's timing. The events are a directory-shaped mix
(agencies, teams, users, password changes) appended through ``record_events`` in batches of
1,000 — the same append and appliers as the actions, without their per-event validation
queries, so that a million events can be built in minutes.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid


def main() -> int:
    total = int(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from tocsin.domain.directory import AgencyRegistered, TeamFormed, UserEnrolled, UserPasswordSet
    from tocsin.server.ledger.recording import record_events

    call_command("migrate", verbosity=0)
    password_hash = make_password("a long benchmark password")
    agencies: list[str] = []
    teams: list[tuple[str, str]] = []
    users: list[str] = []
    started = time.perf_counter()
    made = 0
    while made < total:
        batch = []
        for i in range(made, min(made + 1000, total)):
            slot = i % 100
            if slot == 0 or not agencies:
                agency = str(uuid.uuid4())
                agencies.append(agency)
                batch.append(
                    AgencyRegistered(agency_id=agency, name=f"Agency {i}", sector="council")
                )
            elif slot < 10 or not teams:
                team = str(uuid.uuid4())
                teams.append((team, agencies[-1]))
                batch.append(TeamFormed(team_id=team, agency_id=agencies[-1], name=f"Team {i}"))
            elif slot < 90 or not users:
                user = str(uuid.uuid4())
                users.append(user)
                team, agency = teams[i % len(teams)]
                batch.append(
                    UserEnrolled(
                        user_id=user,
                        username=f"user{i}",
                        display_name=f"Person {i}",
                        agency_id=agency,
                        team_id=team,
                        role="practitioner",
                    )
                )
            else:
                batch.append(
                    UserPasswordSet(user_id=users[i % len(users)], password_hash=password_hash)
                )
        record_events(batch, actor_id="system:bench")
        made += len(batch)
    build = time.perf_counter() - started
    print(json.dumps({"events": total, "database": connection.vendor, "build_seconds": build}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
