"""``/api/v1/``: concerns, case work, oversight, and the OpenAPI 3 schema."""

from django.urls import path, re_path

from tocsin.server.api.casework import (
    ActionDone,
    Allocation,
    Contacts,
    Decisions,
    Meetings,
    Notes,
    Outcomes,
    Queue,
    Regrade,
    Screenings,
    SignOff,
)
from tocsin.server.api.challenges import ChallengeAnswer, Challenges
from tocsin.server.api.networks import Networks
from tocsin.server.api.oversight import Caseloads, CloseEscalation, OversightFigures
from tocsin.server.api.people import Search
from tocsin.server.api.people_review import ChildMerges, Matches, MatchReviews, MergeSplit
from tocsin.server.api.register import (
    RecommendationResponse,
    Register,
    ReportWithdrawal,
    ScrutinyExports,
)
from tocsin.server.api.schema import SCHEMA_SETTINGS, SchemaView
from tocsin.server.api.views import ConcernDetail, ConcernList, NoSuchRoute

app_name = "api"

urlpatterns = [
    path("concerns/", ConcernList.as_view(), name="concerns"),
    path("concerns/<str:concern_id>/", ConcernDetail.as_view(), name="concern"),
    path("queue/", Queue.as_view(), name="queue"),
    path("search/", Search.as_view(), name="search"),
    path("concerns/<str:concern_id>/decisions/", Decisions.as_view(), name="decisions"),
    path("concerns/<str:concern_id>/allocation/", Allocation.as_view(), name="allocation"),
    path("concerns/<str:concern_id>/notes/", Notes.as_view(), name="notes"),
    path("concerns/<str:concern_id>/contacts/", Contacts.as_view(), name="contacts"),
    path("concerns/<str:concern_id>/outcomes/", Outcomes.as_view(), name="outcomes"),
    path("concerns/<str:concern_id>/meetings/", Meetings.as_view(), name="meetings"),
    path("meeting-actions/<str:action_id>/done/", ActionDone.as_view(), name="action-done"),
    path("concerns/<str:concern_id>/screenings/", Screenings.as_view(), name="screenings"),
    path(
        "concerns/<str:concern_id>/screenings/<str:screening_id>/regrade/",
        Regrade.as_view(),
        name="regrade",
    ),
    path("decisions/<str:decision_id>/sign-off/", SignOff.as_view(), name="sign-off"),
    path("concerns/<str:concern_id>/challenges/", Challenges.as_view(), name="challenges"),
    path(
        "challenges/<str:challenge_id>/answer/",
        ChallengeAnswer.as_view(),
        name="challenge-answer",
    ),
    path("caseloads/", Caseloads.as_view(), name="caseloads"),
    path("oversight/", OversightFigures.as_view(), name="oversight"),
    path(
        "escalations/<str:escalation_id>/close/",
        CloseEscalation.as_view(),
        name="close-escalation",
    ),
    path("register/", Register.as_view(), name="register"),
    path(
        "register/<str:report_id>/withdrawal/",
        ReportWithdrawal.as_view(),
        name="register-withdrawal",
    ),
    path(
        "recommendations/<str:recommendation_id>/response/",
        RecommendationResponse.as_view(),
        name="recommendation-response",
    ),
    path("networks/", Networks.as_view(), name="networks"),
    path("scrutiny/exports/", ScrutinyExports.as_view(), name="scrutiny-exports"),
    path("matches/", Matches.as_view(), name="matches"),
    path("matches/<str:match_id>/review/", MatchReviews.as_view(), name="match-review"),
    path("children/<str:child_id>/merges/", ChildMerges.as_view(), name="child-merges"),
    path("merges/<str:merge_id>/split/", MergeSplit.as_view(), name="merge-split"),
    path("schema/", SchemaView.as_view(custom_settings=SCHEMA_SETTINGS), name="schema"),
    # Last: any other path under /api/v1/ is a 404 in the API's shape, not the web's page.
    re_path(r"^", NoSuchRoute.as_view()),  # unnamed: nothing links to it
]
