"""The read scope: what is loaded inside it is recorded, once, by whom and why; nothing is
recorded for a failed block, a refusal or a lookup the person never sees; pages load their
timelines and names in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_draft, make_partnership, make_user
from tocsin.server.actors import SystemActor
from tocsin.server.concerns.actions import do_add_information, do_record_concern
from tocsin.server.concerns.models import Child, Concern, RecordView
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.reads import current_scope, not_shown, read_scope

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)
OPERATOR = SystemActor("cli:test")


def _views() -> int:
    return LedgerLeaf.objects.filter(kind="record.viewed").count()


def test_a_scope_records_everything_loaded_inside_it_in_one_event() -> None:
    p = make_partnership()
    first = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    second = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    before = _views()
    with read_scope(OPERATOR, "a test read") as scope:
        loaded = list(Concern.objects.filter(pk__in=[first.pk, second.pk]))
        children = [link.child for c in loaded for link in c.child_links.select_related("child")]
    assert _views() == before + 1
    expected = {f"concern:{first.pk}", f"concern:{second.pk}"}
    expected |= {f"child:{c.pk}" for c in children}
    assert set(scope.shown) == expected
    seen = RecordView.objects.filter(viewer="system:cli:test")
    assert {v.subject for v in seen} == expected
    assert {v.purpose for v in seen} == {"a test read"}


def test_counts_and_ids_are_not_reads() -> None:
    p = make_partnership()
    do_record_concern(make_draft(), actor=p.practitioner, today=TODAY)
    before = _views()
    with read_scope(OPERATOR, "counting") as scope:
        assert Concern.objects.count() == 1
        assert Concern.objects.exists()
    assert scope.shown == []
    assert _views() == before


def test_a_block_that_fails_records_nothing() -> None:
    p = make_partnership()
    do_record_concern(make_draft(), actor=p.practitioner, today=TODAY)
    before = _views()

    def show_then_fail() -> None:
        with read_scope(OPERATOR, "fails"):
            list(Concern.objects.all())
            raise RuntimeError("printing failed")

    with pytest.raises(RuntimeError):
        show_then_fail()
    assert _views() == before
    assert current_scope() is None


def test_a_lookup_the_person_never_sees_is_not_recorded() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    with read_scope(OPERATOR, "follow-up") as scope:
        with not_shown():
            Concern.objects.get(pk=concern.pk)
        assert scope.shown == []
        Child.objects.first()
    assert len(scope.shown) == 1


def test_outside_any_scope_loading_is_internal() -> None:
    p = make_partnership()
    do_record_concern(make_draft(), actor=p.practitioner, today=TODAY)
    before = _views()
    list(Concern.objects.all())
    assert _views() == before


def test_a_refused_page_records_nothing_and_a_page_sent_back_with_errors_does() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    officer = make_user(p.police, role="police_officer")
    client = Client()
    client.force_login(officer)
    before = _views()
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404
    assert _views() == before
    client.force_login(p.practitioner)
    shown = client.get(f"/concerns/{concern.pk}/")
    assert shown.status_code == 200
    assert _views() == before + 1
    view = RecordView.objects.filter(viewer=f"user:{p.practitioner.pk}").latest("viewed_seq")
    assert view.purpose == "concern page"


def test_the_concern_page_costs_the_same_queries_however_much_it_shows() -> None:
    p = make_partnership()
    concern = do_record_concern(make_draft(), actor=p.practitioner, today=TODAY).concern
    client = Client()
    client.force_login(p.practitioner)
    client.get(f"/concerns/{concern.pk}/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/concerns/{concern.pk}/").status_code == 200
        return len(captured.captured_queries)

    few = queries()
    colleagues = [make_user(p.council) for _ in range(6)]
    for colleague in colleagues:
        do_add_information(concern.pk, "More was seen at the park.", actor=colleague)
        other = Client()
        other.force_login(colleague)
        other.get(f"/concerns/{concern.pk}/")
    assert queries() == few
