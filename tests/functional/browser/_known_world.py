"""The people and concerns the already-known browser test starts from, made with the factories
inside the served Tocsin's own database (run as ``python -m`` with the server's environment, as
``_casework_world`` is): a council that already holds a concern about a girl (synthetic), and a
police officer of another agency, who may not see it. Prints JSON."""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from datetime import date

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.domain.concerns import ChildDraft
    from tocsin.server.casework.actions import do_allocate
    from tocsin.server.concerns.actions import do_record_concern

    password = os.environ["KNOWN_PASSWORD"]
    council = make_agency("Harrowby Council", "council")
    police = make_agency("Harrowby Police", "police")
    team = make_team(council, "Harrowby Exploitation Team")
    worker = make_user(
        council, username="hb-practitioner", name="Ruth Ames", team=team, password=password
    )
    manager = make_user(council, role="team_manager", username="hb-manager", team=team)
    constable = make_user(police, role="police_officer", username="hb-constable", password=password)
    known = do_record_concern(
        make_draft(
            children=[
                ChildDraft(
                    given_name="Nadia",
                    family_name="Brightwater",
                    date_of_birth=date(2012, 2, 9),
                    sex="F",
                    postcode="ZZ9 4EB",
                )
            ]
        ),
        actor=worker,
    ).concern
    do_allocate(known.pk, worker_id=str(worker.pk), actor=manager)
    print(
        json.dumps(
            {
                "constable": constable.username,
                "council": council.name,
                "owner": worker.display_name,
                "reference": known.reference,
            }
        )
    )


if __name__ == "__main__":
    main()
