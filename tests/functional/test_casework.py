"""The loop after a concern is recorded, through the API and the pages: the front-door tray,
allocation, decisions, four eyes, and no route that lowers a band or closes a concern without a
second person."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import IndicatorSeen
from tocsin.domain.screening import scheme
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.casework.actions import do_decide, do_sign_off
from tocsin.server.casework.models import Case, Decision
from tocsin.server.concerns.actions import PUBLIC, do_record_concern, do_regrade_risk
from tocsin.server.concerns.models import Concern, Screening
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db


def _significant_concern(author: Any) -> Concern:
    significant = [i.id for i in scheme().indicators if i.group == "significant"][:4]
    draft = make_draft(indicators=[IndicatorSeen(i, date(2026, 11, 1)) for i in significant])
    return do_record_concern(draft, actor=author).concern


@pytest.fixture
def people() -> dict[str, Any]:
    council = make_agency("Loop Council", "council")
    mash = make_team(council, "MASH")
    team = make_team(council, "Exploitation team")
    return {
        "council": council,
        "mash_officer": make_user(council, role="mash_officer", team=mash),
        "mash_manager": make_user(council, role="mash_manager", team=mash),
        "worker": make_user(council, team=team),
        "other_worker": make_user(council, team=team),
        "manager": make_user(council, role="team_manager", team=team),
        "police": make_user(make_agency("Loop Police", "police"), role="team_manager"),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_the_loop_through_the_api(people: dict[str, Any]) -> None:
    concern = _significant_concern(people["worker"])
    public = do_record_concern(make_draft(channel="public"), actor=PUBLIC).concern
    mash = _client(people["mash_officer"])
    queue = mash.get("/api/v1/queue/").json()
    assert queue["tray"] == "front-door"
    ids = [item["id"] for item in queue["results"]]
    assert ids[0] == str(concern.pk), "highest band first"
    assert str(public.pk) in ids, "public reports reach the front door"
    assert set(queue["results"][0]) == {
        "id",
        "reference",
        "band",
        "waiting_since",
        "owner",
        "status",
    }
    assert queue["results"][0]["band"] == "significant"

    answer = _post(
        mash, f"/api/v1/concerns/{concern.pk}/allocation/", {"worker": str(people["worker"].pk)}
    )
    assert answer.status_code == 201
    assert str(concern.pk) not in [i["id"] for i in mash.get("/api/v1/queue/").json()["results"]]
    worker = _client(people["worker"])
    mine = worker.get("/api/v1/queue/?tray=mine").json()
    assert [i["id"] for i in mine["results"]] == [str(concern.pk)]
    assert mine["results"][0]["owner"] == str(people["worker"].pk)

    thin = _post(
        worker,
        f"/api/v1/concerns/{concern.pk}/decisions/",
        {"decision": "no_further_action", "rationale": "x"},
    )
    assert thin.status_code == 400
    assert thin.json()["errors"][0]["field"] == "rationale"
    proposed = _post(
        worker,
        f"/api/v1/concerns/{concern.pk}/decisions/",
        {"decision": "no_further_action", "rationale": "Seen at home; no concerns now"},
    )
    assert proposed.status_code == 202
    assert proposed.json()["status"] == "awaiting_sign_off"
    decision = proposed.json()["id"]
    assert Case.objects.get(concern=concern).status == "awaiting_sign_off"

    own = _post(worker, f"/api/v1/decisions/{decision}/sign-off/", {"approve": True})
    assert own.status_code == 403
    peer = _post(
        _client(people["other_worker"]),
        f"/api/v1/decisions/{decision}/sign-off/",
        {"approve": True},
    )
    assert peer.status_code == 403
    outsider = _post(
        _client(people["police"]), f"/api/v1/decisions/{decision}/sign-off/", {"approve": True}
    )
    assert outsider.status_code == 404, "another agency cannot even see it"
    manager = _client(people["manager"])
    assert [i["id"] for i in manager.get("/api/v1/queue/?tray=sign-off").json()["results"]] == [
        str(concern.pk)
    ]
    bare = _post(
        manager, f"/api/v1/decisions/{decision}/sign-off/", {"approve": False, "reason": ""}
    )
    assert bare.status_code == 400
    rejected = _post(
        manager,
        f"/api/v1/decisions/{decision}/sign-off/",
        {"approve": False, "reason": "Speak to the school first"},
    )
    assert rejected.status_code == 200
    assert Case.objects.get(concern=concern).status == "allocated"

    decided = _post(
        worker,
        f"/api/v1/concerns/{concern.pk}/decisions/",
        {
            "decision": "strategy_discussion",
            "rationale": "Older adults and drugs: significant harm",
        },
    )
    assert decided.status_code == 201
    assert Case.objects.get(concern=concern).status == "in_progress"
    close = _post(
        worker,
        f"/api/v1/concerns/{concern.pk}/decisions/",
        {"decision": "close", "rationale": "Plan in place; strategy outcome recorded"},
    )
    assert close.status_code == 202
    approved = _post(
        manager, f"/api/v1/decisions/{close.json()['id']}/sign-off/", {"approve": True}
    )
    assert approved.status_code == 200
    case = Case.objects.get(concern=concern)
    assert (case.status, case.decision) == ("closed", "close")
    assert verify_ledger().ok


def _lower(route: str, concern: Concern, user: Any) -> int:
    screening = Screening.objects.get(concern=concern)
    data = {"band": "not-at-risk", "reason": "Seen at home; no concerns now"}
    if route == "action":
        do_regrade_risk(concern.pk, screening.pk, data["band"], data["reason"], actor=user)
        return 0
    if route == "page":
        url = f"/concerns/{concern.pk}/screenings/{screening.pk}/regrade/"
        return _client(user).post(url, data).status_code
    url = f"/api/v1/concerns/{concern.pk}/screenings/{screening.pk}/regrade/"
    return _post(_client(user), url, data).status_code


@pytest.mark.parametrize("route", ["action", "page", "api"])
@pytest.mark.parametrize("who", ["worker", "manager", "mash_manager", "system"])
def test_no_route_lowers_a_band_from_moderate_or_above_without_a_second_person(
    route: str, who: str, people: dict[str, Any]
) -> None:
    if who == "system" and route != "action":
        pytest.skip("the command line and the demo act through the action")
    user = SystemActor("cli") if who == "system" else people[who]
    concern = _significant_concern(people["worker"])
    answer = _lower(route, concern, user)
    assert answer in (0, 202, 302)
    screening = Screening.objects.get(concern=concern)
    assert screening.current_band == "significant", "the band waits for the second person"
    proposal = Decision.objects.get(concern=concern)
    assert (proposal.kind, proposal.status) == ("regrade", "awaiting_sign_off")
    assert Case.objects.get(concern=concern).band == "significant"


@pytest.mark.parametrize("decision", ["no_further_action", "close"])
@pytest.mark.parametrize("who", ["worker", "manager", "mash_manager", "system"])
def test_no_route_closes_a_concern_without_a_second_person(
    decision: str, who: str, people: dict[str, Any]
) -> None:
    user = SystemActor("cli") if who == "system" else people[who]
    concern = _significant_concern(people["worker"])
    outcome = do_decide(concern.pk, decision, "Checks made; nothing further", actor=user)
    assert outcome.awaiting_sign_off
    assert Case.objects.get(concern=concern).status == "awaiting_sign_off"
    with pytest.raises(ActionRefused):
        do_sign_off(outcome.decision_id, True, "", actor=SystemActor("cli"))
    if who != "system":
        with pytest.raises(ActionRefused, match=r"own|role"):
            do_sign_off(outcome.decision_id, True, "", actor=user)
    assert Case.objects.get(concern=concern).status == "awaiting_sign_off"


def test_the_pages_take_a_concern_through_the_loop(people: dict[str, Any]) -> None:
    concern = _significant_concern(people["worker"])
    mash = _client(people["mash_officer"])
    assert mash.get("/").status_code == 302  # a signed-in person starts at their work
    tray = mash.get("/queue/").content.decode()
    assert concern.reference in tray
    assert "Significant risk" in tray
    assert (
        mash.post(f"/concerns/{concern.pk}/allocate/", {"worker": people["worker"].pk}).status_code
        == 302
    )
    worker = _client(people["worker"])
    assert concern.reference in worker.get("/queue/mine/").content.decode()
    thin = worker.post(
        f"/concerns/{concern.pk}/decide/", {"decision": "no_further_action", "rationale": "..."}
    )
    assert thin.status_code == 400
    assert "There is a problem" in thin.content.decode()
    done = worker.post(
        f"/concerns/{concern.pk}/decide/",
        {"decision": "no_further_action", "rationale": "Seen at home; no concerns now"},
    )
    assert done.status_code == 302
    page = worker.get(done["Location"]).content.decode()
    assert "Awaiting sign-off" in page
    decision = Decision.objects.get(concern=concern)
    assert worker.post(f"/decisions/{decision.pk}/", {"approve": "yes"}).status_code == 403
    manager = _client(people["manager"])
    assert concern.reference in manager.get("/queue/sign-off/").content.decode()
    assert manager.post(f"/decisions/{decision.pk}/", {"approve": "yes"}).status_code == 302
    assert Case.objects.get(concern=concern).status == "closed"
    closed = worker.get(f"/concerns/{concern.pk}/").content.decode()
    assert "Closed" in closed


def test_a_tray_sorts_by_band_or_by_waiting(people: dict[str, Any]) -> None:
    older = do_record_concern(make_draft(), actor=people["worker"]).concern
    significant = _significant_concern(people["worker"])
    mash = _client(people["mash_officer"])

    def order(query: str) -> list[str]:
        return [i["id"] for i in mash.get(f"/api/v1/queue/{query}").json()["results"]]

    assert order("") == [str(significant.pk), str(older.pk)]
    assert order("?sort=waiting") == [str(older.pk), str(significant.pk)]
    assert order("?sort=newest") == [str(significant.pk), str(older.pk)]
    page = mash.get("/queue/?sort=waiting").content.decode()
    assert page.index(older.reference) < page.index(significant.reference)
    assert "The longest waiting first." in page
