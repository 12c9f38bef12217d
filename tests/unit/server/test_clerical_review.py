"""Clerical review, merges and splits (issue 15): a proposed match is confirmed or rejected by
the front door with a reason, an event and a training label; confirming two child records as
one child merges them into one chronology; a split undoes it; the pages show both records and
the engine's explanation, refuse everyone else, and replay rebuilds it all."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from tests.factories import ACTOR, make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import ChildDraft
from tocsin.domain.people import PeopleMatched
from tocsin.server.actors import ActionRefused, Invalid, NotVisible, actor_id
from tocsin.server.casework.chronology import child_chronology
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import record_events
from tocsin.server.people.merges import group_of, root_of
from tocsin.server.people.models import ChildMerge, MatchReview, PersonMatch
from tocsin.server.people.review import (
    do_merge_children,
    do_review_match,
    do_split_children,
    explanation,
    labelled_pairs,
    review_tray,
)
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db

WEIGHTS = {"first_name": 3.25, "surname": 4.5, "date_of_birth": -1.5, "place": 0.75}


def _concern(user: Any, given: str, family: str) -> Concern:
    child = ChildDraft(given_name=given, family_name=family, sex="F")
    return do_record_concern(make_draft(children=[child]), actor=user).concern


def _world() -> dict[str, Any]:
    council = make_agency("Review Council", "council")
    police = make_agency("Review Police", "police")
    mash = make_team(council, "Review MASH")
    team = make_team(council, "Review team")
    world = {
        "officer": make_user(council, role="mash_officer", team=mash),
        "manager": make_user(council, role="mash_manager", team=mash),
        "practitioner": make_user(council, team=team),
        "constable": make_user(police, role="police_officer"),
        "analyst": make_user(council, role="analyst"),
    }
    world["school_concern"] = _concern(world["practitioner"], "Zuleika", "Brightwater")
    world["police_concern"] = _concern(world["constable"], "Zuleyka", "Brightwatter")
    return world


def _propose(known: Concern, new: Concern, *, kind: str = "child") -> PersonMatch:
    """The engine's proposal, as the recording action appends it."""
    left, right = f"{known.reference}/{kind}/0", f"{new.reference}/{kind}/0"
    event = PeopleMatched(
        concern_id=str(new.pk),
        model="test",
        link_threshold=0.99,
        review_threshold=0.5,
        pairs=[
            {
                "left": left,
                "right": right,
                "probability": 0.9,
                "match_weight": 3.17,
                "weights": WEIGHTS,
                "status": "proposed",
            }
        ],
    )
    record_events([event], actor_id=actor_id(ACTOR))
    return PersonMatch.objects.get(left_id=left, right_id=right)


def _children(world: dict[str, Any]) -> tuple[str, str]:
    school = str(world["school_concern"].child_links.get().child_id)
    police = str(world["police_concern"].child_links.get().child_id)
    return school, police


def test_confirming_a_child_match_with_merge_gives_one_chronology() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    school, police = _children(world)
    # Before: the practitioner sees only the school's concern about her.
    before = child_chronology(world["practitioner"], school)
    assert [c.pk for c in before.concerns] == [world["school_concern"].pk]

    do_review_match(
        match.pk, "confirmed", "Same date of birth and school", merge=True, actor=world["officer"]
    )

    match.refresh_from_db()
    assert match.status == "confirmed"
    assert match.decided_by == f"user:{world['officer'].pk}"
    review = MatchReview.objects.get(match=match)
    assert review.reason == "Same date of birth and school"
    merge = ChildMerge.objects.get()
    assert (str(merge.survivor_id), str(merge.merged_id)) == (school, police)
    assert root_of(police) == school
    assert sorted(group_of(police)) == sorted([school, police])
    # The front door sees both concerns under one child, from either record.
    for either in (school, police):
        chronology = child_chronology(world["officer"], either)
        assert str(chronology.child.pk) == school
        assert {c.pk for c in chronology.concerns} == {
            world["school_concern"].pk,
            world["police_concern"].pk,
        }
    # Need-to-know still holds: the practitioner sees the school's concern, and is told the
    # police hold more, not what.
    after = child_chronology(world["practitioner"], school)
    assert [c.pk for c in after.concerns] == [world["school_concern"].pk]
    assert [h.holder for h in after.held_elsewhere] == ["Review Police"]
    assert labelled_pairs() == [(match.left_id, match.right_id, True)]


