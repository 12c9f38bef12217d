"""Screening where it was missing (issue 12): the front door screens a public report after it
arrived; a child's one band across all their concerns (ChildRisk), kept by the appliers,
replayed and expunged like everything else; refusals write nothing."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ACTOR, make_draft, make_partnership, make_user
from tocsin.domain import screening as policy
from tocsin.domain.concerns import ChildDraft, IndicatorSeen
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.casework.actions import do_sign_off, proposal_of
from tocsin.server.casework.models import Case
from tocsin.server.concerns.actions import (
    PUBLIC,
    do_record_concern,
    do_regrade_risk,
    do_screen_child,
)
from tocsin.server.concerns.models import Child, ChildRisk, Concern, Screening
from tocsin.server.ledger.actions import do_expunge_record
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)
SIGNIFICANT = [i.id for i in policy.scheme().indicators if i.group == "significant"]
MODERATE = [i.id for i in policy.scheme().indicators if i.group == "moderate"]
NHS = "9434765919"


def seen(*indicators: str, on: date = date(2026, 11, 20)) -> list[IndicatorSeen]:
    return [IndicatorSeen(i, on) for i in indicators]


def public_report() -> Concern:
    return do_record_concern(
        make_draft(channel="public"), actor=PUBLIC, today=TODAY, follow_up=True
    ).concern


def child_of(concern: Concern) -> Child:
    return concern.child_links.get().child


def assert_verifies() -> None:
    report = verify_ledger()
    assert report.ok, [str(problem) for problem in report.problems]


def test_the_front_door_screens_a_public_report_and_the_case_band_follows() -> None:
    p = make_partnership()
    officer = make_user(p.council, role="mash_officer")
    report = public_report()
    assert not report.screenings.exists()
    assert Case.objects.get(pk=report.pk).band == ""
    screened = do_screen_child(
        report.pk, child_of(report).pk, seen(*SIGNIFICANT[:3]), actor=officer, today=TODAY
    )
    screening = screened.screening
    assert screened.envelope.kind == "child.screened"
    assert screened.envelope.actor == f"user:{officer.pk}"
    assert (screening.concern_id, screening.child_id) == (report.pk, child_of(report).pk)
    assert (screening.score, screening.band, screening.as_of) == (15, "moderate", TODAY)
    assert Screening.objects.get(pk=screening.pk).current_band == "moderate"
    assert Case.objects.get(pk=report.pk).band == "moderate"
    risk = ChildRisk.objects.get(pk=child_of(report).pk)
    assert (risk.band, risk.as_of, risk.basis) == ("moderate", TODAY, "combined")
    # Screening again adds a screening of its own; the case acts on the highest.
    do_screen_child(report.pk, child_of(report).pk, seen(MODERATE[0]), actor=officer, today=TODAY)
    assert report.screenings.count() == 2
    assert Case.objects.get(pk=report.pk).band == "moderate"
    assert_verifies()


def test_screening_is_refused_outside_need_to_know_and_writes_nothing() -> None:
    p = make_partnership()
    report = public_report()
    theirs = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    officer = make_user(p.police, role="police_officer")
    refusals: list[tuple[Any, Any, type[Exception]]] = [
        (p.practitioner, report, NotVisible),  # a public report reaches the front door only
        (officer, theirs, NotVisible),  # another agency's concern
        (PUBLIC, report, ActionRefused),
        (make_user(p.council, role="analyst"), theirs, ActionRefused),
        (make_user(p.council, role="partnership_scrutineer"), report, ActionRefused),
        (p.admin, theirs, ActionRefused),
    ]
    before = LedgerLeaf.objects.count()
    for actor, concern, refusal in refusals:
        with pytest.raises(refusal):
            do_screen_child(
                concern.pk, child_of(concern).pk, seen(SIGNIFICANT[0]), actor=actor, today=TODAY
            )
    with pytest.raises(NotVisible):
        do_screen_child("not-an-id", child_of(theirs).pk, seen(SIGNIFICANT[0]), actor=ACTOR)
    assert LedgerLeaf.objects.count() == before
    assert not Screening.objects.exists()


def test_each_problem_with_a_screening_is_named_at_its_field() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    other = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    before = LedgerLeaf.objects.count()
    with pytest.raises(Invalid) as refused:
        do_screen_child(
            concern.pk,
            child_of(other).pk,
            [
                IndicatorSeen("no_such_sign", TODAY),
                IndicatorSeen(SIGNIFICANT[0], date(2026, 12, 1)),
            ],
            actor=p.practitioner,
            today=TODAY,
        )
    assert [(pr.field, pr.message) for pr in refused.value.problems] == [
        ("child", "Choose the child you are screening"),
        ("indicators[0]", "Unknown indicator 'no_such_sign'"),
        ("indicators[1]", "When it was seen must be today or earlier"),
    ]
    with pytest.raises(Invalid) as empty:
        do_screen_child(concern.pk, "not-a-child", [], actor=p.practitioner, today=TODAY)
    assert [pr.field for pr in empty.value.problems] == ["child", "indicators"]
    assert LedgerLeaf.objects.count() == before


def test_three_agencies_fragments_give_the_child_one_higher_band() -> None:
    """The same child (one NHS number) in concerns from three agencies, each with one
    significant sign: each concern's case is "Not at risk", the child is "Moderate risk"."""
    p = make_partnership()
    officer = make_user(p.police, role="police_officer")
    health = make_user(p.police, role="practitioner")  # any third recorder will do
    child = ChildDraft(given_name="Amara", family_name="Okafor", nhs_number=NHS)
    concerns = [
        do_record_concern(
            make_draft(children=[child], indicators=seen(indicator)), actor=actor, today=TODAY
        ).concern
        for actor, indicator in zip([p.practitioner, officer, health], SIGNIFICANT, strict=False)
    ]
    assert {Case.objects.get(pk=c.pk).band for c in concerns} == {"not-at-risk"}
    (record,) = {child_of(c) for c in concerns}
    risk = ChildRisk.objects.get(pk=record.pk)
    assert (risk.band, risk.score, risk.basis, len(risk.screenings)) == (
        "moderate",
        15,
        "combined",
        3,
    )
    assert_verifies()


