"""The register's core (``tocsin.domain.register``): its public names, the rules a report, a
response and a withdrawal must meet, and its recommendations on the default clocks policy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import tocsin.domain.register
from tocsin.domain.clocks import ClockEvent, default_policy, evaluate
from tocsin.domain.register import (
    MAX_RECOMMENDATIONS,
    RecommendationDraft,
    RecommendationResponded,
    ReportDraft,
    ReportRegistered,
    ReportWithdrawn,
    report_problems,
    response_problems,
    withdrawal_problems,
)

OWNER = "3f0c1f3e-0000-4000-8000-000000000001"


def test_the_public_surface_is_pinned() -> None:
    assert sorted(tocsin.domain.register.__all__) == [
        "MAX_RECOMMENDATIONS",
        "ProfileGenerated",
        "RECOMMENDATION_RESPONSES",
        "REPORT_KINDS",
        "RecommendationDraft",
        "RecommendationResponded",
        "ReportDraft",
        "ReportRegistered",
        "ReportWithdrawn",
        "SCRUTINY_EXPORTS",
        "ScrutinyExported",
        "report_problems",
        "response_problems",
        "withdrawal_problems",
    ]


def _draft(**changes: object) -> ReportDraft:
    fields: dict[str, object] = {
        "kind": "research",
        "title": "Research on exploitation and the night-time economy",
        "author": "University research team",
        "published_on": date(2026, 3, 1),
        "summary": "Taxi and takeaway staff saw the signs and had nowhere to report them.",
        "recommendations": [
            RecommendationDraft("Train licensed drivers.", OWNER, date(2026, 6, 1))
        ],
    }
    fields.update(changes)
    return ReportDraft(**fields)  # type: ignore[arg-type]


def test_a_complete_report_has_no_problems() -> None:
    assert report_problems(_draft(), known_owners={OWNER}) == []
    assert report_problems(_draft(recommendations=[]), known_owners=set()) == []


def test_each_field_is_checked_where_it_is() -> None:
    problems = dict(
        report_problems(
            _draft(
                kind="gossip",
                title=" ",
                author="A\nB",
                published_on=date(1800, 1, 1),
                summary="",
                recommendations=[
                    RecommendationDraft("", "someone", None),
                    RecommendationDraft("Fine.", OWNER, date(9999, 1, 1)),
                ],
            ),
            known_owners={OWNER},
        )
    )
    assert set(problems) == {
        "kind",
        "title",
        "author",
        "published_on",
        "summary",
        "recommendations.0.text",
        "recommendations.0.owner",
        "recommendations.0.due",
        "recommendations.1.due",
    }
    assert "Enter a date between 1900 and 2199" in problems["published_on"]


def test_too_many_recommendations_are_refused_as_one_problem() -> None:
    many = [RecommendationDraft("x", OWNER, date(2026, 6, 1))] * (MAX_RECOMMENDATIONS + 1)
    assert [f for f, _ in report_problems(_draft(recommendations=many), known_owners={OWNER})] == [
        "recommendations"
    ]


def test_a_response_and_a_withdrawal_need_substance() -> None:
    assert response_problems("accepted", "Licensing checks start in January.") == []
    assert [f for f, _ in response_problems("maybe", "ok")] == ["response", "text"]
    assert withdrawal_problems("Superseded by the final report.") == []
    assert withdrawal_problems("no") and withdrawal_problems("")


def _event(seq: int, day: int, event: object) -> ClockEvent:
    time = datetime(2026, 6, day, 10, 0, tzinfo=UTC)
    return ClockEvent.of(seq, time, event.kind, event.subjects(), event.payload())  # type: ignore[attr-defined]


def test_each_recommendation_runs_on_its_own_clock_and_withdrawal_does_not_stop_it() -> None:
    policy = default_policy()
    registered = ReportRegistered(
        report_id="r1",
        report_kind="audit",
        title="Audit",
        author="Audit team",
        published_on="2026-06-01",
        summary="Findings.",
        recommendations=[
            {"recommendation_id": "a", "text": "One", "owner_id": OWNER, "due": "2026-06-05"},
            {"recommendation_id": "b", "text": "Two", "owner_id": OWNER, "due": "2026-06-05"},
        ],
    )
    events = [
        _event(0, 1, registered),
        _event(1, 2, RecommendationResponded("r1", "a", "accepted", "Done by July.")),
        _event(2, 3, ReportWithdrawn("r1", "Superseded by the final report.")),
    ]
    result = evaluate(policy, events, datetime(2026, 6, 30, tzinfo=UTC))
    by_key = {ob.key: ob for ob in result.obligations}
    assert by_key["recommendation:a"].status == "met"
    assert by_key["recommendation:b"].status == "overdue"
    assert by_key["recommendation:b"].owner_id == OWNER
    assert by_key["recommendation:b"].level == 3
    assert {e.level for e in result.escalations if e.obligation_id.endswith(":b")} == {1, 2, 3}