def test_a_split_gives_each_record_its_own_chronology_again() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    _, police = _children(world)
    do_review_match(match.pk, "confirmed", "Same date of birth", merge=True, actor=world["officer"])
    merge = ChildMerge.objects.get()

    with pytest.raises(Invalid):
        do_split_children(merge.pk, "", actor=world["manager"])
    with pytest.raises(ActionRefused):
        do_split_children(merge.pk, "They are twins, not one girl", actor=world["practitioner"])
    do_split_children(merge.pk, "They are twins, not one girl", actor=world["manager"])

    merge.refresh_from_db()
    assert merge.split_seq is not None and not merge.in_force
    assert root_of(police) == police
    chronology = child_chronology(world["officer"], police)
    assert [c.pk for c in chronology.concerns] == [world["police_concern"].pk]
    # A merge is split once.
    with pytest.raises(NotVisible):
        do_split_children(merge.pk, "They are twins, not one girl", actor=world["manager"])


def test_a_rejection_is_a_negative_label_and_merges_nothing() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    do_review_match(
        match.pk, "rejected", "Different schools and parents", merge=True, actor=world["officer"]
    )
    match.refresh_from_db()
    assert match.status == "rejected"
    assert not ChildMerge.objects.exists()
    assert labelled_pairs() == [(match.left_id, match.right_id, False)]
    assert not review_tray(world["officer"]).exists()


@pytest.mark.parametrize(
    ("decision", "reason", "field"),
    [
        ("", "Same date of birth", "decision"),
        ("confirmed", "", "reason"),
        ("maybe", "x" * 20, "decision"),
        ("confirmed", "short", "reason"),
    ],
)
def test_a_bad_review_is_refused_and_writes_nothing(decision: str, reason: str, field: str) -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    leaves = LedgerLeaf.objects.count()
    with pytest.raises(Invalid) as refused:
        do_review_match(match.pk, decision, reason, merge=True, actor=world["officer"])
    assert field in {p.field for p in refused.value.problems}
    assert LedgerLeaf.objects.count() == leaves
    match.refresh_from_db()
    assert match.status == "proposed"


def test_only_the_front_door_reviews_and_a_match_is_decided_once() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    for role in ("practitioner", "constable", "analyst"):
        with pytest.raises(ActionRefused):
            do_review_match(match.pk, "confirmed", "Same date of birth", actor=world[role])
    do_review_match(match.pk, "confirmed", "Same date of birth", actor=world["manager"])
    with pytest.raises(Invalid):
        do_review_match(match.pk, "rejected", "Changed my mind on it", actor=world["officer"])
    with pytest.raises(NotVisible):
        do_review_match(uuid.uuid4(), "confirmed", "Same date of birth", actor=world["officer"])


def test_merging_refuses_one_child_twice_and_merges_through_roots() -> None:
    world = _world()
    school, police = _children(world)
    third = _concern(world["practitioner"], "Zuleika", "Bright-Water")
    other = str(third.child_links.get().child_id)
    do_merge_children(school, police, "Same NHS number on both", actor=world["officer"])
    with pytest.raises(Invalid):
        do_merge_children(school, police, "Same NHS number on both", actor=world["officer"])
    with pytest.raises(Invalid):
        do_merge_children(police, school, "Same NHS number on both", actor=world["officer"])
    # Merging into a merged record merges into the record it is merged into.
    do_merge_children(police, other, "Same date of birth and address", actor=world["officer"])
    assert root_of(other) == school
    assert sorted(group_of(school)) == sorted([school, police, other])
    with pytest.raises(NotVisible):
        do_merge_children(school, "not-a-child", "Same date of birth", actor=world["officer"])


def test_the_explanation_adds_up_to_the_match_weight() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    shown = explanation(match)
    assert [r.field for r in shown.rows] == ["surname", "first_name", "date_of_birth", "place"]
    assert sum(r.weight for r in shown.rows) + shown.prior == pytest.approx(match.match_weight)
    assert shown.rows[2].direction == "Against"
    assert shown.probability == 0.9


