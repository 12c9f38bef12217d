from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    """Professional challenge: any practitioner challenges a decision; the challenge goes
    outside the decider's line management, runs on its own clock, and is answered. The
    projection, its appliers, the actions and the read models."""

    name = "tocsin.server.challenges"
    label = "challenges"

    def ready(self) -> None:
        from tocsin.server.challenges import appliers  # noqa: F401  (registers the appliers)
