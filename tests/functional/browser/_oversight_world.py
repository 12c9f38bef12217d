"""The people and the concern the escalation browser test starts from, made with the
factories inside the served Tocsin's own database (run as ``python -m`` with the server's
environment). Nobody decides the concern, and the clocks are swept three weeks on, so it has
climbed the whole ladder. Prints what the test needs as JSON."""

from __future__ import annotations

import json
import os
from datetime import timedelta


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.utils import timezone

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.server.actors import SystemActor
    from tocsin.server.casework.actions import do_allocate, do_decide
    from tocsin.server.clocks.sweep import sweep
    from tocsin.server.concerns.actions import do_record_concern

    password = os.environ["OVERSIGHT_PASSWORD"]
    council = make_agency("Westmere Council", "council")
    team = make_team(council, "Westmere exploitation team")
    people = {
        "sd-practitioner": ("Kit Morgan", "practitioner", team),
        "sd-team-manager": ("Dana Hughes", "team_manager", team),
        "sd-head": ("Lee Patel", "head_of_service", None),
        "sd-scrutineer": ("Ruth Adeyemi", "partnership_scrutineer", None),
    }
    users = {
        username: make_user(
            council, role=role, team=in_team, username=username, name=name, password=password
        )
        for username, (name, role, in_team) in people.items()
    }
    worker = users["sd-practitioner"]
    ignored = do_record_concern(make_draft(), actor=worker).concern
    do_allocate(ignored.pk, worker_id=str(worker.pk), actor=SystemActor("test"))
    decided = do_record_concern(make_draft(), actor=worker).concern
    do_decide(decided.pk, "early_help", "The family asked for support", actor=worker)
    sweep(timezone.now())
    sweep(timezone.now() + timedelta(days=21))
    print(
        json.dumps(
            {
                "reference": ignored.reference,
                "concern_id": str(ignored.pk),
                "decided": decided.reference,
                "names": {u: p[0] for u, p in people.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
