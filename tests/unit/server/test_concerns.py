"""Recording concerns: every route ends in do_record_concern; refusals write nothing; the
agency is the need-to-know boundary; every view is on the ledger; replay and expunging work
for concerns as for everything else."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError

from tests.factories import ACTOR, make_agency, make_draft, make_partnership, make_user
from tocsin.domain.concerns import (
    ChildDraft,
    IndicatorSeen,
    PersonDraft,
    follow_up_code_hash,
)
from tocsin.server.actors import ActionRefused, Invalid
from tocsin.server.casework.actions import do_sign_off, proposal_of
from tocsin.server.concerns.actions import (
    FOLLOW_UP_CODE_NOT_MATCHED,
    FOLLOW_UP_EMPTY,
    FOLLOW_UP_TOO_LONG,
    MAX_FOLLOW_UP,
    PUBLIC,
    ConcernInvalid,
    do_add_follow_up,
    do_add_information,
    do_record_concern,
    do_record_concerns,
    do_record_view,
    do_regrade_risk,
)
from tocsin.server.concerns.gates import (
    NotVisible,
    access_child,
    access_concern,
    concerns_visible_to,
)
from tocsin.server.concerns.models import Child, Concern, RecordView, Screening
from tocsin.server.ledger.actions import do_expunge_record
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


def test_a_practitioner_records_a_concern_for_their_agency() -> None:
    p = make_partnership()
    recorded = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY)
    concern = recorded.concern
    assert concern.agency_id == p.council.pk
    assert concern.recorded_by_id == p.practitioner.pk
    assert concern.reference.startswith("TOC-")
    assert concern.vehicles[0]["registration"] == "ZX12ABC"
    assert concern.vehicles[0]["complete"] is True
    assert concern.phones == ["07700900123"]
    assert recorded.follow_up_code is None
    assert LedgerLeaf.objects.get(seq=recorded.envelope.seq).kind == "concern.recorded"
    assert verify_ledger().ok


def test_every_problem_is_named_and_nothing_is_written() -> None:
    p = make_partnership()
    before = reading_ledger().store.head()
    bad = make_draft(
        children=[
            # Nothing that would find the child again (the sex alone would not).
            ChildDraft(sex="Q"),
            ChildDraft(date_of_birth=date(2030, 1, 1), nhs_number="1234567890"),
        ],
        narrative="  ",
        phones=["12345"],
        persons=[PersonDraft(ethnicity="guess")],
        cin_factors=["99Z"],
    )
    with pytest.raises(ConcernInvalid) as raised:
        do_record_concern(bad, actor=p.practitioner, today=TODAY)
    fields = {problem.field for problem in raised.value.problems}
    assert {
        "children[0].given_name",
        "children[0].sex",
        "children[1].date_of_birth",
        "children[1].nhs_number",
        "narrative",
        "phones[0]",
        "persons[0].names",
        "persons[0].ethnicity",
        "cin_factors[0]",
    } <= fields
    assert reading_ledger().store.head() == before


def test_a_known_nhs_number_joins_the_existing_child() -> None:
    p = make_partnership()
    first = do_record_concern(
        make_draft(children=[ChildDraft(given_name="Kasia", nhs_number="943 476 5919")]),
        actor=p.practitioner,
        today=TODAY,
    )
    second = do_record_concern(
        make_draft(children=[ChildDraft(given_name="Katarzyna", nhs_number="9434765919")]),
        actor=p.practitioner,
        today=TODAY,
    )
    first_child = first.concern.child_links.get().child
    assert second.concern.child_links.get().child == first_child
    _, concerns = access_child(p.practitioner, first_child.pk)
    assert [c.pk for c in concerns] == [second.concern.pk, first.concern.pk]


def test_bulk_recording_is_all_or_nothing() -> None:
    p = make_partnership()
    before = reading_ledger().store.head()
    with pytest.raises(ConcernInvalid) as raised:
        do_record_concerns(
            [make_draft(), make_draft(narrative="")], actor=p.practitioner, today=TODAY
        )
    assert [problem.field for problem in raised.value.problems] == ["[1].narrative"]
    assert reading_ledger().store.head() == before
    assert (
        len(do_record_concerns([make_draft(), make_draft()], actor=p.practitioner, today=TODAY))
        == 2
    )


def test_administrators_may_not_record_or_see_concerns() -> None:
    p = make_partnership()
    do_record_concern(make_draft(), actor=p.practitioner, today=TODAY)
    with pytest.raises(ActionRefused):
        do_record_concern(make_draft(), actor=p.admin, today=TODAY)
    assert not concerns_visible_to(p.admin).exists()


def test_the_agency_is_the_need_to_know_boundary() -> None:
    p = make_partnership()
    officer = make_user(p.police, role="police_officer")
    mash = make_user(p.council, role="mash_officer")
    scrutineer = make_user(make_agency("Partnership", "partnership"), role="partnership_scrutineer")
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    assert access_concern(p.practitioner, concern.pk) == concern
    assert access_concern(mash, concern.pk) == concern
    assert access_concern(scrutineer, concern.pk) == concern
    with pytest.raises(NotVisible):
        access_concern(officer, concern.pk)
    with pytest.raises(NotVisible):
        access_concern(officer, "not-a-uuid")
    child = concern.child_links.get().child
    with pytest.raises(NotVisible):
        access_child(officer, child.pk)


def test_views_are_recorded_on_the_ledger_one_event_per_request() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    child = concern.child_links.get().child
    envelope = do_record_view(
        p.practitioner, "concern page", [f"concern:{concern.pk}", f"child:{child.pk}"]
    )
    assert envelope is not None
    assert envelope.kind == "record.viewed"
    seen = RecordView.objects.filter(subject=f"concern:{concern.pk}")
    assert [(v.viewer, v.purpose) for v in seen] == [(f"user:{p.practitioner.pk}", "concern page")]
    assert do_record_view(p.practitioner, "nothing shown", []) is None


def test_public_reports_get_a_follow_up_code_and_only_its_hash_is_kept() -> None:
    make_partnership()
    recorded = do_record_concern(
        make_draft(channel="public"), actor=PUBLIC, today=TODAY, follow_up=True
    )
    code = recorded.follow_up_code
    assert code is not None
    assert len(code) == 16
    concern = Concern.objects.get(pk=recorded.concern.pk)
    assert concern.agency_id is None
    assert concern.follow_up_code_hash == follow_up_code_hash(code.lower())
    assert code not in str(concern.__dict__)
    do_add_follow_up(code.lower(), "The car came back on Friday.")
    note = concern.notes.get()
    assert (note.text, note.channel) == ("The car came back on Friday.", "public")
    with pytest.raises(ActionRefused):
        do_record_concern(make_draft(channel="practitioner"), actor=PUBLIC, today=TODAY)


def test_screening_keeps_every_indicator_and_a_regrading_needs_a_reason() -> None:
    from tocsin.domain import screening as policy

    p = make_partnership()
    significant = [i.id for i in policy.scheme().indicators if i.group == "significant"]
    seen = [IndicatorSeen(indicator_id, date(2026, 11, 1)) for indicator_id in significant[:4]]
    recorded = do_record_concern(make_draft(indicators=seen), actor=p.practitioner, today=TODAY)
    screening = Screening.objects.get(concern=recorded.concern)
    assert screening.score == sum(c["points"] for c in screening.contributions)
    assert {c["indicator_id"] for c in screening.contributions} == set(significant[:4])
    lower = next(band for band in policy.bands() if band != screening.band)
    with pytest.raises(ActionRefused, match="reason"):
        do_regrade_risk(recorded.concern.pk, screening.pk, lower, "  ", actor=p.practitioner)
    proposed = do_regrade_risk(
        recorded.concern.pk,
        screening.pk,
        lower,
        "Seen by the team today; safety plan agreed.",
        actor=p.practitioner,
    )
    # Lowering a significant band waits for a second person (four eyes).
    assert proposed.kind == "regrade.proposed"
    screening.refresh_from_db()
    assert screening.current_band == screening.band
    manager = make_user(p.council, role="team_manager", team=p.team)
    proposal = proposal_of(proposed)
    assert proposal is not None
    do_sign_off(proposal, True, "", actor=manager)
    screening.refresh_from_db()
    assert (screening.band, screening.current_band) != (lower, lower)
    assert screening.current_band == lower
    assert screening.regradings.get().reason.startswith("Seen by the team")
    assert verify_ledger().ok


def test_an_expunged_concern_leaves_tombstones_and_still_verifies() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    do_add_information(concern.pk, "A note.", actor=p.practitioner)
    do_expunge_record(f"concern:{concern.pk}", "retention period ended", actor=ACTOR)
    concern.refresh_from_db()
    assert concern.narrative == ""
    assert not concern.notes.exists()
    assert not concern.child_links.exists()
    report = verify_ledger()
    assert report.ok, [str(problem) for problem in report.problems]


def test_one_child_twice_in_a_batch_is_one_child() -> None:
    p = make_partnership()
    first, second = do_record_concerns(
        [
            make_draft(children=[ChildDraft(given_name="Jo", nhs_number="9434765919")]),
            make_draft(children=[ChildDraft(given_name="Joanne", nhs_number="943 476 5919")]),
        ],
        actor=p.practitioner,
        today=TODAY,
    )
    assert first.concern.child_links.get().child_id == second.concern.child_links.get().child_id


def test_text_too_long_for_its_column_is_refused_with_a_message() -> None:
    p = make_partnership()
    with pytest.raises(ConcernInvalid) as raised:
        do_record_concern(
            make_draft(children=[ChildDraft(given_name="A" * 201)], occurred_where="B" * 301),
            actor=p.practitioner,
            today=TODAY,
        )
    assert {pr.field for pr in raised.value.problems} == {
        "children[0].given_name",
        "occurred_where",
    }


# --- every action checks need-to-know itself ----------------------------------------------


def _screened(actor):  # type: ignore[no-untyped-def]
    from tocsin.domain import screening as policy

    seen = [IndicatorSeen(policy.scheme().indicators[0].id, date(2026, 11, 1))]
    return do_record_concern(make_draft(indicators=seen), actor=actor, today=TODAY).concern


def test_regrading_another_agencys_concern_is_refused_and_writes_nothing() -> None:
    p = make_partnership()
    concern = _screened(p.practitioner)
    screening = concern.screenings.get()
    other = next(b for b in ("significant", "moderate", "low") if b != screening.current_band)
    officer = make_user(p.police, role="police_officer")
    theirs = _screened(officer)
    before = LedgerLeaf.objects.count()
    with pytest.raises(NotVisible):
        do_regrade_risk(concern.pk, screening.pk, other, "Seen again", actor=officer)
    # A screening must belong to the concern named, and a made-up id is simply not there.
    with pytest.raises(NotVisible):
        do_regrade_risk(theirs.pk, screening.pk, other, "Seen again", actor=officer)
    with pytest.raises(NotVisible):
        do_regrade_risk(concern.pk, "not-an-id", other, "Seen again", actor=p.practitioner)
    with pytest.raises(NotVisible):
        do_regrade_risk(concern.pk, screening.pk, other, "Seen again", actor=PUBLIC)
    assert LedgerLeaf.objects.count() == before
    screening.refresh_from_db()
    assert not screening.regradings.exists()


def test_a_regrading_names_each_problem_at_its_field() -> None:
    p = make_partnership()
    concern = _screened(p.practitioner)
    screening = concern.screenings.get()
    with pytest.raises(Invalid) as refused:
        do_regrade_risk(concern.pk, screening.pk, "no-such-band", " ", actor=p.practitioner)
    assert [problem.field for problem in refused.value.problems] == ["band", "reason"]
    with pytest.raises(Invalid) as same:
        do_regrade_risk(
            concern.pk, screening.pk, screening.current_band, "Why not", actor=p.practitioner
        )
    assert [problem.field for problem in same.value.problems] == ["band"]
    assert not screening.regradings.exists()


def test_adding_information_to_another_agencys_concern_is_refused_and_writes_nothing() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    officer = make_user(p.police, role="police_officer")
    before = LedgerLeaf.objects.count()
    with pytest.raises(NotVisible):
        do_add_information(concern.pk, "Seen again", actor=officer)
    with pytest.raises(NotVisible):
        do_add_information("not-an-id", "Seen again", actor=p.practitioner)
    with pytest.raises(ActionRefused, match="follow-up code"):
        do_add_information(concern.pk, "Seen again", actor=PUBLIC)
    with pytest.raises(Invalid) as empty:
        do_add_information(concern.pk, "  ", actor=p.practitioner)
    assert [problem.field for problem in empty.value.problems] == ["text"]
    assert LedgerLeaf.objects.count() == before
    do_add_information(concern.pk, "Seen again", actor=ACTOR)  # the command line may
    assert concern.notes.get().channel == "practitioner"


def test_a_follow_up_reaches_only_the_report_its_code_belongs_to() -> None:
    make_partnership()
    public = do_record_concern(
        make_draft(channel="public"), actor=PUBLIC, today=TODAY, follow_up=True
    )
    before = LedgerLeaf.objects.count()
    with pytest.raises(Invalid) as wrong:
        do_add_follow_up("AAAABBBBCCCCDDDD", "")
    assert [(p.field, p.message) for p in wrong.value.problems] == [
        ("code", FOLLOW_UP_CODE_NOT_MATCHED),
        ("text", FOLLOW_UP_EMPTY),
    ]
    assert public.follow_up_code is not None
    with pytest.raises(Invalid) as long:
        do_add_follow_up(public.follow_up_code, "x" * (MAX_FOLLOW_UP + 1))
    assert [(p.field, p.message) for p in long.value.problems] == [("text", FOLLOW_UP_TOO_LONG)]
    assert LedgerLeaf.objects.count() == before


def test_recording_for_another_agency_is_refused() -> None:
    p = make_partnership()
    before = LedgerLeaf.objects.count()
    with pytest.raises(ActionRefused, match="your own agency"):
        do_record_concern(make_draft(), actor=p.practitioner, agency=p.police, today=TODAY)
    assert LedgerLeaf.objects.count() == before
    recorded = do_record_concern(
        make_draft(), actor=p.practitioner, agency=p.council, today=TODAY
    ).concern
    assert recorded.agency_id == p.council.pk


def test_a_child_recorded_by_another_process_meanwhile_is_found_on_the_second_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lookup ran before the other process committed (simulated: the first lookup finds
    nothing); the unique constraint refuses the second child record, nothing of the attempt is
    kept, and the retry finds the child."""
    from tocsin.server.concerns import actions

    p = make_partnership()
    kasia = [ChildDraft(given_name="Kasia", nhs_number="943 476 5919")]
    first = do_record_concern(make_draft(children=kasia), actor=p.practitioner, today=TODAY)
    lookups: list[int] = []
    real = actions._known_children

    def too_early(drafts):  # type: ignore[no-untyped-def]
        lookups.append(1)
        return {} if len(lookups) == 1 else real(drafts)

    monkeypatch.setattr(actions, "_known_children", too_early)
    before_seq = LedgerLeaf.objects.order_by("-seq").values_list("seq", flat=True).first()
    second = do_record_concern(make_draft(children=kasia), actor=p.practitioner, today=TODAY)
    assert len(lookups) == 2
    child = first.concern.child_links.get().child
    assert second.concern.child_links.get().child == child
    assert Child.objects.filter(nhs_number="9434765919").count() == 1
    added = list(
        LedgerLeaf.objects.filter(seq__gt=before_seq).order_by("seq").values_list("kind", flat=True)
    )
    # The concern, and the already-known check finding the first one; no second child.recorded.
    assert added == ["concern.recorded", "people.matched"]
    assert verify_ledger().ok

    # A constraint that still refuses on the second attempt is a fault, raised as it is.
    monkeypatch.setattr(actions, "_known_children", lambda drafts: {})
    with pytest.raises(IntegrityError):
        do_record_concern(make_draft(children=kasia), actor=p.practitioner, today=TODAY)
