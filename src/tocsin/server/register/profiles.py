"""Problem profiles (issue 17 §2): made at a signed checkpoint from the same reading of the
ledger as the statistics, always suppressed as anything published is, drawn as an HTML page and
an A4 PDF (WeasyPrint; the charts are SVG drawn on the server), and registered on the register
of reports as a ``problem_profile`` with the digests of its PDF and its figures.

The clocks worker makes one per cadence period of the clocks policy's ``[profiles]`` table
(:func:`run_profile_schedule`); ``tocsin profile`` makes one by hand. The PDF is kept in
``$TOCSIN_HOME/profiles``; if it is lost it is drawn again from the checkpoint, and the digest
on the ledger says whether the copy is the one registered.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tocsin.domain.casework import roles_for
from tocsin.domain.register import ProfileGenerated, ReportRegistered
from tocsin.domain.statistics import (
    PERIODS,
    SUPPRESSED_MARK,
    ProfileDocument,
    bar_chart,
    due_profile_label,
    previous_period,
    profile_document,
    profile_json,
)
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Actor, SystemActor, actor_id, require_role
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.ledger.recording import record_event
from tocsin.server.register.models import ProblemProfile
from tocsin.server.statistics.actions import STATISTICS_ROLES
from tocsin.server.statistics.reading import NoCheckpoint, StatisticsAt, statistics_at

__all__ = [
    "PROFILER",
    "PROFILE_ROLES",
    "Generated",
    "ProfileRefused",
    "charts",
    "do_generate_profile",
    "find_profile",
    "may_read_profiles",
    "network_section",
    "profile_at",
    "profile_of_report",
    "profile_pdf",
    "profiles_made",
    "render_pdf",
    "run_profile_schedule",
]

logger = logging.getLogger(__name__)

#: Who reads problem profiles: whoever reads the statistics.
PROFILE_ROLES = STATISTICS_ROLES

#: Who the ledger says made a scheduled profile.
PROFILER = SystemActor("tocsin:profiles")


class ProfileRefused(ActionRefused):
    """A profile cannot be made or shown as asked (no checkpoint, an unknown period); nothing
    was recorded. The message says what to do."""


def may_read_profiles(user: object) -> bool:
    """Whether ``user`` may read problem profiles."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "role", "") in PROFILE_ROLES


def network_section(stats: StatisticsAt) -> dict[str, Any] | None:
    """The networks section's anonymised summary: the POLE graph of the concerns recorded
    before ``stats``' checkpoint (``tocsin.server.networks``, issue 16), its networks found as
    the network view finds them, and counts only (never a name), each from 1 up to the
    suppression threshold shown as "fewer than N". None where the analysis fails: the profile
    then says "network analysis not available". The concerns are those below the checkpoint;
    their people, vehicles, phones and places are read as they stand now (a merge or an
    expunction since changes them)."""
    try:
        from tocsin.intel.graph import build_graph, detect
        from tocsin.server.concerns.models import Concern
        from tocsin.server.networks.mentions import concern_mentions

        below = {
            str(pk)
            for pk in Concern.objects.filter(recorded_seq__lt=stats.figures.size).values_list(
                "pk", flat=True
            )
        }
        mentions = [m for m in concern_mentions() if m.concern_id in below]
        if not mentions:
            return {"networks": 0}
        graph = build_graph(mentions, as_of=max(m.occurred_on for m in mentions))
        found = detect(graph, seed=0).networks
    except Exception:  # the analysis failing must not stop the profile; the log says why
        logger.exception("the networks summary failed; the profile says it is not available")
        return None
    minimum = int(getattr(settings, "TOCSIN_STATS_SUPPRESS_BELOW", 5))

    def shown(count: int) -> int | str:
        return f"fewer than {minimum}" if 0 < count < minimum else count

    children = set().union(*(n.children for n in found)) if found else set()
    return {
        "networks": shown(len(found)),
        "children_in_a_network": shown(len(children)),
        "largest_network_entities": shown(max((len(n.nodes) for n in found), default=0)),
        "networks_reported_by_two_or_more_agencies": shown(
            sum(1 for n in found if n.agencies >= 2)
        ),
    }


def profile_at(
    size: int | None = None, *, trend_period: str = "month", label: str | None = None
) -> tuple[ProfileDocument, StatisticsAt]:
    """The profile at the checkpoint of ``size`` (the newest if None), its trends grouped by
    ``trend_period``, called ``label`` (default: the last whole quarter before its last
    event)."""
    if trend_period not in PERIODS:
        raise ProfileRefused(f"the period must be one of {', '.join(PERIODS)}")
    try:
        stats = statistics_at(size, period=trend_period)
    except NoCheckpoint as exc:
        raise ProfileRefused(str(exc)) from None
    if label is None:
        label = previous_period(stats.figures.as_of or timezone.now(), "quarter")
    doc = profile_document(
        stats.figures,
        root=stats.root,
        origin=stats.origin,
        minimum=settings.TOCSIN_STATS_SUPPRESS_BELOW,
        label=label,
        networks=network_section(stats),
    )
    return doc, stats


def charts(doc: ProfileDocument) -> dict[str, Any]:
    """The bar chart of every figure in the profile, by figure id."""
    return {
        entry["id"]: bar_chart(entry)
        for section in doc.data["sections"]
        for entry in section["figures"]
    }


