"""tocsin agencies: register agencies, form their teams, list them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.directory import SECTORS
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.directory.actions import do_form_team, do_register_agency
from tocsin.server.directory.models import Agency


class Command(TocsinCommand):
    help = "Register agencies and form teams (agency.registered, team.formed); list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="register|team|list")
        register = sub.add_parser("register", help="register an agency in the partnership")
        register.add_argument("name", help="the agency's name, unique in the partnership")
        register.add_argument(
            "--sector",
            required=True,
            choices=sorted(SECTORS),
            metavar="SECTOR",
            help=f"one of: {', '.join(sorted(SECTORS))}",
        )
        team = sub.add_parser("team", help="form a team within an agency")
        team.add_argument("agency", help="the agency's registered name")
        team.add_argument("name", help="the team's name")
        listing = sub.add_parser("list", help="list agencies and their teams")
        listing.add_argument("--json", action="store_true", help='print {"agencies": [...]}')

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor("cli")
        try:
            if options["action"] == "register":
                agency = do_register_agency(options["name"], options["sector"], actor=actor)
                self.stdout.write(f"registered {agency.name} ({agency.sector})")
            elif options["action"] == "team":
                parent = Agency.objects.filter(name_key=options["agency"].casefold()).first()
                if parent is None:
                    raise UsageError(f"no agency called {options['agency']!r}")
                team = do_form_team(parent, options["name"], actor=actor)
                self.stdout.write(f"formed {team.name} in {parent.name}")
            else:
                rows = [
                    {
                        "id": str(a.pk),
                        "name": a.name,
                        "sector": a.sector,
                        "teams": [t.name for t in a.teams.all()],
                    }
                    for a in Agency.objects.prefetch_related("teams").order_by("name")
                ]
                if options["json"]:
                    self.emit_json({"agencies": rows})
                else:
                    for row in rows:
                        self.stdout.write(
                            f"{row['name']} ({row['sector']}): "
                            f"{', '.join(row['teams']) or 'no teams'}"
                        )
        except ActionRefused as exc:
            raise UsageError(f"refused: {exc}") from None
