"""``tocsin register add|list|withdraw`` through the real executable: a report from a JSON
file, owners named by username; a bad file is refused with a message and writes nothing; a
withdrawn report stays on the list."""

from __future__ import annotations

import json
from pathlib import Path

from tests.functional.conftest import Cli

PASSWORD = "a long enough password 1"


def _report(owner: str) -> dict[str, object]:
    return {
        "kind": "practice_review",
        "title": "Practice review: the child who went missing eleven times",
        "author": "Independent reviewer for the partnership",
        "published_on": "2026-10-01",
        "summary": "Each missing episode was handled alone; nobody saw the pattern.",
        "recommendations": [
            {"text": "Return home interviews within 72 hours.", "owner": owner, "due": "2027-01-31"}
        ],
    }


def test_a_report_is_registered_listed_and_withdrawn(shared_cli: Cli, tmp_path: Path) -> None:
    cli = shared_cli
    cli.run("agencies", "register", "Westbrook Council", "--sector", "council")
    cli.run(
        "users", "create", "rg-owner", "--name", "Rae Owner", "--agency", "Westbrook Council",
        "--role", "practitioner", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_report("nobody-by-that-name")), encoding="utf-8")
    refused = cli.run("register", "add", str(bad), check=False)
    assert refused.returncode == 2
    assert "recommendations.0.owner" in refused.stderr and "Traceback" not in refused.stderr
    assert json.loads(cli.run("register", "list", "--json").stdout)["reports"] == []
    not_json = tmp_path / "not.json"
    not_json.write_text("kind: audit", encoding="utf-8")
    assert "is not JSON" in cli.run("register", "add", str(not_json), check=False).stderr

    good = tmp_path / "good.json"
    good.write_text(json.dumps(_report("rg-owner")), encoding="utf-8")
    added = json.loads(cli.run("register", "add", str(good), "--json").stdout)
    (listed,) = json.loads(cli.run("register", "list", "--json").stdout)["reports"]
    assert listed["id"] == added["id"] and listed["recommendations"] == 1
    assert listed["waiting"] == 1 and not listed["withdrawn"]

    cli.run("register", "withdraw", added["id"], "--reason", "Replaced by the final review.")
    (listed,) = json.loads(cli.run("register", "list", "--json").stdout)["reports"]
    assert listed["withdrawn"] and listed["waiting"] == 1
    assert "(withdrawn)" in cli.run("register", "list").stdout
