"""tocsin tokens: issue, list and revoke API tokens (api_token.issued and api_token.revoked
events). A token is printed once, when it is issued; only its digest is kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.directory import MAX_TOKEN_DAYS, TOKEN_SCOPES
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError, positive
from tocsin.server.directory.models import ApiToken, User
from tocsin.server.directory.tokens import (
    DEFAULT_TOKEN_DAYS,
    access_token,
    do_issue_api_token,
    do_revoke_api_token,
)


def _row(token: ApiToken) -> dict[str, Any]:
    return {
        "id": str(token.pk),
        "username": token.user.username,
        "name": token.name,
        "scope": token.scope,
        "hint": token.hint,
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at or None,
    }


class Command(TocsinCommand):
    help = (
        "Issue API tokens to users (scoped read or write, expiring), list them and revoke "
        "them (api_token.issued, api_token.revoked events)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="issue|list|revoke")
        issue = sub.add_parser("issue", help="issue a token to a user; it is printed once")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="what the token is for")
        issue.add_argument(
            "--scope",
            required=True,
            choices=sorted(TOKEN_SCOPES),
            help="read: GET only; write: everything the user may do through the API",
        )
        issue.add_argument(
            "--days",
            type=positive,
            default=DEFAULT_TOKEN_DAYS,
            help=f"days until it expires, 1 to {MAX_TOKEN_DAYS} (default {DEFAULT_TOKEN_DAYS})",
        )
        issue.add_argument(
            "--json", action="store_true", help='print the token\'s details and "token"'
        )
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("--user", help="only this user's tokens")
        listing.add_argument("--json", action="store_true", help='print {"tokens": [...]}')
        revoke = sub.add_parser("revoke", help="revoke a token by its id (see 'tokens list')")
        revoke.add_argument("token_id")
        revoke.add_argument("--reason", default="", help="why; kept on the ledger")
        revoke.add_argument("--json", action="store_true", help="print the token's details")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "issue":
                self._issue(options)
            elif options["action"] == "list":
                self._list(options)
            else:
                self._revoke(options)
        except ActionRefused as exc:
            raise UsageError(f"refused: {exc}") from None

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise UsageError(f"no user called {options['username']!r} (see 'tocsin users list')")
        issued = do_issue_api_token(
            user, options["name"], options["scope"], options["days"], actor=SystemActor("cli")
        )
        row = ApiToken.objects.select_related("user").get(pk=issued.row.pk)
        if options["json"]:
            self.emit_json({**_row(row), "token": issued.token})
            return
        self.stdout.write(
            f"issued {row.scope} token {row.pk} to {user.username}, expires {row.expires_at}"
        )
        self.stdout.write(f"token (shown once): {issued.token}")

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("-issued_seq")
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        rows = [_row(t) for t in tokens]
        if options["json"]:
            self.emit_json({"tokens": rows})
            return
        for row in rows:
            state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "expires"
            when = "" if row["revoked_at"] else f" {row['expires_at']}"
            self.stdout.write(
                f"{row['id']}  {row['username']:<20} {row['scope']:<5} {row['hint']}…  "
                f"{state}{when}  {row['name']}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        actor = SystemActor("cli")
        token = access_token(actor, options["token_id"])
        do_revoke_api_token(token, options["reason"] or "revoked on the server", actor=actor)
        row = ApiToken.objects.select_related("user").get(pk=token.pk)
        if options["json"]:
            self.emit_json(_row(row))
            return
        self.stdout.write(f"revoked token {row.pk} ({row.user.username}: {row.name})")
