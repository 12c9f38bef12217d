"""The people and the caseload the capacity-alarm browser test starts from, made with the
factories inside the served Tocsin's own database (run as ``python -m`` with the server's
environment). ``raise``: a worker given one case more than the policy's capacity; ``fall``:
enough of those cases given to a colleague that the alarm clears at the next sweep. Prints what
the test needs as JSON."""

from __future__ import annotations

import json
import os
import sys


def main(step: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()

    from tests.factories import make_agency, make_draft, make_team, make_user
    from tocsin.server.casework.actions import do_allocate
    from tocsin.server.casework.models import Case
    from tocsin.server.clocks.sweep import clocks_policy
    from tocsin.server.concerns.actions import do_record_concern
    from tocsin.server.directory.models import User

    spec = clocks_policy().capacity
    assert spec is not None
    if step == "raise":
        password = os.environ["CAPACITY_PASSWORD"]
        council = make_agency("Eastmere Council", "council")
        mash = make_team(council, "Eastmere MASH")
        team = make_team(council, "Eastmere exploitation team")
        people = {
            "em-mash": ("Dee Moss", "mash_officer", mash),
            "em-worker": ("Kit Lowe", "practitioner", team),
            "em-colleague": ("Ash Penn", "practitioner", team),
            "em-manager": ("Lee Hart", "team_manager", team),
            "em-head": ("Mo Grant", "head_of_service", None),
        }
        users = {
            username: make_user(
                council, role=role, team=in_team, username=username, name=name, password=password
            )
            for username, (name, role, in_team) in people.items()
        }
        for _ in range(spec.worker_caseload + 1):
            concern = do_record_concern(make_draft(), actor=users["em-worker"]).concern
            do_allocate(concern.pk, worker_id=str(users["em-worker"].pk), actor=users["em-mash"])
        print(
            json.dumps(
                {"capacity": spec.worker_caseload, "names": {u: p[0] for u, p in people.items()}}
            )
        )
        return
    worker = User.objects.get(username="em-worker")
    colleague = User.objects.get(username="em-colleague")
    mash = User.objects.get(username="em-mash")
    cases = list(Case.objects.filter(owner=worker).exclude(status="closed"))
    keep = spec.clears_at(spec.worker_caseload)
    for case in cases[: len(cases) - keep]:
        do_allocate(case.concern_id, worker_id=str(colleague.pk), actor=mash)
    print(json.dumps({"left": keep}))


if __name__ == "__main__":
    main(sys.argv[1])
