"""tocsin users: enrol people and list them."""

from __future__ import annotations

import secrets
import sys
from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.directory import ROLES
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.directory.actions import do_enrol_user, do_set_email, do_set_password
from tocsin.server.directory.models import Agency, Team, User


def generate_password() -> str:
    """A random password of five groups of five letters and digits (about 119 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(5))


class Command(TocsinCommand):
    help = (
        "Enrol users (user.enrolled and user.password_set events), set their work e-mail "
        "address (user.email_set: escalations are sent there), and list them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|set-email|list")
        create = sub.add_parser("create", help="enrol a user in an agency with a role")
        create.add_argument("username", help="lower-case letters, digits, dots, hyphens")
        create.add_argument("--name", required=True, help="the person's full name")
        create.add_argument("--agency", required=True, help="the agency's registered name")
        create.add_argument("--team", help="a team of that agency")
        create.add_argument(
            "--role",
            required=True,
            choices=sorted(ROLES),
            metavar="ROLE",
            help=f"one of: {', '.join(sorted(ROLES))}",
        )
        create.add_argument("--email", help="a work e-mail address, for escalations")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (default: generate one and print it once)",
        )
        create.add_argument(
            "--json",
            action="store_true",
            help='print {"id", "username", "role", "agency"[, "password"]}',
        )
        email = sub.add_parser(
            "set-email", help="set (or, with an empty address, clear) a user's work e-mail"
        )
        email.add_argument("username")
        email.add_argument("email", help='the address, or "" to clear it')
        listing = sub.add_parser("list", help="list users")
        listing.add_argument("--json", action="store_true", help='print {"users": [...]}')

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            elif options["action"] == "set-email":
                self._set_email(options)
            else:
                self._list(options)
        except ActionRefused as exc:
            raise UsageError(f"refused: {exc}") from None

    def _create(self, options: dict[str, Any]) -> None:
        agency = Agency.objects.filter(name_key=options["agency"].casefold()).first()
        if agency is None:
            raise UsageError(
                f"no agency called {options['agency']!r}; register it first with "
                "'tocsin agencies register'"
            )
        team = None
        if options["team"]:
            team = Team.objects.filter(agency=agency, name__iexact=options["team"]).first()
            if team is None:
                raise UsageError(f"{agency.name} has no team called {options['team']!r}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            generated = False
        else:
            password = generate_password()
            generated = True
        actor = SystemActor("cli")
        from django.db import transaction

        # Enrolment and password are two events; if the password is refused, neither stays.
        with transaction.atomic():
            user = do_enrol_user(
                options["username"],
                options["name"],
                agency,
                options["role"],
                team=team,
                actor=actor,
            )
            do_set_password(user, password, actor=actor)
            if options["email"]:
                do_set_email(user, options["email"], actor=actor)
        if options["json"]:
            document = {
                "id": str(user.pk),
                "username": user.username,
                "role": user.role,
                "agency": agency.name,
            }
            if generated:
                document["password"] = password
            self.emit_json(document)
            return
        self.stdout.write(f"enrolled {user.username} ({user.role}, {agency.name})")
        if generated:
            self.stdout.write(f"password (shown once): {password}")

    def _set_email(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise UsageError(f"no user called {options['username']!r}")
        do_set_email(user, options["email"], actor=SystemActor("cli"))
        shown = options["email"].strip() or "cleared"
        self.stdout.write(f"{user.username}: e-mail {shown}")

    def _list(self, options: dict[str, Any]) -> None:
        users = User.objects.select_related("agency", "team").order_by("username")
        rows = [
            {
                "id": str(u.pk),
                "username": u.username,
                "name": u.display_name,
                "agency": u.agency.name if u.agency else None,
                "team": u.team.name if u.team else None,
                "role": u.role,
                "email": u.email,
                "active": u.is_active,
            }
            for u in users
        ]
        if options["json"]:
            self.emit_json({"users": rows})
            return
        for row in rows:
            state = "" if row["active"] else " (closed)"
            self.stdout.write(f"{row['username']:<24} {row['role']:<24} {row['agency']}{state}")