def test_replay_rebuilds_reviews_merges_and_splits() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    do_review_match(match.pk, "confirmed", "Same date of birth", merge=True, actor=world["officer"])
    do_split_children(
        ChildMerge.objects.get().pk, "They are twins after all", actor=world["manager"]
    )
    report = verify_ledger()
    assert report.ok, report


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages_show_both_records_and_the_weights_and_record_the_decision() -> None:
    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    client = _signed_in(world["officer"])
    tray = client.get("/people/review/")
    assert tray.status_code == 200
    assert f"/people/review/{match.pk}/" in tray.content.decode()
    # A page far beyond the last made an offset no database column holds (a server error);
    # any page that is not a page number shows the first, and one beyond shows the last.
    for page_asked in ("9" * 18, "9" * 40, "9" * 5000, "-5", "²"):
        beyond = client.get("/people/review/", {"page": page_asked})
        assert beyond.status_code == 200, page_asked
        assert f"/people/review/{match.pk}/" in beyond.content.decode(), page_asked
    page = client.get(f"/people/review/{match.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Zuleika" in html and "Zuleyka" in html
    assert (
        'id="explanation"' in html and "+4.50" in html and "−1.50" in html.replace("-1.50", "−1.50")
    )
    refused = client.post(f"/people/review/{match.pk}/", {"decision": "confirmed", "reason": ""})
    assert refused.status_code == 400
    assert "Enter the reason" in refused.content.decode()
    done = client.post(
        f"/people/review/{match.pk}/",
        {"decision": "confirmed", "reason": "Same date of birth and school", "merge": "yes"},
    )
    assert done.status_code == 302
    assert ChildMerge.objects.count() == 1
    school, police = _children(world)
    # The merged record's page sends the reader to the child's one chronology.
    moved = client.get(f"/children/{police}/")
    assert moved.status_code == 302 and moved["Location"] == f"/children/{school}/"
    child = client.get(f"/children/{school}/").content.decode()
    assert "Records brought together" in child and "/split/" in child
    for role in ("practitioner", "constable", "analyst"):
        assert _signed_in(world[role]).get("/people/review/").status_code == 403
        assert _signed_in(world[role]).get(f"/people/review/{match.pk}/").status_code == 403


def test_link_train_retrains_from_the_records_and_the_reviews(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tocsin.cli import main

    world = _world()
    match = _propose(world["school_concern"], world["police_concern"])
    do_review_match(match.pk, "confirmed", "Same date of birth and school", actor=world["officer"])
    out = tmp_path / "model.json"
    assert main(["link", "train", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["labels"]["confirmed"] == 1 and summary["labels"]["rejected"] == 0
    assert summary["records"] >= 2 and summary["model"] == str(out)
    document = json.loads(out.read_text("utf-8"))
    assert document["diagnostics"]["labels"]["confirmed"] == 1
    # Nowhere to write: refused, with what to do.
    assert main(["link", "train"]) == 2
    assert "--out FILE" in capsys.readouterr().err


def test_a_child_the_model_links_is_merged_as_it_is_recorded_and_can_be_split() -> None:
    from datetime import date

    world = _world()
    same = {
        "given_name": "Amara",
        "family_name": "Okonkwo",
        "date_of_birth": date(2011, 3, 4),
        "sex": "F",
        "address": "12 Larch Avenue",
        "postcode": "ZZ1 4QX",
    }
    first = do_record_concern(
        make_draft(children=[ChildDraft(**same)]), actor=world["practitioner"]
    ).concern
    second = do_record_concern(
        make_draft(children=[ChildDraft(**same)]), actor=world["constable"]
    ).concern
    kept = str(first.child_links.get().child_id)
    linked = str(second.child_links.get().child_id)
    assert kept != linked  # no NHS number: two child records, as recorded
    match = PersonMatch.objects.get(left_id=f"{first.reference}/child/0")
    assert match.status == "confirmed" and match.decided_by == "model"
    merge = ChildMerge.objects.get(merged_id=linked)
    assert str(merge.survivor_id) == kept and merge.merged_by == "model"
    assert "Linked by the linkage model" in merge.reason
    chronology = child_chronology(world["officer"], linked)
    assert {c.pk for c in chronology.concerns} == {first.pk, second.pk}
    do_split_children(merge.pk, "Two girls of one name at one address", actor=world["manager"])
    assert root_of(linked) == linked
    assert verify_ledger().ok
