"""tocsin unlock: lift sign-in lockouts before they run out (a sign_in.unlocked event), or
remove a lost second factor (sign_in.second_factor_removed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.actors import ActionRefused
from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import SystemActor
from tocsin.server.signin.actions import do_lift_lockout, do_remove_second_factor


class Command(TocsinCommand):
    help = (
        "Lift the sign-in lockout of one account (USERNAME) or, with --all, of every account "
        "and client, before TOCSIN_LOCKOUT_SECONDS run out; recorded as sign_in.unlocked with "
        "the reason. With --second-factor, remove USERNAME's authenticator app and recovery "
        "codes instead (they lost both), so that they set up new ones at their next sign-in; "
        "recorded as sign_in.second_factor_removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="the account to unlock")
        parser.add_argument(
            "--all", action="store_true", help="every account and every client address"
        )
        parser.add_argument(
            "--second-factor",
            action="store_true",
            help="remove USERNAME's second factor instead of lifting a lockout",
        )
        parser.add_argument("--reason", required=True, help="why; kept on the ledger")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if bool(username) == bool(options["all"]):
            raise UsageError("name one USERNAME, or give --all")
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise UsageError(f"no user called {username!r}")
        actor = SystemActor("cli")
        try:
            if options["second_factor"]:
                if user is None:
                    raise UsageError("--second-factor needs a USERNAME")
                removed = do_remove_second_factor(user, options["reason"], actor=actor)
                self.stdout.write(f"{user.username}: second factor removed ({removed})")
                return
            cleared = do_lift_lockout(user, options["reason"], actor=actor)
        except ActionRefused as exc:
            raise UsageError(str(exc)) from None
        who = user.username if user else "every account and client"
        self.stdout.write(f"unlocked {who} ({cleared} failure counter(s) cleared)")
