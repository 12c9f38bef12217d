"""The people and records the network browser tests start from, made with the factories inside
the served Tocsin's own database (run as ``python -m`` with the server's environment): an
analyst and a practitioner of a partnership of three agencies, and concerns naming children,
adults, vehicles, phones and places drawn from fixed pools, so that the network holds about
NETWORK_ENTITIES entities (3,000 for the large test). Prints JSON."""

from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()

    from tests.factories import make_agency, make_user
    from tocsin.domain.concerns import (
        ChildDraft,
        ConcernDraft,
        PersonDraft,
        PlaceDraft,
        VehicleDraft,
    )
    from tocsin.server.concerns.actions import do_record_concerns

    password = os.environ["NETWORK_PASSWORD"]
    entities = int(os.environ.get("NETWORK_ENTITIES", "3000"))
    council = make_agency("Eastwick Council", "council")
    police = make_agency("Eastwick Police", "police")
    partnership = make_agency("Eastwick Safeguarding Partnership", "partnership")
    make_user(partnership, role="analyst", username="nw-analyst", password=password)
    make_user(council, username="nw-practitioner", password=password)
    reporters = [make_user(council, username=f"nw-worker-{i}") for i in range(3)]
    reporters += [
        make_user(police, role="police_officer", username=f"nw-officer-{i}") for i in range(2)
    ]
    rng = random.Random(16)
    # Half children; the rest adults, vehicles, phones and places in equal parts.
    children = entities // 2
    each = (entities - children) // 4
    letters = "ABCDEFGHJKLMNPRSTUVWXY"
    plates = [
        "".join(rng.choice(letters) for _ in range(2))
        + f"{10 + i % 60:02d}"
        + "".join(rng.choice(letters) for _ in range(3))
        for i in range(each)
    ]
    plates = list(dict.fromkeys(plates))
    phones = [f"07700 9{i:05d}" for i in range(each)]
    given = [
        "Aaron",
        "Bilal",
        "Craig",
        "Dariusz",
        "Emeka",
        "Farhan",
        "Gary",
        "Hassan",
        "Imran",
        "Jamal",
    ]
    family = [
        "Ashworth",
        "Begum",
        "Carver",
        "Dunmore",
        "Ellery",
        "Fenwick",
        "Garside",
        "Holroyd",
        "Ibbotson",
        "Jowett",
    ]
    adults = [
        f"{given[i % 10]} {family[(i // 10) % 10]}{'' if i < 100 else f'-{i}'}" for i in range(each)
    ]
    places = [
        (
            f"{i + 1} Mill Street",
            f"ZZ{1 + i % 9} {1 + i % 9}{letters[i % 22]}{letters[(i * 7) % 22]}",
        )
        for i in range(each)
    ]
    drafts = []
    first_day = date(2026, 1, 5)

    def near(home: int) -> int:
        return (home + rng.randrange(-3, 4)) % each

    for n in range(children):
        # Each child is named once or twice, with entities from one neighbourhood of the pools.
        home = rng.randrange(each)
        for _ in range(1 + (n % 2)):
            place = places[near(home)]
            drafts.append(
                ConcernDraft(
                    children=[
                        ChildDraft(
                            given_name=f"Nwchild{n}",
                            family_name="Eastwick",
                            approximate_age=13 + n % 4,
                        )
                    ],
                    narrative="Adults have been contacting the child, who may have been groomed.",
                    occurred_on=first_day + timedelta(days=rng.randrange(300)),
                    persons=[PersonDraft(names=[adults[near(home)]])],
                    vehicles=[VehicleDraft(registration=plates[near(home) % len(plates)])],
                    phones=[phones[near(home)]],
                    places=[PlaceDraft(name=place[0], postcode=place[1])],
                    cin_factors=["11A"] if n % 3 else ["24A"],
                )
            )
    today = date(2026, 12, 1)
    for i in range(0, len(drafts), 400):
        reporter = reporters[(i // 400) % len(reporters)]
        do_record_concerns(drafts[i : i + 400], actor=reporter, today=today)
    print(json.dumps({"concerns": len(drafts), "adult": adults[0], "child": "Nwchild0 Eastwick"}))


if __name__ == "__main__":
    main()
