"""A child known to three agencies (a school, the police, the council) and the front door,
made with the factories inside the served Tocsin's database (run as ``python -m`` with the
server's environment). The council's concern has been allocated and decided, and a home
visit recorded. Prints what the browser test needs as JSON."""

from __future__ import annotations

import json
import os
from datetime import date

NARRATIVES = {
    "ch-school": "Staff saw her getting into a grey car at the school gate after lessons.",
    "ch-police": "Intelligence: a phone linked to a flat where children are taken at night.",
    "ch-council": "A youth worker saw her with adults at the takeaway on the high street.",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.domain.concerns import ChildDraft, IndicatorSeen
    from tocsin.domain.screening import default_scheme
    from tocsin.server.casework.actions import do_allocate, do_decide, do_record_contact
    from tocsin.server.concerns.actions import do_record_concern

    password = os.environ["CASEWORK_PASSWORD"]
    school = make_agency("Hillside School", "education")
    police = make_agency("Northshire Police", "police")
    council = make_agency("Northshire Council", "council")
    people = {
        "ch-school": ("Priya Lane", "practitioner", school, make_team(school, "Pastoral")),
        "ch-police": ("Tam Ferris-Oke", "police_officer", police, make_team(police, "CSE unit")),
        "ch-council": ("Dee Okoro", "practitioner", council, make_team(council, "Exploitation")),
        "ch-mash": ("Lee Brand", "mash_officer", council, make_team(council, "Northshire MASH")),
    }
    users = {
        username: make_user(
            agency, role=role, team=team, username=username, name=name, password=password
        )
        for username, (name, role, agency, team) in people.items()
    }
    mild = [i.id for i in default_scheme().indicators if i.group != "significant"][:2]
    concerns = {}
    for username, narrative in NARRATIVES.items():
        child = ChildDraft(
            given_name="Maja",
            family_name="Thornbury",
            date_of_birth=date(2012, 5, 1),
            sex="F",
            nhs_number="9990000018",
        )
        draft = make_draft(
            children=[child],
            narrative=narrative,
            indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in mild],
        )
        concerns[username] = do_record_concern(draft, actor=users[username]).concern
    mine = concerns["ch-council"]
    do_allocate(mine.pk, worker_id=str(users["ch-council"].pk), actor=users["ch-mash"])
    do_decide(
        mine.pk,
        "assessment",
        "Indicators of exploitation from three agencies need an assessment",
        actor=users["ch-council"],
    )
    do_record_contact(
        mine.pk,
        with_whom="child",
        method="home_visit",
        happened_on=date(2026, 11, 20),
        made=True,
        seen_alone=True,
        summary="Seen alone at home; she talked about the takeaway and the car.",
        actor=users["ch-council"],
    )
    print(
        json.dumps(
            {
                "child_id": str(mine.child_links.get().child_id),
                "concerns": {
                    u: {"id": str(c.pk), "reference": c.reference} for u, c in concerns.items()
                },
                "narratives": NARRATIVES,
                "names": {u: p[0] for u, p in people.items()},
                "agencies": {u: p[2].name for u, p in people.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
