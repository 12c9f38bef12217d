"""tocsin demo: set up $TOCSIN_HOME with a demonstration partnership and serve it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction

from tocsin.server.actors import SystemActor
from tocsin.server.cli.base import TocsinCommand
from tocsin.server.cli.management.commands.serve import serve_forever
from tocsin.server.cli.management.commands.users import generate_password
from tocsin.server.directory.actions import (
    do_enrol_user,
    do_form_team,
    do_register_agency,
    do_set_password,
)
from tocsin.server.directory.models import Agency, User
from tocsin.server.ledger.recording import reading_ledger

DEMO_AGENCY = "Tocsin Demonstration Partnership"
DEMO_ADMIN = "demo-admin"


class Command(TocsinCommand):
    help = (
        "Prepare $TOCSIN_HOME, migrate, set up a demonstration partnership with an "
        "administrator (credentials printed, new password each run) and serve it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help="seed for the synthetic partnership (default 1)"
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Tocsin home: {settings.TOCSIN_HOME}")
        call_command("migrate", verbosity=0, interactive=False)
        actor = SystemActor("demo")
        password = generate_password()
        with transaction.atomic():
            agency = Agency.objects.filter(name_key=DEMO_AGENCY.casefold()).first()
            if agency is None:
                agency = do_register_agency(DEMO_AGENCY, "partnership", actor=actor)
                team = do_form_team(agency, "Partnership administration", actor=actor)
                admin = do_enrol_user(
                    DEMO_ADMIN,
                    "Demo Administrator",
                    agency,
                    "administrator",
                    team=team,
                    actor=actor,
                )
            else:
                admin = User.objects.get(username=DEMO_ADMIN)
            do_set_password(admin, password, actor=actor)
        size, root = reading_ledger().store.head()
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(
            "\n".join(
                [
                    f"Ledger: {size} events, root {root.hex()}",
                    "Demo administrator (synthetic data only):",
                    f"  username: {DEMO_ADMIN}",
                    f"  password: {password}",
                    "",
                    f"Serving {url}  (Ctrl-C stops)" if not options["no_serve"] else "Set up.",
                ]
            )
        )
        if not options["no_serve"]:
            serve_forever(options["host"], options["port"])
