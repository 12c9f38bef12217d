"""Page views: thin, reading through the ledger's public read path."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from tocsin.server.ledger.recording import reading_ledger


def _demo_sign_ins() -> list[dict[str, str]]:
    """The demo's sign-ins, shown on the start page only while ``tocsin demo`` serves."""
    if not settings.TOCSIN_DEMO:
        return []
    path = Path(settings.TOCSIN_HOME) / "demo-credentials.json"
    try:
        people = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [p for p in people if isinstance(p, dict)]


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The start page: a signed-in person's own work (their first tray). Otherwise what Tocsin
    is, and the ledger's current size and root (and, in the demonstration only, whom to sign
    in as); that page stays at ``?about`` for everyone."""
    if request.user.is_authenticated and "about" not in request.GET:
        from tocsin.server.casework.read_models import trays_for

        if trays_for(request.user):
            return redirect("web:work")
    size, root = reading_ledger().store.head()
    return render(
        request,
        "web/start.html",
        {
            "ledger_size": size,
            "ledger_root": base64.b64encode(root).decode("ascii"),
            "origin": settings.TOCSIN_LEDGER_ORIGIN,
            "demo_sign_ins": _demo_sign_ins(),
        },
    )
