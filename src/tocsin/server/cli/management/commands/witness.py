"""``tocsin witness``: run the oversight body's witness (C2SP tlog-witness).

    tocsin witness init --name NAME [--state DIR]
    tocsin witness vkey [--state DIR]
    tocsin witness serve --port P [--host 127.0.0.1] [--state DIR] [--logs FILE]

The witness keeps everything in its own state folder (default ``./tocsin-witness``) and never
opens Tocsin's database. See docs/witness.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.witness import (
    VKEY_FILE,
    WitnessConfigError,
    create_server,
    init_witness,
    load_witness_key,
    open_witness,
)

DEFAULT_STATE = Path("tocsin-witness")


class Command(TocsinCommand):
    help = "Run the oversight body's witness: init a key, print its vkey, or serve it over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{init,vkey,serve}")
        init = actions.add_parser("init", help="create the state folder and a new witness key")
        init.add_argument("--name", required=True, help="the witness's key name, e.g. a URL")
        vkey = actions.add_parser("vkey", help="print the witness's verifier key")
        serve = actions.add_parser("serve", help="serve POST /add-checkpoint over HTTP")
        serve.add_argument("--port", type=int, required=True, help="TCP port to listen on")
        serve.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
        serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
        serve.add_argument(
            "--logs", type=Path, default=None, help="logs file (default STATE/logs.toml)"
        )
        for sub in (init, vkey, serve):
            sub.add_argument(
                "--state",
                type=Path,
                default=DEFAULT_STATE,
                help=f"the witness's state folder (default ./{DEFAULT_STATE})",
            )
            # Subparsers are plain argparse parsers; make their errors one line, exit 2, too.
            sub.__class__ = parser.__class__
            sub.called_from_command_line = getattr(parser, "called_from_command_line", None)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action is None:
            raise UsageError("say what to do: tocsin witness init | vkey | serve")
        state: Path = options["state"]
        try:
            if action == "init":
                vkey = init_witness(state, options["name"])
                self.stdout.write(f"Witness key created in {state}. Give logs this vkey:\n{vkey}")
            elif action == "vkey":
                vkey_file = state / VKEY_FILE
                text = vkey_file.read_text(encoding="utf-8").strip() if vkey_file.exists() else ""
                self.stdout.write(text or load_witness_key(state).vkey)
            else:
                self._serve(state, options)
        except WitnessConfigError as exc:
            raise UsageError(str(exc)) from None

    def _serve(self, state: Path, options: dict[str, Any]) -> None:
        port: int = options["port"]
        if not 0 < port < 65536:
            raise UsageError(f"--port must be between 1 and 65535, not {port}")
        if options["threads"] < 1:
            raise UsageError("--threads must be at least 1")
        witness = open_witness(state, options["logs"])
        try:
            server = create_server(witness, options["host"], port, options["threads"])
        except OSError as exc:
            raise UsageError(f"cannot listen on {options['host']}:{port}: {exc.strerror}") from None
        self.stdout.write(
            f"Witness {witness.signer.name} cosigning {len(witness.logs)} log(s) on "
            f"http://{options['host']}:{server.effective_port}/ (Ctrl-C to stop)"
        )
        self.stdout.flush()
        try:
            server.run()
        finally:
            server.close()
