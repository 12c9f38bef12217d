"""The people and concerns the screening browser test starts from, made with the factories
inside the served Tocsin's own database (run as ``python -m`` with the server's environment, as
``_casework_world`` is): a front door (MASH officer), a public report with no indicators, and a
child that a council and the police each screened with one significant sign. Prints JSON."""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.utils import timezone

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.domain.concerns import ChildDraft, IndicatorSeen
    from tocsin.domain.screening import default_scheme
    from tocsin.server.concerns.actions import PUBLIC, do_record_concern

    password = os.environ["SCREENING_PASSWORD"]
    council = make_agency("Westmoor Council", "council")
    police = make_agency("Westmoor Police", "police")
    mash = make_team(council, "Westmoor MASH")
    officer = make_user(
        council,
        role="mash_officer",
        team=mash,
        username="wm-mash-officer",
        name="Priya Shah",
        password=password,
    )
    practitioner = make_user(council, username="wm-practitioner", name="Dan Hughes")
    constable = make_user(police, role="police_officer", username="wm-constable")
    report = do_record_concern(
        make_draft(
            channel="public",
            children=[ChildDraft(given_name="Leah", family_name="Morgan", approximate_age=14)],
            narrative="A neighbour saw adults in a grey car collect the child from outside the "
            "flats late at night, several times this month.",
            vehicles=[],
            phones=[],
        ),
        actor=PUBLIC,
        follow_up=True,
    ).concern
    significant = [i.id for i in default_scheme().indicators if i.group == "significant"]
    today = timezone.localdate()
    shared = ChildDraft(given_name="Kai", family_name="Adeyemi", nhs_number="9990000026")
    recorded = [
        do_record_concern(
            make_draft(children=[shared], indicators=[IndicatorSeen(indicator, today)]),
            actor=actor,
        ).concern
        for actor, indicator in ((practitioner, significant[0]), (constable, significant[1]))
    ]
    print(
        json.dumps(
            {
                "report_id": str(report.pk),
                "reference": report.reference,
                "child": "Leah Morgan",
                "shared_child_id": str(recorded[0].child_links.get().child_id),
                "officer": officer.username,
            }
        )
    )


if __name__ == "__main__":
    main()
