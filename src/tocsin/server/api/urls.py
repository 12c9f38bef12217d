"""``/api/v1/``: concerns, and the OpenAPI 3 schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

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
from tocsin.server.api.oversight import Caseloads, CloseEscalation, OversightFigures
from tocsin.server.api.views import ConcernDetail, ConcernList

app_name = "api"

urlpatterns = [
    path("concerns/", ConcernList.as_view(), name="concerns"),
    path("concerns/<str:concern_id>/", ConcernDetail.as_view(), name="concern"),
    path("queue/", Queue.as_view(), name="queue"),
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
    path(
        "schema/",
        SpectacularAPIView.as_view(
            custom_settings={
                "TITLE": "Tocsin API",
                "VERSION": "1",
                "DESCRIPTION": "Record concerns about children and read the ones you may see. "
                "Every read is recorded on the ledger.",
            }
        ),
        name="schema",
    ),
]
