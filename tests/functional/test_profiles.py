"""Problem profiles end to end: made at a signed checkpoint, drawn as a PDF that renders (pdftoppm
turns it into PNG pages, which are checked), registered on the register of reports with the
PDF's digest, made on the clocks policy's schedule once per period, and read within
need-to-know with each read recorded."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.domain.concerns import ChildDraft, PlaceDraft
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.ledger.checkpoints import sign_checkpoint_now
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.ledger.recording import reading_ledger
from tocsin.server.register.models import ProblemProfile, Report
from tocsin.server.register.profiles import PROFILER, do_generate_profile, run_profile_schedule

pytestmark = pytest.mark.django_db

SHARED_NHS = "9434765919"


@pytest.fixture
def world() -> dict[str, Any]:
    council = make_agency("Profile Council", "council")
    police = make_agency("Profile Police", "police")
    council_team = make_team(council, "Profile exploitation team")
    police_team = make_team(police, "Profile CSE unit")
    people = {
        "council_worker": make_user(council, team=council_team),
        "police_officer": make_user(police, team=police_team),
        "analyst": make_user(council, role="analyst", team=council_team),
        "practitioner": make_user(council, team=council_team),
    }
    # The same child (by NHS number) reported first by the council, then by the police:
    # the police's concern is about a child already known to another agency.
    child = ChildDraft(given_name="Amara", family_name="Okafor", nhs_number=SHARED_NHS)
    for author in ("council_worker", "police_officer"):
        draft = make_draft(
            children=[child],
            cin_factors=["11A"],
            places=[PlaceDraft(name="Takeaway on the high street", postcode="ZZ9 1AA")],
        )
        do_record_concern(draft, actor=people[author])
    for _ in range(5):  # five concerns about other children, each from the council
        do_record_concern(
            make_draft(places=[PlaceDraft(name="Bus station", postcode="ZZ3 4BB")]),
            actor=people["council_worker"],
        )
    return people


def _profile_json(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("profile", "--json", *args, stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def _section(data: dict[str, Any], section_id: str) -> dict[str, Any]:
    return next(s for s in data["sections"] if s["id"] == section_id)


def _figure(section: dict[str, Any], figure_id: str) -> dict[str, Any]:
    return next(f for f in section["figures"] if f["id"] == figure_id)


def test_the_profile_counts_what_it_says_and_suppresses_small_counts(
    world: dict[str, Any],
) -> None:
    sign_checkpoint_now()
    data = _profile_json("--label", "test")
    assert data["label"] == "test" and data["suppression"]["applied"]
    assert [s["id"] for s in data["sections"]] == [
        "trends",
        "hotspots",
        "networks",
        "already_known",
        "hidden_number",
        "overlaps",
        "escalation",
        "recommendations",
    ]
    trend = _figure(_section(data, "trends"), "trend")
    assert trend["total"] == 7  # 2 about the shared child, 5 others: counts of 5+ are shown
    hotspots = _figure(_section(data, "hotspots"), "hotspots")
    assert hotspots["rows"][0] == "ZZ3"  # the most named district first
    # ZZ9 (2 concerns) is suppressed, and so is ZZ3 (5), or the total (7) would reveal it.
    assert hotspots["row_totals"] == [None, None] and hotspots["total"] == 7
    known = _figure(_section(data, "already_known"), "already_known")
    assert known["columns"][0] == "Already known to another agency"
    assert known["column_totals"][0] is None  # 1 concern: suppressed, and so its rate
    assert _section(data, "already_known")["rate"]["percent"] is None
    overlaps = _figure(_section(data, "overlaps"), "agency_overlaps")
    assert overlaps["rows"] == ["Profile Council and Profile Police"]
    assert overlaps["total"] is None  # one child: suppressed
    networks = _section(data, "networks")
    # The world's concerns name a car, phone and places: the networks section counts what it
    # finds and shows no count from 1 to 4.
    assert networks["available"] is True
    assert set(networks["summary"]) == {
        "networks",
        "children_in_a_network",
        "largest_network_entities",
        "networks_reported_by_two_or_more_agencies",
    }
    assert all(
        value == 0 or value == "fewer than 5" or value >= 5
        for value in networks["summary"].values()
    )
    assert _section(data, "hidden_number")["caveats"]


def test_unsuppressed_the_already_known_and_overlap_counts_are_exact(
    world: dict[str, Any], settings: Any
) -> None:
    settings.TOCSIN_STATS_SUPPRESS_BELOW = 1  # nothing is small: every count shows
    sign_checkpoint_now()
    data = _profile_json()
    known = _figure(_section(data, "already_known"), "already_known")
    assert known["column_totals"] == [1, 6]
    assert _section(data, "already_known")["rate"]["percent"] == round(100 / 7, 1)
    overlaps = _figure(_section(data, "overlaps"), "agency_overlaps")
    assert overlaps["row_totals"] == [1]
    hotspots = _figure(_section(data, "hotspots"), "hotspots")
    assert hotspots["rows"] == ["ZZ3", "ZZ9"] and hotspots["row_totals"] == [5, 2]


def test_the_same_checkpoint_gives_the_same_profile_after_more_events(
    world: dict[str, Any],
) -> None:
    checkpoint, _ = sign_checkpoint_now()
    first = _profile_json("--label", "x")
    do_record_concern(make_draft(), actor=world["police_officer"])
    sign_checkpoint_now()
    again = _profile_json("--checkpoint", str(checkpoint.size), "--label", "x")
    assert again == first
    assert _profile_json("--label", "x")["checkpoint"]["size"] > checkpoint.size


def _pages(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_the_pdf_renders_and_is_registered_with_its_digest(
    world: dict[str, Any], tmp_path: Path
) -> None:
    checkpoint, _ = sign_checkpoint_now()
    generated = do_generate_profile(label="2026-Q3", actor=PROFILER)
    pdf = tmp_path / "profile.pdf"
    pdf.write_bytes(generated.pdf)
    assert generated.path.read_bytes() == generated.pdf
    assert generated.path.parent == Path(settings.TOCSIN_HOME) / "profiles"
    pages = _pages(pdf, tmp_path)
    assert len(pages) >= 2
    for page in pages:
        image = Image.open(page).convert("L")
        # A4 at 50 dpi: 413 by 585 pixels.
        assert abs(image.width - 413) <= 2 and abs(image.height - 585) <= 2
        dark = sum(image.histogram()[:200])
        assert dark > 500, f"{page.name} is (nearly) blank"
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    for words in (
        "Problem profile 2026-Q3",
        "Hotspots",
        "Anonymised: counts only",
        "Already known to another agency",
        "The hidden number",
        "Overlaps between agencies",
        "Escalation performance",
        "Open recommendations",
        f"size {checkpoint.size:,}",
    ):
        assert words in text, words
    # Registered: a problem profile on the register, and the profile with the PDF's digest.
    profile = ProblemProfile.objects.get()
    assert profile.pdf_sha256 == hashlib.sha256(generated.pdf).hexdigest()
    assert profile.checkpoint_size == checkpoint.size and profile.label == "2026-Q3"
    report = Report.objects.get(pk=profile.report_id)
    assert report.kind == "problem_profile" and profile.pdf_sha256 in report.summary
    kinds = list(
        LedgerLeaf.objects.filter(seq__gte=generated.registered.seq)
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds[:2] == ["report.registered", "profile.generated"]


def test_the_schedule_makes_one_profile_per_period(world: dict[str, Any]) -> None:
    assert run_profile_schedule(datetime(2026, 12, 7, 9, tzinfo=UTC)) is None  # no checkpoint
    sign_checkpoint_now()
    made = run_profile_schedule(datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert made is not None and made.label == "2026-Q3" and made.trend_period == "month"
    assert run_profile_schedule(datetime(2026, 12, 31, 23, tzinfo=UTC)) is None  # made already
    later = run_profile_schedule(datetime(2027, 1, 2, 9, tzinfo=UTC))
    assert later is not None and later.label == "2026-Q4"
    assert ProblemProfile.objects.count() == 2
    assert Report.objects.filter(kind="problem_profile").count() == 2
    assert date.fromisoformat(str(Report.objects.first().published_on))  # type: ignore[union-attr]


def test_the_pages_are_within_need_to_know_and_each_read_is_recorded(
    world: dict[str, Any],
) -> None:
    sign_checkpoint_now()
    generated = do_generate_profile(label="2026-Q3", actor=PROFILER)
    profile = ProblemProfile.objects.get()
    practitioner = Client()
    practitioner.force_login(world["practitioner"])
    assert practitioner.get("/profiles/").status_code == 403
    assert practitioner.get(f"/profiles/{profile.pk}/").status_code == 403
    assert practitioner.get(f"/profiles/{profile.pk}/pdf").status_code == 403
    analyst = Client()
    analyst.force_login(world["analyst"])
    listing = analyst.get("/profiles/")
    assert listing.status_code == 200 and b"Problem profile 2026-Q3" in listing.content
    before = LedgerLeaf.objects.filter(kind="record.viewed").count()
    page = analyst.get(f"/profiles/{profile.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="section-hotspots"' in html and "<svg" in html
    assert 'id="networks-summary"' in html and "Network analysis not available" not in html
    download = analyst.get(f"/profiles/{profile.pk}/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == generated.pdf
    viewed = LedgerLeaf.objects.filter(kind="record.viewed").order_by("seq")
    assert viewed.count() == before + 2
    last = viewed.last()
    assert last is not None
    payload = reading_ledger().store.read_payloads([last.seq])[last.seq].decode()
    assert f"profile:{profile.pk}" in payload["shown"]
    assert analyst.get("/profiles/00000000-0000-0000-0000-000000000000/").status_code == 404
    # The register's page for the report links to the profile.
    report_page = analyst.get(f"/register/reports/{profile.report_id}/").content.decode()
    assert f"/profiles/{profile.pk}/" in report_page


def test_a_lost_pdf_is_drawn_again_from_its_checkpoint(world: dict[str, Any]) -> None:
    sign_checkpoint_now()
    generated = do_generate_profile(label="2026-Q3", actor=PROFILER)
    generated.path.unlink()
    analyst = Client()
    analyst.force_login(world["analyst"])
    profile = ProblemProfile.objects.get()
    download = analyst.get(f"/profiles/{profile.pk}/pdf")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == profile.pdf_sha256