def render_pdf(doc: ProfileDocument) -> bytes:
    """The profile as an A4 PDF: the same sections, charts and tables as the page."""
    from weasyprint import HTML  # imported here: loading it takes a moment

    html = render_to_string(
        "web/profile_pdf.html", {"doc": doc.data, "charts": charts(doc), "mark": SUPPRESSED_MARK}
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _profiles_dir() -> Path:
    return Path(settings.TOCSIN_HOME) / "profiles"


@dataclass(frozen=True)
class Generated:
    """A profile made and registered: its document, its PDF and the events that recorded it."""

    doc: ProfileDocument
    pdf: bytes
    path: Path
    registered: Envelope
    generated: Envelope


def do_generate_profile(
    *,
    size: int | None = None,
    trend_period: str = "month",
    label: str | None = None,
    actor: Actor,
) -> Generated:
    """Make the profile at the checkpoint of ``size`` (the newest if None), keep its PDF, and
    register it: ``report.registered`` (a problem profile, no recommendations) then
    ``profile.generated`` with the digests of the PDF and of the JSON."""
    if not isinstance(actor, SystemActor):
        require_role(actor, *roles_for("register_report"))
    doc, stats = profile_at(size, trend_period=trend_period, label=label)
    pdf = render_pdf(doc)
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    json_sha256 = hashlib.sha256(profile_json(doc).encode("utf-8")).hexdigest()
    profile_id, report_id = str(uuid.uuid4()), str(uuid.uuid4())
    folder = _profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{profile_id}.pdf"
    path.write_bytes(pdf)
    checkpoint = doc.data["checkpoint"]
    summary = (
        f"Problem profile {doc.data['label']}, computed from the ledger at checkpoint "
        f"{checkpoint['size']} (root {checkpoint['root']}), with counts below "
        f"{doc.data['suppression']['below']} suppressed. PDF SHA-256 {pdf_sha256}. "
        f"Recompute it: tocsin profile --checkpoint {checkpoint['size']} --period "
        f"{trend_period} --label {doc.data['label']} --json"
    )
    with transaction.atomic():
        registered = record_event(
            ReportRegistered(
                report_id=report_id,
                report_kind="problem_profile",
                title=f"Problem profile {doc.data['label']}",
                author="Tocsin, computed from the ledger",
                published_on=timezone.localdate().isoformat(),
                summary=summary,
                recommendations=[],
            ),
            actor_id=actor_id(actor),
        )
        generated = record_event(
            ProfileGenerated(
                profile_id=profile_id,
                report_id=report_id,
                label=doc.data["label"],
                checkpoint_size=stats.figures.size,
                checkpoint_root=stats.root,
                trend_period=trend_period,
                pdf_sha256=pdf_sha256,
                json_sha256=json_sha256,
            ),
            actor_id=actor_id(actor),
        )
    return Generated(doc=doc, pdf=pdf, path=path, registered=registered, generated=generated)


def profiles_made() -> list[ProblemProfile]:
    """Every profile made, newest first (a profile holds suppressed counts only: loading one
    shows no record about a person)."""
    return list(ProblemProfile.objects.all())


def find_profile(profile_id: uuid.UUID | str) -> ProblemProfile | None:
    """The profile ``profile_id``, with its report; None if there is none."""
    found: ProblemProfile | None = (
        ProblemProfile.objects.select_related("report").filter(pk=profile_id).first()
    )
    return found


def profile_of_report(report_id: uuid.UUID | str) -> ProblemProfile | None:
    """The profile registered as the report ``report_id``, if it is one."""
    found: ProblemProfile | None = ProblemProfile.objects.filter(report_id=report_id).first()
    return found


def profile_pdf(profile: ProblemProfile) -> bytes:
    """The registered PDF of ``profile``: the kept file, or (if it is lost or does not match
    the digest on the ledger) drawn again from its checkpoint. Refuses if the copy drawn again
    does not match either."""
    path = _profiles_dir() / f"{profile.pk}.pdf"
    if path.exists():
        kept = path.read_bytes()
        if hashlib.sha256(kept).hexdigest() == profile.pdf_sha256:
            return kept
    doc, _ = profile_at(
        profile.checkpoint_size, trend_period=profile.trend_period, label=profile.label
    )
    drawn = render_pdf(doc)
    if hashlib.sha256(drawn).hexdigest() != profile.pdf_sha256:
        raise ProfileRefused(
            "the profile's PDF is missing and the one drawn again from its checkpoint does not "
            "match the digest on the ledger; tocsin profile --json at the checkpoint gives its "
            "figures"
        )
    return drawn


def run_profile_schedule(now: datetime | None = None) -> ProblemProfile | None:
    """Make the profile the clocks policy's ``[profiles]`` schedule wants now (the last whole
    cadence period's), unless one with that label exists or there is no signed checkpoint."""
    spec = clocks_policy().profiles
    if spec is None:
        return None
    made = set(ProblemProfile.objects.values_list("label", flat=True))
    label = due_profile_label(now or timezone.now(), spec.cadence, made)
    if label is None:
        return None
    try:
        generated = do_generate_profile(trend_period=spec.trend_period, label=label, actor=PROFILER)
    except ProfileRefused as exc:
        logger.info("no problem profile for %s yet: %s", label, exc)
        return None
    row: ProblemProfile = ProblemProfile.objects.get(generated_seq=generated.generated.seq)
    return row
