"""tocsin register: register a report with its recommendations, list the register, withdraw
a report (docs/register.md). A recommendation is answered by its owner, signed in (the page, or
the API with their token), never from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from tocsin.domain.register import RecommendationDraft, ReportDraft
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError, operator
from tocsin.server.register.actions import do_register_report, do_withdraw_report
from tocsin.server.register.read_models import owner_id_for, register

_EXAMPLE = (
    '{"kind": "audit", "title": "...", "author": "...", "published_on": "2026-11-02", '
    '"summary": "...", "recommendations": [{"text": "...", "owner": "USERNAME", '
    '"due": "2027-01-31"}]}'
)


def _day(value: object, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{where}: {value!r} is not a date like 2026-11-02") from None


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise UsageError(f"{where}{key} must be text")
    return value


def _draft(path: Path) -> ReportDraft:
    """The report in the JSON file at ``path``; owners by username or user id."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{path} is not JSON; write it like {_EXAMPLE}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("recommendations", []), list):
        raise UsageError(f"{path} is not a report; write it like {_EXAMPLE}")
    recommendations = []
    for n, item in enumerate(raw.get("recommendations", []), start=1):
        where = f"recommendation {n}: "
        if not isinstance(item, dict):
            raise UsageError(f"{where}write it like {_EXAMPLE}")
        owner = _text(item, "owner", where)
        recommendations.append(
            RecommendationDraft(
                _text(item, "text", where),
                owner_id_for(owner) or owner,
                _day(item.get("due"), f"{where}due"),
            )
        )
    return ReportDraft(
        kind=_text(raw, "kind", ""),
        title=_text(raw, "title", ""),
        author=_text(raw, "author", ""),
        published_on=_day(raw.get("published_on"), "published_on"),
        summary=_text(raw, "summary", ""),
        recommendations=recommendations,
    )


class Command(TocsinCommand):
    help = (
        "The register of reports and recommendations: register a report from a JSON file "
        "(report.registered), list the register, or withdraw a report with the reason "
        "(report.withdrawn). Owners respond signed in, not here."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="add|list|withdraw")
        add = sub.add_parser("add", help="register a report and its recommendations")
        add.add_argument("file", type=Path, help=f"a JSON file like {_EXAMPLE}")
        add.add_argument("--json", action="store_true", help='print {"id", "seq"}')
        listing = sub.add_parser("list", help="list the register, newest published first")
        listing.add_argument("--json", action="store_true", help='print {"reports": [...]}')
        withdraw = sub.add_parser("withdraw", help="withdraw a report, with the reason")
        withdraw.add_argument("report", help="the report's id")
        withdraw.add_argument("--reason", required=True, help="why; shown on the register")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor(f"cli:{operator()}")
        try:
            if options["action"] == "add":
                envelope = do_register_report(_draft(options["file"]), actor=actor)
                report_id = envelope.subjects[0].split(":", 1)[1]
                if options["json"]:
                    self.emit_json({"id": report_id, "seq": envelope.seq})
                else:
                    self.stdout.write(f"registered report {report_id} (event {envelope.seq})")
            elif options["action"] == "withdraw":
                envelope = do_withdraw_report(options["report"], options["reason"], actor=actor)
                self.stdout.write(f"withdrew report {options['report']} (event {envelope.seq})")
            else:
                self._list(options["json"])
        except ActionRefused as exc:
            raise UsageError(f"refused: {exc}") from None

    def _list(self, as_json: bool) -> None:
        reports = []
        for state in register(timezone.now()):
            counts = state.counts
            reports.append(
                {
                    "id": str(state.report.pk),
                    "kind": state.report.kind,
                    "title": state.report.title,
                    "published_on": state.report.published_on.isoformat(),
                    "withdrawn": state.report.withdrawn,
                    "recommendations": len(state.recommendations),
                    "answered": counts["answered"] + counts["answered_late"],
                    "waiting": counts["open"],
                    "overdue": counts["overdue"],
                }
            )
        if as_json:
            self.emit_json({"reports": reports})
            return
        if not reports:
            self.stdout.write("No report has been registered yet.")
        for row in reports:
            self.stdout.write(
                f"{row['published_on']}  {row['title']}"
                + (" (withdrawn)" if row["withdrawn"] else "")
                + f": {row['recommendations']} recommendations, {row['answered']} answered, "
                f"{row['waiting']} waiting, {row['overdue']} overdue  [{row['id']}]"
            )
