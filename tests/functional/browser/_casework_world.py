"""The people and the concern the case-work browser test starts from, made with the factories
inside the served Tocsin's own database (run as ``python -m`` with the server's environment,
since the browser sees a server in another process). Prints what the test needs as JSON."""

from __future__ import annotations

import json
import os
from datetime import date


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.domain.concerns import IndicatorSeen
    from tocsin.domain.screening import default_scheme
    from tocsin.server.concerns.actions import do_record_concern

    password = os.environ["CASEWORK_PASSWORD"]
    council = make_agency("Eastbrook Council", "council")
    mash = make_team(council, "Eastbrook MASH")
    team = make_team(council, "Eastbrook exploitation team")
    people = {
        "mash-officer": ("Jo Marsh", "mash_officer", mash),
        "mash-manager": ("Alex Reid", "mash_manager", mash),
        "eb-practitioner": ("Robin Ellis", "practitioner", team),
        "eb-team-manager": ("Sam Carter", "team_manager", team),
    }
    users = {
        username: make_user(
            council, role=role, team=in_team, username=username, name=name, password=password
        )
        for username, (name, role, in_team) in people.items()
    }
    indicator = default_scheme().indicators[0]
    recorded = do_record_concern(
        make_draft(indicators=[IndicatorSeen(indicator.id, date(2026, 11, 1))]),
        actor=users["eb-practitioner"],
    )
    print(
        json.dumps(
            {
                "reference": recorded.concern.reference,
                "concern_id": str(recorded.concern.pk),
                "names": {u: p[0] for u, p in people.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
