"""A girl recorded by a school and by the police with her name spelt differently, and the
linkage engine's proposal that the two records are one child, waiting for the front door's
review; made with the factories inside the served Tocsin's database (run as ``python -m`` with
the server's environment). Prints what the browser test needs as JSON."""

from __future__ import annotations

import json
import os
from datetime import date


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.domain.concerns import ChildDraft
    from tocsin.domain.people import PeopleMatched
    from tocsin.server.concerns.actions import do_record_concern
    from tocsin.server.ledger.recording import record_events
    from tocsin.server.people.models import PersonMatch

    password = os.environ["CASEWORK_PASSWORD"]
    school = make_agency("Larchfield Academy", "education")
    police = make_agency("Eastmoor Police", "police")
    council = make_agency("Eastmoor Council", "council")
    teacher = make_user(
        school,
        team=make_team(school, "Larchfield pastoral"),
        username="rv-school",
        name="Nell Ashdown",
        password=password,
    )
    officer = make_user(
        police,
        role="police_officer",
        team=make_team(police, "Eastmoor CSE unit"),
        username="rv-police",
        name="Raj Mistry",
        password=password,
    )
    make_user(
        council,
        role="mash_officer",
        team=make_team(council, "Eastmoor MASH"),
        username="rv-mash",
        name="Ola Bankole",
        password=password,
    )
    concerns = []
    for user, given, family, postcode in (
        (teacher, "Zofia", "Wiśniewska", "ZZ4 2LA"),
        (officer, "Sofia", "Wisniewska", "ZZ4 7QP"),
    ):
        child = ChildDraft(
            given_name=given,
            family_name=family,
            date_of_birth=date(2011, 9, 14),
            sex="F",
            postcode=postcode,
        )
        concerns.append(do_record_concern(make_draft(children=[child]), actor=user).concern)
    known, new = concerns
    left, right = f"{known.reference}/child/0", f"{new.reference}/child/0"
    if not PersonMatch.objects.filter(left_id=left, right_id=right).exists():
        pair = {
            "left": left,
            "right": right,
            "probability": 0.87,
            "match_weight": 2.74,
            "weights": {
                "first_name": 2.1,
                "surname": 3.4,
                "date_of_birth": 6.2,
                "place": -1.8,
            },
            "status": "proposed",
        }
        record_events(
            [PeopleMatched(str(new.pk), "browser-test", 0.99, 0.5, [pair])],
            actor_id="system:browser-test",
        )
    match = PersonMatch.objects.get(left_id=left, right_id=right)
    print(
        json.dumps(
            {
                "match_id": str(match.pk),
                "status": match.status,
                "children": [str(c.child_links.get().child_id) for c in concerns],
            }
        )
    )


if __name__ == "__main__":
    main()
