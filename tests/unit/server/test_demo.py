"""The demonstration's loader: a simulated partnership through the ordinary actions, with the
agencies' records of children linked by the engine so that concerns about one child share one
child record, the agencies' lists overlap and the hidden number can be estimated."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.domain.concerns import valid_nhs_number
from tocsin.server.casework.models import Case, Contact, OutcomeRecord
from tocsin.server.concerns.models import Child, Concern, Screening
from tocsin.server.demo import (
    demo_review_pairs,
    demo_tables,
    link_demo_children,
    load_partnership,
)
from tocsin.server.directory.models import User
from tocsin.server.intel.actions import do_produce_estimate
from tocsin.server.intel.lists import concern_date_range
from tocsin.server.verify import verify_ledger
from tocsin.simulate import PERSON_NUMBERS, SPARE_NUMBERS, World, simulate

pytestmark = pytest.mark.django_db

TABLES = (
    "records/agencies",
    "records/teams",
    "records/staff",
    "records/persons",
    "records/concerns",
    "records/decisions",
)


def _truth(world: World) -> dict[str, str]:
    return {r["record_id"]: r["person_id"] for r in world["truth/record_identity"].dicts()}


def _subject_records(world: World) -> list[dict[str, object]]:
    subjects = set(world["records/concerns"].column("subject_record_id"))
    return [row for row in world["records/persons"].dicts() if row["record_id"] in subjects]


def test_linked_clusters_get_the_number_their_records_hold_or_a_spare_one() -> None:
    world = simulate(seed=1, scale="small")
    persons = _subject_records(world)
    linkage = link_demo_children(persons, list(world["records/agencies"].dicts()))
    assert not linkage.skipped and linkage.seconds > 0
    assert set(linkage.cluster_of) == {row["record_id"] for row in persons}
    # The engine put records together: fewer clusters than records.
    assert len(linkage.numbers) < len(persons)
    held = {
        row["record_id"]: row["nhs_number"]
        for row in persons
        if row["nhs_number"] and valid_nhs_number(str(row["nhs_number"]))
    }
    spare = 0
    for cluster, number in linkage.numbers.items():
        assert valid_nhs_number(number)
        members = [r for r, c in linkage.cluster_of.items() if c == cluster]
        own = {held[r] for r in members if r in held}
        if own:
            assert number in own
            assert PERSON_NUMBERS[0] <= int(number) // 10 < PERSON_NUMBERS[1]
        else:
            spare += 1
            assert SPARE_NUMBERS[0] <= int(number) // 10 < SPARE_NUMBERS[1]
    assert spare > 0
    spares = [n for n in linkage.numbers.values() if int(n) // 10 >= SPARE_NUMBERS[0]]
    assert len(set(spares)) == len(spares) == spare
    # Deterministic: the same records give the same clusters and numbers.
    again = link_demo_children(persons, list(world["records/agencies"].dicts()))
    assert again.cluster_of == linkage.cluster_of and again.numbers == linkage.numbers
    # Pairs for review lie between the review and link thresholds.
    assert all(0.5 <= p.match_probability < 0.9 for p in linkage.review)


def test_too_few_records_to_link_load_each_record_as_its_own_child() -> None:
    rows = [
        {
            "record_id": "R1",
            "agency_id": "A1",
            "given_name": "Amara",
            "family_name": "Okafor",
            "date_of_birth": "2011-03-04",
            "nhs_number": None,
        },
    ]
    linkage = link_demo_children(rows)
    assert linkage.skipped and linkage.cluster_of == {"R1": "R1"}
    assert SPARE_NUMBERS[0] <= int(linkage.nhs_number("R1")) // 10


def test_the_small_demo_gives_lists_that_overlap_and_an_estimate() -> None:
    world = simulate(seed=1, scale="small")
    # Nothing from truth/: the demo resolves children by linkage alone.
    tables = {name: list(world[name].dicts()) for name in TABLES}
    load = load_partnership(tables)
    assert load.concerns > 200
    # Records of one child at two agencies that share no NHS number load as one child when
    # the engine links them (as nearly all are): linkage, not the number, put them together.
    truth = _truth(world)
    rows = {r["record_id"]: r for r in tables["records/persons"]}
    loaded = sorted(load.children)
    apart = together = 0
    for i, left in enumerate(loaded):
        for right in loaded[i + 1 :]:
            a, b = rows[left], rows[right]
            shared = a["nhs_number"] and a["nhs_number"] == b["nhs_number"]
            if truth[left] != truth[right] or shared or a["agency_id"] == b["agency_id"]:
                continue
            if load.children[left] == load.children[right]:
                together += 1
            else:
                apart += 1
    assert together > 10 and together >= 9 * apart, (together, apart)
    for pair in demo_review_pairs(load):
        assert pair.left_child != pair.right_child
        assert 0.5 <= pair.pair.match_probability < 0.9
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


def test_the_demo_keeps_only_the_person_records_its_concerns_are_about() -> None:
    world = simulate(seed=2, scale="small")
    tables = demo_tables(world)
    subjects = {row["subject_record_id"] for row in tables["records/concerns"]}
    assert {row["record_id"] for row in tables["records/persons"]} == subjects & {
        row["record_id"] for row in world["records/persons"].dicts()
    }
    assert len(tables["records/persons"]) < len(world["records/persons"])
    assert not any(name.startswith("truth/") for name in tables)
    assert len(tables["records/concerns"]) == len(world["records/concerns"])


def test_the_demo_shows_a_planted_network_and_its_alert() -> None:
    from tocsin.server.concerns.models import Concern
    from tocsin.server.networks.models import AlertedPattern

    world = simulate(seed=1, scale="small")
    load = load_partnership(demo_tables(world))
    assert load.pattern_alerts >= 1
    alerted = AlertedPattern.objects.order_by("-size").first()
    assert alerted is not None and alerted.size >= 3
    concern = Concern.objects.get(pk=alerted.concern_id)
    assert concern.channel == "pattern"
    assert f"linked to {alerted.size} children" in concern.narrative
