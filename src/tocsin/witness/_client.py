"""The log's side of the conversation with a witness: one HTTP client for both requests.

    POST /add-checkpoint            send a checkpoint with its consistency proof to cosign
    GET  /checkpoint?origin=ORIGIN  the checkpoint the witness last cosigned for a log

Any HTTP answer comes back as a :class:`WitnessReply`, whatever its status; a witness that
cannot be reached raises :class:`OSError` (``urllib.error.URLError`` is one).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

__all__ = ["WitnessClient", "WitnessReply"]


@dataclass(frozen=True)
class WitnessReply:
    """A witness's answer: its HTTP status and body."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class WitnessClient:
    """Talks to the witness at base URL ``url`` (as given in ``TOCSIN_WITNESSES``)."""

    def __init__(self, url: str, *, timeout: float = 20) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def add_checkpoint(self, body: bytes) -> WitnessReply:
        """POST a C2SP tlog-witness ``add-checkpoint`` request body."""
        request = urllib.request.Request(  # noqa: S310 - the URL comes from TOCSIN_WITNESSES
            f"{self.url}/add-checkpoint",
            data=body,
            method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        return self._send(request)

    def latest_checkpoint(self, origin: str) -> WitnessReply:
        """GET the checkpoint the witness last cosigned for the log named ``origin`` (404 if
        it has cosigned none)."""
        query = urllib.parse.quote(origin, safe="")
        request = urllib.request.Request(f"{self.url}/checkpoint?origin={query}")  # noqa: S310
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> WitnessReply:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) URLs only, checked in config  # nosec B310
                return WitnessReply(int(response.status), response.read())
        except urllib.error.HTTPError as exc:
            return WitnessReply(int(exc.code), exc.read())
