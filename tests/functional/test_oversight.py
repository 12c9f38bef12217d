"""Issue 13's views: the overdue and escalated-to-you trays, the manager's view, the
partnership's oversight view, and the partnership closing a level-3 escalation.

Figures are checked against a small known world: concerns recorded, some decided, one left
undecided and swept weeks later so that it climbs the whole ladder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import ChildDraft
from tocsin.server.actors import ActionRefused, Invalid, NotVisible, SystemActor
from tocsin.server.casework.actions import do_allocate, do_decide, do_sign_off
from tocsin.server.casework.read_models import tray, trays_for
from tocsin.server.clocks.actions import do_close_escalation
from tocsin.server.clocks.models import Escalation, OpenObligation
from tocsin.server.clocks.oversight import manager_view, oversight
from tocsin.server.clocks.read_models import escalated_to
from tocsin.server.clocks.sweep import sweep
from tocsin.server.concerns.actions import PUBLIC, do_record_concern
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


@dataclass
class World:
    worker: User
    colleague: User
    manager: User
    head: User
    mash_manager: User
    scrutineer: User
    police: User
    undecided: Concern
    early_help: Concern
    proposed: Concern
    no_further_action: Concern
    public: Concern
    policed: Concern
    later: datetime


def _world() -> World:
    council = make_agency("Oversight Council", "council")
    force = make_agency("Oversight Police", "police")
    team = make_team(council, "Exploitation team")
    worker = make_user(council, role="practitioner", team=team)
    colleague = make_user(council, role="practitioner", team=team)
    manager = make_user(council, role="team_manager", team=team)
    head = make_user(council, role="head_of_service")
    mash_manager = make_user(council, role="mash_manager", team=make_team(council, "MASH"))
    scrutineer = make_user(council, role="partnership_scrutineer")
    police = make_user(force, role="police_officer")

    def record(actor: object, **kw: object) -> Concern:
        return do_record_concern(make_draft(**kw), actor=actor).concern  # type: ignore[arg-type]

    undecided = record(worker)
    do_allocate(undecided.pk, worker_id=str(worker.pk), actor=SystemActor("test"))
    early_help = record(worker)
    do_decide(early_help.pk, "early_help", "The family asked for support", actor=worker)
    proposed = record(colleague)
    do_allocate(proposed.pk, worker_id=str(colleague.pk), actor=SystemActor("test"))
    do_decide(proposed.pk, "no_further_action", "No risk found after checks", actor=colleague)
    nfa = record(worker)
    outcome = do_decide(nfa.pk, "no_further_action", "Checks found no concern", actor=worker)
    do_sign_off(outcome.decision_id, True, "", actor=head)
    public = record(
        PUBLIC, channel="public", children=[ChildDraft(given_name="Zofia", family_name="Nowak")]
    )
    policed = record(police, cin_factors=["11A"])
    sweep(timezone.now())
    later = timezone.now() + timedelta(days=21)
    sweep(later)
    return World(
        worker,
        colleague,
        manager,
        head,
        mash_manager,
        scrutineer,
        police,
        undecided,
        early_help,
        proposed,
        nfa,
        public,
        policed,
        later,
    )


def _decision_escalation(concern: Concern, level: int) -> Escalation:
    return Escalation.objects.get(concern=concern, obligation="decision", level=level)


def test_escalations_reach_each_level_of_the_ladder_and_no_one_else() -> None:
    w = _world()
    mine = {
        u.username: set(escalated_to(u).values_list("id", flat=True)) for u in User.objects.all()
    }
    level = {n: _decision_escalation(w.undecided, n).pk for n in (1, 2, 3)}
    # The council's undecided concern: its team manager, its head of service, the partnership.
    assert level[1] in mine[w.manager.username]
    assert level[2] in mine[w.head.username] and level[2] not in mine[w.manager.username]
    assert level[3] in mine[w.scrutineer.username]
    assert level[3] not in mine[w.head.username]
    for person in (w.worker, w.colleague, w.police):
        assert not mine[person.username], f"{person.role} is on no rung of the ladder"
    # A public report nobody allocated goes to the front door's manager at levels 1 and 2.
    public = {_decision_escalation(w.public, n).pk for n in (1, 2)}
    assert public <= mine[w.mash_manager.username]
    assert not public & mine[w.manager.username]
    # The police's concern: not the council's managers (another agency, and need-to-know).
    policed = set(Escalation.objects.filter(concern=w.policed).values_list("id", flat=True))
    assert policed and not policed & (mine[w.manager.username] | mine[w.head.username])
    assert _decision_escalation(w.policed, 3).pk in mine[w.scrutineer.username]


def test_the_overdue_and_escalated_trays() -> None:
    w = _world()
    assert "overdue" in trays_for(w.worker) and "escalated" not in trays_for(w.worker)
    assert {"overdue", "escalated"} <= set(trays_for(w.manager))
    # Before anything is due: nothing overdue.
    assert tray(w.worker, "overdue", now=timezone.now()).total == 0
    # Three weeks on: the worker's own undecided concern; the colleague's proposal is theirs.
    own = tray(w.worker, "overdue", now=w.later)
    assert [c.concern_id for c in own.cases] == [w.undecided.pk]
    [deadline] = own.deadlines[str(w.undecided.pk)]
    assert deadline.obligation.obligation == "decision" and deadline.level == 3
    assert deadline.in_words.endswith("days overdue")
    theirs = {c.concern_id for c in tray(w.colleague, "overdue", now=w.later).cases}
    assert theirs == {w.proposed.pk}
    # The team manager sees the team's; the front door everything; police their own.
    team = {c.concern_id for c in tray(w.manager, "overdue", now=w.later).cases}
    assert team == {w.undecided.pk, w.proposed.pk}
    front_door = {c.concern_id for c in tray(w.mash_manager, "overdue", now=w.later).cases}
    assert {w.undecided.pk, w.public.pk, w.policed.pk, w.proposed.pk} <= front_door
    assert {c.concern_id for c in tray(w.police, "overdue", now=w.later).cases} == {w.policed.pk}

    client = Client()
    client.force_login(w.manager)
    page = BeautifulSoup(client.get("/queue/escalated/").content, "html.parser")
    rows = page.select("#tray tbody tr")
    assert {r.select_one("a").get_text() for r in rows} >= {w.undecided.reference}
    text = page.select_one("#tray").get_text(" ")
    assert "Decide the next step on a concern" in text and "level 1" in text
    tabs = page.select_one(".govuk-tabs").get_text(" ")
    assert "Overdue" in tabs and "Escalated to you" in tabs
    client.force_login(w.worker)
    assert client.get("/queue/escalated/").status_code == 404

    # Deciding meets the obligation: after the next sweep it is nobody's escalation any more,
    # and the oversight view shows it met after it reached the partnership.
    top = _decision_escalation(w.undecided, 3)
    do_decide(w.undecided.pk, "assessment", "Indicators need an assessment", actor=w.worker)
    sweep(w.later + timedelta(hours=1))
    assert top.pk not in set(escalated_to(w.scrutineer).values_list("id", flat=True))
    assert not escalated_to(w.manager).filter(concern=w.undecided).exists()
    view = oversight(w.scrutineer, w.later)
    assert top.pk in {i.escalation.pk for i in view.closed_level_3}
    assert top.pk not in {i.escalation.pk for i in view.open_level_3}
    with pytest.raises(Invalid):
        do_close_escalation(top.pk, "Decided at the MACE panel", actor=w.scrutineer)
    client.force_login(w.scrutineer)
    page = BeautifulSoup(client.get("/oversight/").content, "html.parser")
    closed = page.select_one("#level-3-closed").get_text(" ")
    assert "Met after it reached the partnership" in closed
    # Its due time is past: the page says it was due then, not that it is due.
    assert "was due by the end of" in closed


def test_the_managers_view_counts_caseloads_overdue_work_and_proposals() -> None:
    w = _world()
    view = manager_view(w.manager, w.later)
    loads = {(load.worker.pk if load.worker else None): load for load in view.workers}
    assert loads[w.worker.pk].open_cases == 1 and loads[w.worker.pk].overdue >= 1
    assert loads[w.colleague.pk].open_cases == 1
    # The colleague's proposal waits for a signature: its sign-off clock is overdue too.
    assert loads[w.colleague.pk].overdue >= 1
    assert [p.concern_id for p in view.proposals] == [w.proposed.pk]
    assert view.scope == "Exploitation team"
    head = manager_view(w.head, w.later)
    assert head.scope == "Oversight Council"
    assert [p.concern_id for p in head.proposals] == [w.proposed.pk]
    now = manager_view(w.manager, timezone.now())
    assert now.overdue == 0 and now.open_cases == view.open_cases

    client = Client()
    client.force_login(w.manager)
    page = BeautifulSoup(client.get("/manage/").content, "html.parser")
    assert w.worker.display_name in page.select_one("#caseloads").get_text()
    assert w.proposed.reference in page.select_one("#proposals").get_text()
    for person in (w.worker, w.scrutineer, w.mash_manager):
        client.force_login(person)
        assert client.get("/manage/").status_code == 403
        assert client.get("/api/v1/caseloads/").status_code == 403
    client.force_login(w.head)
    assert client.get("/api/v1/caseloads/").json()["proposals"][0]["reference"] == (
        w.proposed.reference
    )


def test_a_proposal_shows_its_sign_off_deadline_as_a_date_and_in_words(settings) -> None:  # type: ignore[no-untyped-def]
    # The pages are read three weeks on: the session's own expiry is not what this is about.
    settings.SESSION_COOKIE_AGE = 30 * 86400
    w = _world()
    [proposal] = manager_view(w.manager, timezone.now()).proposals
    key = str(proposal.pk)
    clock = manager_view(w.manager, timezone.now()).sign_off_by[key]
    assert clock.obligation.obligation == "sign_off"
    assert clock.obligation.key == f"decision:{proposal.pk}"
    assert clock.in_words == "due in 1 working day" and not clock.overdue
    late = manager_view(w.manager, w.later).sign_off_by[key]
    assert late.overdue and late.in_words.endswith("days overdue")
    assert late.obligation.due == clock.obligation.due

    client = Client()
    client.force_login(w.manager)
    page = BeautifulSoup(client.get("/manage/").content, "html.parser")
    headers = [th.get_text() for th in page.select("#proposals thead th")]
    assert headers[-1] == "Sign off by"
    row = page.select_one("#proposals tbody tr").get_text(" ")
    assert "by the end of" in row and "Due in 1 working day" in row
    sign_off = BeautifulSoup(client.get(f"/decisions/{proposal.pk}/").content, "html.parser")
    shown = sign_off.select_one("#sign-off-by").get_text(" ")
    assert "By the end of" in shown and "Due in 1 working day" in shown
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: w.later)
        page = BeautifulSoup(client.get("/manage/").content, "html.parser")
        sign_off = BeautifulSoup(client.get(f"/decisions/{proposal.pk}/").content, "html.parser")
    assert "days overdue" in page.select_one("#proposals tbody tr").get_text(" ")
    assert "days overdue" in sign_off.select_one("#sign-off-by").get_text(" ")
    # The API gives the same deadline, as a time and in the same words.
    client.force_login(w.head)
    [shown_by_api] = client.get("/api/v1/caseloads/").json()["proposals"]
    assert shown_by_api["sign_off_in_words"] == "due in 1 working day"
    assert shown_by_api["sign_off_due"].startswith(clock.obligation.due.date().isoformat())

    # Signed off: nothing waits, so the page shows no deadline.
    do_sign_off(proposal.pk, True, "", actor=w.head)
    sign_off = BeautifulSoup(client.get(f"/decisions/{proposal.pk}/").content, "html.parser")
    assert sign_off.select_one("#sign-off-by") is None


def test_a_proposal_made_since_the_last_sweep_shows_its_clock_once() -> None:
    council = make_agency("Sign-off Council", "council")
    team = make_team(council, "Sign-off team")
    worker = make_user(council, role="practitioner", team=team)
    manager = make_user(council, role="team_manager", team=team)
    sweep(timezone.now())
    concern = do_record_concern(make_draft(), actor=worker).concern
    do_allocate(concern.pk, worker_id=str(worker.pk), actor=SystemActor("test"))
    outcome = do_decide(concern.pk, "no_further_action", "Checks found no concern", actor=worker)
    key = str(outcome.decision_id)
    assert not OpenObligation.objects.filter(obligation="sign_off").exists(), "not swept"
    later = timezone.now() + timedelta(days=7)
    unswept = manager_view(manager, later).sign_off_by
    assert list(unswept) == [key] and unswept[key].overdue
    sweep(later)
    swept = manager_view(manager, later).sign_off_by
    assert list(swept) == [key]
    assert swept[key].obligation.due == unswept[key].obligation.due


def test_the_oversight_view_figures() -> None:
    w = _world()
    view = oversight(w.scrutineer, w.later)
    assert view.scope == "every agency"
    open_ids = {i.escalation.concern_id for i in view.open_level_3}
    assert {w.undecided.pk, w.public.pk, w.policed.pk} <= open_ids
    assert view.closed_level_3 == []
    # Decided (in effect): early help and the signed-off no further action; the proposal
    # waiting for sign-off is not in effect yet.
    assert view.no_further_action.count == 1 and view.no_further_action.of == 2
    assert view.no_further_action.percent == "50%"
    by_team = {t.team: t.by_code for t in view.by_team}
    assert sum(sum(codes.values()) for codes in by_team.values()) == 2
    # Time to decision: three concerns had a first decision (the proposal counts: it was
    # decided, and waits only for a second person), the same working day; three had none.
    assert view.time_to_decision[0].count == 3 and view.decided == 3
    assert view.undecided == 3
    assert view.challenges["raised"] == 0
    # A head of service sees their own agency's figures only.
    head = oversight(w.head, w.later)
    assert w.policed.pk not in {i.escalation.concern_id for i in head.open_level_3}
    assert head.undecided == 1  # the council's undecided concern (not the public report)

    client = Client()
    client.force_login(w.scrutineer)
    page = BeautifulSoup(client.get("/oversight/").content, "html.parser")
    assert w.undecided.reference in page.select_one("#level-3-open").get_text()
    svg = page.select_one("#time-to-decision-chart svg")
    assert svg["role"] == "img" and svg.select_one("title") and svg.select_one("desc")
    assert "The same working day: 3" in svg.select_one("desc").get_text()
    assert page.select_one("#undecided").get_text() == "3"
    assert "None recorded yet" in page.select_one("#challenges").get_text()
    answer = client.get("/api/v1/oversight/").json()
    assert answer["no_further_action"] == {"count": 1, "of": 2}
    assert answer["time_to_decision"]["The same working day"] == 3


@pytest.mark.parametrize("role", ["practitioner", "team_manager", "mash_manager", "analyst"])
def test_others_cannot_open_the_oversight_view(role: str) -> None:
    council = make_agency("Refused Council", "council")
    person = make_user(council, role=role)
    client = Client()
    client.force_login(person)
    assert client.get("/oversight/").status_code == 403
    assert client.get("/api/v1/oversight/").status_code == 403
    with pytest.raises(ActionRefused):
        oversight(person, timezone.now())


def test_only_the_partnership_closes_a_level_3_escalation_with_a_reason() -> None:
    w = _world()
    top = _decision_escalation(w.undecided, 3)
    store = reading_ledger().store
    before = store.head()[0]
    for person in (w.worker, w.manager, w.head, w.mash_manager):
        with pytest.raises(ActionRefused):
            do_close_escalation(top.pk, "Handled at the strategy meeting", actor=person)
    with pytest.raises(Invalid) as empty:
        do_close_escalation(top.pk, "  ", actor=w.scrutineer)
    assert empty.value.problems[0].field == "reason"
    with pytest.raises(Invalid):
        do_close_escalation(top.pk, "ok", actor=w.scrutineer)  # not a reason of substance
    with pytest.raises(Invalid):  # lower levels end when the obligation is met
        do_close_escalation(
            _decision_escalation(w.undecided, 2).pk, "Seen to by the team", actor=w.scrutineer
        )
    with pytest.raises(NotVisible):
        do_close_escalation("decision:999999:3", "Seen to by the team", actor=w.scrutineer)
    assert store.head()[0] == before, "every refusal wrote nothing"

    obligation = top.obligation_id
    envelope = do_close_escalation(
        obligation, "Decided at the MACE panel; recorded there", level=3, actor=w.scrutineer
    )
    assert envelope.kind == "escalation.closed"
    top.refresh_from_db()
    assert top.closed_reason == "Decided at the MACE panel; recorded there"
    assert top.closed_by == f"user:{w.scrutineer.pk}"
    with pytest.raises(Invalid):
        do_close_escalation(top.pk, "Closing it a second time", actor=w.scrutineer)
    # It leaves the overdue tray at once, and the next sweep ends the obligation.
    assert w.undecided.pk not in {
        c.concern_id for c in tray(w.worker, "overdue", now=w.later).cases
    }
    assert OpenObligation.objects.filter(id=obligation).exists()
    sweep(w.later + timedelta(days=30))
    assert not OpenObligation.objects.filter(id=obligation).exists()
    assert not Escalation.objects.filter(obligation_id=obligation, level__gt=3).exists()
    view = oversight(w.scrutineer, w.later)
    assert [i.escalation.pk for i in view.closed_level_3] == [top.pk]
    assert verify_ledger().ok


def test_closing_through_the_page_and_the_api() -> None:
    w = _world()
    top = _decision_escalation(w.undecided, 3)
    policed = _decision_escalation(w.policed, 3)
    client = Client()
    client.force_login(w.scrutineer)
    page = client.get(f"/escalations/{top.pk}/close/")
    assert page.status_code == 200
    refused = client.post(f"/escalations/{top.pk}/close/", {"reason": ""})
    assert refused.status_code == 400
    assert "Say why you close this escalation" in refused.content.decode()
    done = client.post(f"/escalations/{top.pk}/close/", {"reason": "Decided at the MACE panel"})
    assert done.status_code == 302 and done["Location"].endswith("/oversight/?done=closed")
    answer = client.post(
        f"/api/v1/escalations/{policed.pk}/close/",
        {"reason": "Crime recorded by the force; see its log"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["seq"] > 0
    assert (
        client.post(
            "/api/v1/escalations/nothing:3/close/",
            {"reason": "Crime recorded by the force"},
            content_type="application/json",
        ).status_code
        == 404
    )
    client.force_login(w.head)
    assert client.get(f"/escalations/{top.pk}/close/").status_code == 403


def test_escalated_recommendations_show_on_the_oversight_view() -> None:
    from tests.factories.register import make_report

    council = make_agency("Oversight Register Council", "council")
    other = make_agency("Oversight Register Trust", "health")
    team = make_team(council, "Register team")
    owner = make_user(council, role="team_manager", team=team)
    head = make_user(council, role="head_of_service")
    other_head = make_user(other, role="head_of_service")
    scrutineer = make_user(council, role="partnership_scrutineer")
    today = timezone.localdate()
    report = make_report(
        actor=SystemActor("test"), owners=[(owner, today)], title="Oversight register profile"
    )
    (recommendation,) = report.recommendations.all()
    # Not yet due: nothing is escalated to anyone.
    assert oversight(scrutineer, timezone.now()).recommendations_escalated == []
    # A month on, unanswered: the clock has climbed past the head of service to the partnership.
    later = timezone.now() + timedelta(days=30)
    shown = oversight(scrutineer, later).recommendations_escalated
    assert [s.recommendation.pk for s in shown] == [recommendation.pk]
    assert shown[0].level == 3 and shown[0].overdue
    assert [s.recommendation.pk for s in oversight(head, later).recommendations_escalated] == [
        recommendation.pk
    ]
    assert oversight(other_head, later).recommendations_escalated == []

    client = Client()
    client.force_login(scrutineer)
    page = BeautifulSoup(client.get("/oversight/").content, "html.parser")
    assert (
        "No recommendation is escalated to you"
        in page.select_one("#recommendations-escalated").get_text()
    )
    # A report whose recommendation was due ten days ago shows on the page now.
    make_report(
        actor=SystemActor("test"),
        owners=[(owner, today - timedelta(days=10))],
        title="Oversight register audit",
    )
    page = BeautifulSoup(client.get("/oversight/").content, "html.parser")
    table = page.select_one("table#recommendations-escalated")
    assert table is not None and "Oversight register audit" in table.get_text()
    assert "Oversight register profile" not in table.get_text()
