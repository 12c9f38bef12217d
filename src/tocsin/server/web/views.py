"""Page views: thin, reading through the ledger's public read path."""

from __future__ import annotations

import base64

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tocsin.server.ledger.recording import reading_ledger


def start(request: HttpRequest) -> HttpResponse:
    """The start page: what Tocsin is, and the ledger's current size and root."""
    size, root = reading_ledger().store.head()
    return render(
        request,
        "web/start.html",
        {
            "ledger_size": size,
            "ledger_root": base64.b64encode(root).decode("ascii"),
            "ledger_root_hex": root.hex(),
            "origin": settings.TOCSIN_LEDGER_ORIGIN,
        },
    )
