"""A concern the police recorded, which the front door allocated to the council and decided
("early help"); a police officer to challenge that decision, the council's head of service
(in the decider's line, who may not answer) and the partnership's independent scrutineer (who
answers). Made with the factories inside the served Tocsin's database (run as ``python -m``
with the server's environment). Prints what the browser test needs as JSON."""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.domain.concerns import ChildDraft
    from tocsin.server.casework.actions import do_allocate, do_decide
    from tocsin.server.concerns.actions import do_record_concern

    password = os.environ["CASEWORK_PASSWORD"]
    police = make_agency("Eastshire Police", "police")
    council = make_agency("Eastshire Council", "council")
    mash = make_team(council, "Eastshire MASH")
    team = make_team(council, "Eastshire exploitation team")
    people = {
        "cg-officer": ("Rhian Marsh", "police_officer", police, make_team(police, "CSE unit")),
        "cg-mash": ("Omar Patel", "mash_officer", council, mash),
        "cg-head": ("Ruth Keane", "head_of_service", council, None),
        "cg-scrutineer": ("Dr Ade Bello", "partnership_scrutineer", council, None),
    }
    users = {
        username: make_user(
            agency, role=role, team=group, username=username, name=name, password=password
        )
        for username, (name, role, agency, group) in people.items()
    }
    draft = make_draft(
        children=[ChildDraft(given_name="Lena", family_name="Morrow", sex="F")],
        narrative="Seen three times in a grey car with adults outside the takeaway at night.",
    )
    concern = do_record_concern(draft, actor=users["cg-officer"]).concern
    do_allocate(concern.pk, team_id=str(team.pk), actor=users["cg-mash"])
    decision = do_decide(
        concern.pk,
        "early_help",
        "The family asked for support with her school attendance",
        actor=users["cg-mash"],
    ).decision_id
    print(
        json.dumps(
            {
                "concern": {"id": str(concern.pk), "reference": concern.reference},
                "decision": decision,
                "names": {u: p[0] for u, p in people.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
