"""The demonstration's loader: a simulated partnership through the ordinary actions, with the
children's NHS numbers making concerns about one child share one child record, so that the
agencies' lists overlap and the hidden number can be estimated."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.domain.concerns import valid_nhs_number
from tocsin.server.casework.models import Case, Contact, OutcomeRecord
from tocsin.server.concerns.models import Child, Concern, Screening
from tocsin.server.demo import DemoNhsNumbers, load_partnership
from tocsin.server.directory.models import User
from tocsin.server.intel.actions import do_produce_estimate
from tocsin.server.intel.lists import concern_date_range
from tocsin.server.verify import verify_ledger
from tocsin.simulate import simulate

pytestmark = pytest.mark.django_db

TABLES = (
    "records/agencies",
    "records/teams",
    "records/staff",
    "records/persons",
    "records/concerns",
    "records/decisions",
    "truth/record_identity",
)


def test_nhs_numbers_are_valid_one_per_person_and_never_issued() -> None:
    numbers = DemoNhsNumbers({"R1": "P1", "R2": "P2", "R3": "P1"})
    first, second, again = (numbers.for_record(r) for r in ("R1", "R2", "R3"))
    assert first == again != second
    assert all(valid_nhs_number(n) and n.startswith("999") for n in (first, second))
    assert numbers.for_record("unknown record") == ""
    many = DemoNhsNumbers({f"R{i}": f"P{i}" for i in range(2000)})
    issued = [many.for_record(f"R{i}") for i in range(2000)]
    assert len(set(issued)) == 2000 and all(valid_nhs_number(n) for n in issued)


def test_the_small_demo_gives_lists_that_overlap_and_an_estimate() -> None:
    world = simulate(seed=1, scale="small")
    tables = {name: list(world[name].dicts()) for name in TABLES}
    load = load_partnership(tables)
    assert load.concerns > 200
    # Case work drawn from the simulator's decisions: full trays, and a proposal waiting.
    assert load.allocations > 0 and load.decisions > 0 and load.sign_offs > 0
    assert load.awaiting >= 1
    # The work after a decision: visits, case notes and outcomes, so the chronology has them.
    assert load.contacts > 0 and load.notes == load.contacts and load.outcomes > 0
    assert (
        Contact.objects.filter(made=False).exists() and Contact.objects.filter(made=True).exists()
    )
    assert set(OutcomeRecord.objects.values_list("outcome", flat=True)) >= {"no_further_action"}
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "in_progress", "awaiting_sign_off", "closed"} <= statuses, statuses
    assert User.objects.filter(role="mash_manager").exists()
    # Public reports, most screened by the front door afterwards, one with a sighting too old
    # to count; their cases carry the band to the front door's tray.
    assert load.public_reports >= 6 and 0 < load.public_screened < load.public_reports
    reports = Concern.objects.filter(channel="public")
    assert reports.count() == load.public_reports
    screened = Screening.objects.filter(concern__channel="public")
    assert screened.count() == load.public_screened
    assert {s.concern_id for s in screened} < {r.pk for r in reports}
    assert any(any(c["points"] == 0 for c in s.contributions) for s in screened)
    bands = Case.objects.filter(concern__channel="public").exclude(band="")
    assert bands.count() == load.public_screened
    # Concerns about one child from several agencies share the child's record.
    assert Child.objects.count() < Concern.objects.count()
    shared = [
        child
        for child in Child.objects.prefetch_related("concern_links__concern")
        if len({link.concern.agency_id for link in child.concern_links.all()}) > 1
    ]
    assert shared
    span = concern_date_range()
    assert span is not None and span[0] >= date(2022, 1, 1)
    analyst = User.objects.filter(role="analyst").first()
    run = do_produce_estimate(*span, bootstrap=0, actor=analyst)
    assert run.result["observed"] >= 10
    assert len(run.lists) >= 4
    assert verify_ledger().ok
