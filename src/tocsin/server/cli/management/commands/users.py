"""tocsin users: enrol people, list them, close and reopen their accounts, set their passwords
and change their roles (each an action with its event on the ledger)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.directory import ROLES, new_password
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.directory.actions import (
    do_change_role,
    do_deactivate_user,
    do_enrol_user,
    do_reactivate_user,
    do_set_email,
    do_set_password,
)
from tocsin.server.directory.models import Agency, Team, User

_ACCOUNT_JSON = 'print {"id", "username", "role", "active"}'


def _user(username: str) -> User:
    user: User | None = User.objects.filter(username=username).first()
    if user is None:
        raise UsageError(f"no user called {username!r} (see 'tocsin users list')")
    return user


def _read_password(options: dict[str, Any]) -> tuple[str, bool]:
    """The new password and whether it was generated: from standard input, generated, or
    typed twice at a prompt (never from the command line, where other users could see it)."""
    if options["password_stdin"]:
        return sys.stdin.readline().rstrip("\n"), False
    if options["generate"]:
        return generate_password(), True
    if not sys.stdin.isatty():
        raise UsageError(
            "standard input is not a terminal: pass --password-stdin to read the password "
            "from it, or --generate"
        )
    import getpass

    first = getpass.getpass("New password: ")
    if getpass.getpass("The same again: ") != first:
        raise UsageError("the two passwords differ; nothing was changed")
    return first, False


def generate_password() -> str:
    """A random password of five groups of five letters and digits (about 119 bits)."""
    return new_password()


class Command(TocsinCommand):
    help = (
        "Enrol users (user.enrolled and user.password_set events), set their work e-mail "
        "address (user.email_set: escalations are sent there), list them, close and reopen "
        "accounts (user.deactivated, user.reactivated), set passwords and change roles "
        "(user.role_changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="create|set-email|list|deactivate|activate|set-password|set-role",
        )
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
        closing = sub.add_parser(
            "deactivate",
            help="close an account: no sign-in, its sessions end, its API tokens are revoked",
        )
        closing.add_argument("username")
        closing.add_argument("--reason", required=True, help="why; kept on the ledger")
        closing.add_argument("--json", action="store_true", help=_ACCOUNT_JSON)
        opening = sub.add_parser(
            "activate", help="open a closed account again (its API tokens stay revoked)"
        )
        opening.add_argument("username")
        opening.add_argument("--reason", required=True, help="why; kept on the ledger")
        opening.add_argument("--json", action="store_true", help=_ACCOUNT_JSON)
        password = sub.add_parser(
            "set-password",
            help="set a user's password (never on the command line): typed at a prompt, read "
            "from standard input, or generated; the user's sessions end",
        )
        password.add_argument("username")
        given = password.add_mutually_exclusive_group()
        given.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
        given.add_argument(
            "--generate", action="store_true", help="generate a password and print it once"
        )
        password.add_argument(
            "--json", action="store_true", help=_ACCOUNT_JSON[:-1] + ', "password" if generated}'
        )
        role = sub.add_parser("set-role", help="change a user's role")
        role.add_argument("username")
        role.add_argument(
            "role",
            choices=sorted(ROLES),
            metavar="ROLE",
            help=f"one of: {', '.join(sorted(ROLES))}",
        )
        role.add_argument("--json", action="store_true", help=_ACCOUNT_JSON)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            handler = {
                "create": self._create,
                "set-email": self._set_email,
                "list": self._list,
                "deactivate": self._deactivate,
                "activate": self._activate,
                "set-password": self._set_password,
                "set-role": self._set_role,
            }[options["action"]]
            handler(options)
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
        user = _user(options["username"])
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

    def _account(self, user: User, options: dict[str, Any], said: str, **more: str) -> None:
        user = User.objects.get(pk=user.pk)
        if options["json"]:
            document: dict[str, Any] = {
                "id": str(user.pk),
                "username": user.username,
                "role": user.role,
                "active": user.is_active,
                **more,
            }
            self.emit_json(document)
            return
        self.stdout.write(f"{user.username}: {said}")
        if "password" in more:
            self.stdout.write(f"password (shown once): {more['password']}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        do_deactivate_user(user, options["reason"], actor=SystemActor("cli"))
        self._account(user, options, "account closed; its sessions and API tokens stop working")

    def _activate(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        do_reactivate_user(user, options["reason"], actor=SystemActor("cli"))
        self._account(user, options, "account open again")

    def _set_password(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        password, generated = _read_password(options)
        do_set_password(user, password, actor=SystemActor("cli"))
        shown = {"password": password} if generated else {}
        self._account(user, options, "password set; their other sessions end", **shown)

    def _set_role(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        do_change_role(user, options["role"], actor=SystemActor("cli"))
        self._account(user, options, f"role is now {options['role']}")
