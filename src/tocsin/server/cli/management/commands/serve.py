"""tocsin serve: the web server (waitress)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand


def serve_forever(host: str, port: int) -> None:
    """Serve Tocsin's WSGI application until interrupted."""
    from waitress import serve

    from tocsin.server.wsgi import application

    serve(application, host=host, port=port, threads=8, ident="tocsin")


class Command(TocsinCommand):
    help = "Serve Tocsin over HTTP with waitress (put a TLS-terminating proxy in front)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Tocsin on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        serve_forever(options["host"], options["port"])
