"""The transparency page (issue 17 §5; docs/receipts.md): public, with no personal data. It
shows the log's verifier key, the newest signed checkpoint with the witnesses that cosigned
it, and a receipt checker that runs in the reader's browser (``static/tocsin/receipt-check.js``,
our own code): the checker trusts only the keys it is given, filled in from this page, which
the reader can compare with those the partnership publishes elsewhere. Nothing here reads a
protected record.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tocsin.server.register.transparency import transparency_now

__all__ = ["transparency"]


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """The log's key, the newest cosigned checkpoint and its witnesses, and the checker."""
    shown = transparency_now()
    return render(
        request,
        "web/transparency.html",
        {
            "origin": shown.origin,
            "vkey": shown.vkey,
            "checkpoint": shown.checkpoint,
            "witnesses": shown.witnesses,
        },
    )
