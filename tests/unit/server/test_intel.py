"""Estimates in the server: the list builder's rule (factors, period, public reports, the
ledger prefix, the resolver), the action (an event and a projection row, or nothing at all),
and replay rebuilding every estimate exactly."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from tests.factories import ACTOR, make_agency, make_draft, make_partnership, make_user
from tests.factories.estimates import (
    BEFORE,
    FROM,
    IN_PERIOD,
    TODAY,
    ListsWorld,
    child,
    concern,
    make_lists_world,
)
from tocsin.domain.estimates import EstimateProduced
from tocsin.intel.estimate import estimate, read_capture_csv
from tocsin.intel.lists import capture_csv
from tocsin.server.actors import ActionRefused
from tocsin.server.concerns.actions import do_record_concerns
from tocsin.server.concerns.models import Child
from tocsin.server.intel.actions import (
    ESTIMATE_ROLES,
    EstimateRefused,
    do_produce_estimate,
)
from tocsin.server.intel.lists import build_agency_lists, concern_date_range
from tocsin.server.intel.models import EstimateRun
from tocsin.server.ledger.models import LedgerLeaf, LedgerPayload
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ListsWorld:
    return make_lists_world()


def histories(lists: Any) -> dict[tuple[str, ...], int]:
    """Capture histories by the names of their lists."""
    return {
        tuple(name for name, on in zip(lists.capture.names, h, strict=True) if on): n
        for h, n in lists.capture.histories()
    }


def test_the_rule_picks_agency_concerns_with_11a_or_24a_in_the_period(world: ListsWorld) -> None:
    lists = build_agency_lists(FROM, TODAY)
    assert [entry["name"] for entry in lists.lists] == [
        "Northgate Council",
        "Northgate Police",
        "Northgate Youth Service",
    ]
    assert [entry["children"] for entry in lists.lists] == [3, 3, 2]
    assert lists.lists[0]["agencies"] == [
        {"agency_id": str(world.council.pk), "name": "Northgate Council"}
    ]
    assert histories(lists) == {
        ("Northgate Council", "Northgate Police"): 2,  # children 1 and 3
        ("Northgate Council", "Northgate Youth Service"): 1,  # child 2
        ("Northgate Police",): 1,  # child 6
        ("Northgate Youth Service",): 1,  # child 7
    }
    assert lists.capture.persons == 5
    assert lists.public_reports == 1
    assert lists.left_out() == {"public_reports": 1}
    rule = lists.rule()
    assert rule["cin_factors"] == ["11A", "24A"]
    assert rule["person"] == "child-record"
    assert rule["lists"] == "agency"
    assert "not counted" in rule["screening"]


def test_the_period_includes_both_ends_and_nothing_outside(world: ListsWorld) -> None:
    assert histories(build_agency_lists(BEFORE, BEFORE)) == {("Northgate Council",): 1}
    assert build_agency_lists(IN_PERIOD, IN_PERIOD).capture.persons == 5
    nothing = build_agency_lists(IN_PERIOD + timedelta(days=1), TODAY)
    assert nothing.lists == []
    assert nothing.public_reports == 1  # the public report has no day: it counts by today
    with pytest.raises(ActionRefused, match="no agency recorded a concern"):
        do_produce_estimate(IN_PERIOD + timedelta(days=1), TODAY, actor=world.analyst)


def test_a_concern_without_a_day_counts_by_the_day_it_was_recorded(world: ListsWorld) -> None:
    concern(world.officer, 9, ["11A"], occurred=None)
    assert build_agency_lists(TODAY, TODAY).capture.sizes() == {"Northgate Police": 1}
    assert build_agency_lists(FROM, TODAY - timedelta(days=1)).capture.persons == 5


def test_lists_by_sector_join_the_agencies_of_a_sector(world: ListsWorld) -> None:
    second_council = make_agency("Southgate Council", "council")
    concern(make_user(second_council), 6, ["11A"])
    lists = build_agency_lists(FROM, TODAY, grouping="sector")
    assert [(e["name"], e["children"]) for e in lists.lists] == [
        ("Children's services", 4),
        ("Police", 3),
        ("Youth services", 2),
    ]
    assert [a["name"] for a in lists.lists[0]["agencies"]] == [
        "Northgate Council",
        "Southgate Council",
    ]
    assert histories(lists)[("Children's services", "Police")] == 3


def test_the_lists_come_from_a_prefix_of_the_ledger(world: ListsWorld) -> None:
    size = reading_ledger().size()
    before = build_agency_lists(FROM, TODAY)
    assert before.ledger_size == size
    concern(world.officer, 7, ["11A"])
    assert histories(build_agency_lists(FROM, TODAY)) != histories(before)
    assert histories(build_agency_lists(FROM, TODAY, ledger_size=size)) == histories(before)


class MergeSix:
    """A resolver that knows the police's child 6 is the youth service's child 7."""

    name = "test-merge"

    def __call__(self, child_ids: Collection[str]) -> Mapping[str, str]:
        six = str(Child.objects.get(family_name="Test-6").pk)
        seven = str(Child.objects.get(family_name="Test-7").pk)
        return {c: (seven if c == six else c) for c in child_ids}


def test_a_plugged_in_resolver_changes_the_lists(world: ListsWorld) -> None:
    lists = build_agency_lists(FROM, TODAY, resolver=MergeSix())
    assert lists.capture.persons == 4
    assert histories(lists)[("Northgate Police", "Northgate Youth Service")] == 1
    assert lists.rule()["person"] == "test-merge"
    run = do_produce_estimate(FROM, TODAY, bootstrap=0, resolver=MergeSix(), actor=world.analyst)
    assert run.rule["person"] == "test-merge"
    assert run.result["observed"] == 4


def test_names_the_engine_cannot_take_are_made_safe() -> None:
    p = make_partnership()
    odd = make_agency("Police: North + East", "police")
    count = make_agency("Count", "voluntary")
    concern(p.practitioner, 1, ["11A"])
    concern(make_user(odd), 1, ["11A"])
    concern(make_user(count), 2, ["11A"])
    names = [e["name"] for e in build_agency_lists(FROM, TODAY).lists]
    assert names == ["Count (list)", "Northgate Council", "Police North and East"]


def test_the_builder_takes_a_few_queries_whatever_the_number_of_concerns(
    django_assert_max_num_queries: Any,
) -> None:
    p = make_partnership()
    officer = make_user(p.police, role="police_officer")
    drafts = [
        make_draft(children=[child(n)], cin_factors=["11A" if n % 2 else "24A"]) for n in range(600)
    ]
    do_record_concerns(drafts, actor=p.practitioner, today=TODAY)
    do_record_concerns(drafts[::3], actor=officer, today=TODAY)
    with django_assert_max_num_queries(4):
        lists = build_agency_lists(FROM, TODAY)
    assert lists.capture.sizes() == {"Northgate Council": 600, "Northgate Police": 200}
    assert histories(lists)[("Northgate Council", "Northgate Police")] == 200


def test_producing_an_estimate_records_one_event_and_its_projection(world: ListsWorld) -> None:
    size = reading_ledger().size()
    run = do_produce_estimate(FROM, TODAY, method="main", bootstrap=20, seed=7, actor=world.analyst)
    assert reading_ledger().size() == size + 1
    leaf = LedgerLeaf.objects.get(seq=size)
    assert leaf.kind == "estimate.produced"
    assert leaf.subject == f"estimate:{run.pk}"
    payload = json.loads(bytes(LedgerPayload.objects.get(seq=size).body))
    event = EstimateProduced.from_payload(1, payload)
    assert event.period_from == FROM.isoformat() and event.period_to == TODAY.isoformat()
    assert event.ledger_size == size
    assert event.method == "main"
    assert event.settings == {"bootstrap": 20, "seed": 7, "merge_below": 0}
    assert event.left_out == {"public_reports": 1}
    assert event.capture_table["lists"] == [
        "Northgate Council",
        "Northgate Police",
        "Northgate Youth Service",
    ]
    assert sorted(h["count"] for h in event.capture_table["histories"]) == [1, 1, 1, 2]
    # Aggregate counts only: no child id or name anywhere in the payload.
    text = json.dumps(payload)
    for known in Child.objects.all():
        assert str(known.pk) not in text and known.family_name not in text
    assert event.result["ci_method"] == "bca"
    assert event.result["settings"]["bootstrap"] == 20
    assert event.result["observed"] == 5
    # The projection holds exactly what the event holds.
    assert run.produced_seq == size
    assert run.produced_by == f"user:{world.analyst.pk}"
    assert run.result == event.result
    assert run.capture_table == event.capture_table
    assert EstimateRun.objects.get().lists == event.lists
    assert verify_ledger().ok


def test_the_recorded_table_reproduces_the_recorded_figure(world: ListsWorld) -> None:
    run = do_produce_estimate(FROM, TODAY, bootstrap=50, seed=3, actor=world.analyst)
    lists = build_agency_lists(FROM, TODAY, ledger_size=run.ledger_size)
    text = capture_csv(lists.table())
    again = estimate(read_capture_csv(io.StringIO(text)), bootstrap=50, seed=3)
    assert again.as_json() == run.result
    assert np.array_equal(read_capture_csv(io.StringIO(text)).counts, lists.table().counts)


@pytest.mark.parametrize("role", sorted(ESTIMATE_ROLES))
def test_the_estimate_roles_may_produce_one(world: ListsWorld, role: str) -> None:
    user = make_user(world.police, role=role)
    assert do_produce_estimate(FROM, TODAY, bootstrap=0, actor=user).result["observed"] == 5


@pytest.mark.parametrize(
    "role", ["practitioner", "team_manager", "police_officer", "administrator"]
)
def test_other_roles_may_not_and_nothing_is_written(world: ListsWorld, role: str) -> None:
    user = make_user(world.police, role=role)
    size = reading_ledger().size()
    with pytest.raises(ActionRefused, match="only a user with the role"):
        do_produce_estimate(FROM, TODAY, actor=user)
    assert reading_ledger().size() == size


def test_a_system_actor_may_produce_one(world: ListsWorld) -> None:
    run = do_produce_estimate(FROM, TODAY, bootstrap=0, actor=ACTOR)
    assert run.produced_by == "system:factory"
    assert run.settings["seed"] is None  # no resamples, no seed


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"method": "magic"}, "method", "method must be one of"),
        ({"bootstrap": -1}, "bootstrap", "between 0 and 1000"),
        ({"bootstrap": 5000}, "bootstrap", "between 0 and 1000"),
        ({"seed": -4}, "seed", "0 or more"),
        ({"merge_below": -1}, "merge_below", "0 or more"),
        ({"grouping": "region"}, "", "unknown grouping"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(
    world: ListsWorld, options: dict[str, Any], field: str, message: str
) -> None:
    size = reading_ledger().size()
    with pytest.raises(EstimateRefused, match=message) as raised:
        do_produce_estimate(FROM, TODAY, actor=world.analyst, **options)
    assert raised.value.field == field
    assert reading_ledger().size() == size
    assert not EstimateRun.objects.exists()


def test_lists_the_engine_cannot_use_are_refused_with_its_message(world: ListsWorld) -> None:
    size = reading_ledger().size()
    # Only the council has a child before the period starts.
    with pytest.raises(EstimateRefused, match=r"only one list \(Northgate Council\)"):
        do_produce_estimate(BEFORE, BEFORE, actor=world.analyst)
    with pytest.raises(EstimateRefused, match="the period ends before it starts"):
        do_produce_estimate(TODAY, FROM, actor=world.analyst)
    assert reading_ledger().size() == size


def test_no_overlap_at_all_is_refused(world: ListsWorld) -> None:
    # Child 6 (police) and child 7 (youth service) only, on a day of their own.
    day = TODAY - timedelta(days=3)
    concern(world.officer, 10, ["24A"], occurred=day)
    concern(world.youth_worker, 11, ["11A"], occurred=day)
    size = reading_ledger().size()
    with pytest.raises(EstimateRefused, match="no child is on more than one of the lists"):
        do_produce_estimate(day, day, actor=world.analyst)
    assert reading_ledger().size() == size


def test_more_agencies_than_the_engine_takes_suggests_sectors() -> None:
    p = make_partnership()
    for n in range(13):
        school = make_agency(f"School {n:02d}", "education")
        concern(make_user(school), n, ["11A"])
        concern(p.practitioner, n, ["11A"])
    with pytest.raises(EstimateRefused, match="choose one list per sector"):
        do_produce_estimate(FROM, TODAY, actor=make_user(p.council, role="analyst"))


def test_bic_over_six_lists_is_refused_before_it_starts() -> None:
    p = make_partnership()
    staff = [make_user(make_agency(f"Agency {n}", "voluntary")) for n in range(6)]
    draw = random.Random(6)
    for n in range(30):
        for user in staff:
            if draw.random() < 0.5:
                concern(user, n, ["11A"])
    with pytest.raises(EstimateRefused, match="for 6 lists takes minutes") as raised:
        do_produce_estimate(FROM, TODAY, method="bic", actor=make_user(p.council, role="analyst"))
    assert raised.value.field == "method"


def test_replay_rebuilds_every_estimate_exactly(world: ListsWorld) -> None:
    do_produce_estimate(FROM, TODAY, bootstrap=30, actor=world.analyst)
    do_produce_estimate(FROM, TODAY, method="aic", bootstrap=0, actor=world.analyst)
    assert EstimateRun.objects.count() == 2
    report = verify_ledger()
    assert report.ok, report.problems


def test_concern_date_range(world: ListsWorld) -> None:
    assert concern_date_range() == (BEFORE, IN_PERIOD)


def test_concern_date_range_with_no_concerns() -> None:
    assert concern_date_range() is None