def test_regrading_moves_the_childs_band_and_a_lowering_on_the_same_evidence_stands() -> None:
    p = make_partnership()
    concern = do_record_concern(
        make_draft(indicators=seen(*SIGNIFICANT[:3])), actor=p.practitioner, today=TODAY
    ).concern
    screening = concern.screenings.get()
    child = child_of(concern)
    do_regrade_risk(
        concern.pk, screening.pk, "significant", "Disclosed at school today.", actor=p.practitioner
    )
    assert ChildRisk.objects.get(pk=child.pk).band == "significant"
    proposal = proposal_of(
        do_regrade_risk(
            concern.pk,
            screening.pk,
            "mild",
            "Seen by the team; safety plan agreed with the family.",
            actor=p.practitioner,
        )
    )
    assert proposal is not None
    assert ChildRisk.objects.get(pk=child.pk).band == "significant"  # not until signed off
    manager = make_user(p.council, role="team_manager", team=p.team)
    do_sign_off(proposal, True, "Agreed at supervision.", actor=manager)
    risk = ChildRisk.objects.get(pk=child.pk)
    assert (risk.band, risk.basis, risk.set_by) == ("mild", "judgement", str(screening.pk))
    assert_verifies()


def test_an_expunged_concern_no_longer_counts_towards_the_childs_band() -> None:
    p = make_partnership()
    child = ChildDraft(given_name="Amara", nhs_number=NHS)
    kept = do_record_concern(
        make_draft(children=[child], indicators=seen(SIGNIFICANT[0])),
        actor=p.practitioner,
        today=TODAY,
    ).concern
    gone = do_record_concern(
        make_draft(children=[child], indicators=seen(*SIGNIFICANT[1:4])),
        actor=p.practitioner,
        today=TODAY,
    ).concern
    record = child_of(kept)
    assert ChildRisk.objects.get(pk=record.pk).band == "significant"
    do_expunge_record(f"concern:{gone.pk}", "retention period ended", actor=ACTOR)
    risk = ChildRisk.objects.get(pk=record.pk)
    assert (risk.band, risk.score, list(risk.screenings)) == (
        "not-at-risk",
        5,
        [str(kept.screenings.get().pk)],
    )
    assert_verifies()
    # Expunging the last concern that screened the child leaves the child unscreened.
    do_expunge_record(f"concern:{kept.pk}", "retention period ended", actor=ACTOR)
    assert ChildRisk.objects.get(pk=record.pk).band == ""
    assert_verifies()


def test_an_expunged_child_keeps_an_unscreened_tombstone_and_still_verifies() -> None:
    p = make_partnership()
    concern = do_record_concern(
        make_draft(indicators=seen(SIGNIFICANT[0])), actor=p.practitioner, today=TODAY
    ).concern
    child = child_of(concern)
    do_expunge_record(f"child:{child.pk}", "retention period ended", actor=ACTOR)
    risk = ChildRisk.objects.get(pk=child.pk)
    assert (risk.band, risk.screenings) == ("", {})
    assert_verifies()


def test_the_migration_gives_children_recorded_before_it_what_replay_gives() -> None:
    """Children recorded before ChildRisk existed get their rows from the migration; they
    must be what the appliers would have written."""
    p = make_partnership()
    child = ChildDraft(given_name="Amara", nhs_number=NHS)
    for indicators in (SIGNIFICANT[:1], SIGNIFICANT[1:3]):
        do_record_concern(
            make_draft(children=[child], indicators=seen(*indicators)),
            actor=p.practitioner,
            today=TODAY,
        )
    unscreened = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    gone = child_of(
        do_record_concern(make_draft(indicators=seen(SIGNIFICANT[0])), actor=p.practitioner).concern
    )
    do_expunge_record(f"child:{gone.pk}", "retention period ended", actor=ACTOR)
    columns = ["child_id", "band", "band_rank", "as_of", "score", "basis", "set_by", "screenings"]
    expected = sorted(ChildRisk.objects.values_list(*columns), key=str)
    assert len(expected) == 3 and child_of(unscreened).pk in {row[0] for row in expected}

    migration = "0004_child_risk_across_concerns"
    state = MigrationExecutor(connection).loader.project_state(("concerns", migration))
    module = __import__(f"tocsin.server.concerns.migrations.{migration}", fromlist=["backfill"])
    state.apps.get_model("concerns", "ChildRisk").objects.all().delete()
    module.backfill(state.apps, SimpleNamespace(connection=connection))
    assert sorted(ChildRisk.objects.values_list(*columns), key=str) == expected
