"""The people and records the statistics browser test starts from, made with the factories
inside the served Tocsin's own database (run as ``python -m`` with the server's environment):
a front door officer, a team manager, six concerns naming child sexual exploitation, one child
regraded out of exploitation with a reason, and a signed checkpoint. Prints JSON."""

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
    from tocsin.domain.screening import scheme
    from tocsin.server.casework.actions import do_sign_off
    from tocsin.server.casework.models import Decision
    from tocsin.server.concerns.actions import do_record_concern, do_regrade_risk
    from tocsin.server.concerns.models import Screening
    from tocsin.server.ledger.checkpoints import sign_checkpoint_now

    password = os.environ["STATISTICS_PASSWORD"]
    council = make_agency("Southmere Council", "council")
    mash = make_team(council, "Southmere front door")
    team = make_team(council, "Southmere exploitation team")
    make_user(council, role="mash_officer", team=mash, username="st-mash", password=password)
    worker = make_user(council, team=team, username="st-worker", password=password)
    manager = make_user(
        council, role="team_manager", team=team, username="st-manager", password=password
    )
    significant = [i.id for i in scheme().indicators if i.group == "significant"][:4]
    concerns = [
        do_record_concern(
            make_draft(
                indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in significant],
                cin_factors=["11A"],
            ),
            actor=worker,
        ).concern
        for _ in range(6)
    ]
    screening = Screening.objects.get(concern=concerns[0])
    reason = "Seen at home with the family; the adults named have moved away"
    do_regrade_risk(concerns[0].pk, screening.pk, "not-at-risk", reason, actor=worker)
    proposal = Decision.objects.get(concern=concerns[0], to_band="not-at-risk")
    do_sign_off(proposal.pk, True, "Agreed on the evidence", actor=manager)
    checkpoint, _ = sign_checkpoint_now()
    print(json.dumps({"size": checkpoint.size, "reason": reason}))


if __name__ == "__main__":
    main()
