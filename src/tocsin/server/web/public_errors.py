"""The pages a member of the public meets when something goes wrong, in their language.

On the public route (``/report/<lang>/…``) a refused form (a missing or expired CSRF cookie), a
request that cannot be read (one over ``DATA_UPLOAD_MAX_MEMORY_SIZE``), a page that is not there
and a server error each get a page in the visitor's language with the 999 advice, and a refused
form comes back with what the visitor wrote still in it. Everywhere
else Django's own pages answer, as before. (A failed write is handled by the views themselves:
``public._write_failed``.)
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views import csrf, defaults

from tocsin.server.web.public import _NOT_ANSWERS, LANGUAGES, _render, _report_form

__all__ = ["bad_request", "csrf_failure", "not_found", "server_error"]

_log = logging.getLogger(__name__)
_PUBLIC = re.compile(r"^/report/(?:(?P<lang>[a-z]{2})/)?(?P<rest>.*)$")
#: The public forms (the address after ``/report/<lang>/``) → template and the fields they keep.
_FORMS = {
    "": ("web/public_report.html", None),
    "follow-up/": ("web/public_follow_up.html", ("code", "information")),
    "progress/": ("web/public_check.html", ("code",)),
}


def _public_language(request: HttpRequest) -> tuple[str, str] | None:
    """The public page's language and the address after it, or None off the public route."""
    match = _PUBLIC.match(request.path)
    if match is None:
        return None
    lang = match.group("lang")
    if lang not in LANGUAGES:
        # /report/xx/…: the visitor's browser language, as /report/ chooses it.
        preferred = translation.get_language_from_request(request)[:2]
        return (preferred if preferred in LANGUAGES else "en"), ""
    return lang, match.group("rest")


def _kept(request: HttpRequest, fields: tuple[str, ...] | None) -> dict[str, str]:
    """What the visitor typed, to put back in the form."""
    if request.method != "POST":
        return {}
    try:
        posted = request.POST
    except Exception:  # an unreadable body: nothing to keep
        return {}
    names = fields if fields is not None else [k for k in posted if k not in _NOT_ANSWERS]
    return {name: posted.get(name, "") for name in names}


def _public_page(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    # No signed-in person's name or notice: the error pages must not need the database.
    return _render(request, lang, template, {"translation_notice": (), **context}, status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: on the public route, the form again in the visitor's language with
    what they wrote and a fresh token, and why it was not sent; elsewhere, Django's page."""
    public = _public_language(request)
    form = _FORMS.get(public[1]) if public else None
    if public is None or form is None:
        return csrf.csrf_failure(request, reason)
    template, fields = form
    if template == "web/public_report.html":
        # Through the form's own view, so a challenge comes with it when one is due.
        values = _kept(request, fields)
        return _report_form(request, public[0], values, [], status=403, problem="csrf")
    return _public_page(
        request,
        public[0],
        template,
        {"values": _kept(request, fields), "errors": [], "error_for": {}, "problem": "csrf"},
        403,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: on the public route, a page in the visitor's language with the 999 advice,
    saying that nothing was recorded and how to get back to what they wrote. Django answers 400
    for a request it will not read (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many
    fields), so nothing of it can be shown back; elsewhere, Django's page."""
    public = _public_language(request)
    if public is None:
        return defaults.bad_request(request, exception)
    try:
        return _public_page(
            request, public[0], "web/public_error.html", {"problem": "bad-request"}, 400
        )
    except Exception as exc:  # as for a server error: the error page must answer
        _log.error("the public error page failed: %s", type(exc).__name__)
        return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: a page in the visitor's language on the public route, with the 999 advice."""
    public = _public_language(request)
    if public is None:
        return defaults.page_not_found(request, exception)
    return _public_page(request, public[0], "web/public_error.html", {"problem": "not-found"}, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: on the public route, a page in the visitor's language with the 999 advice
    and, after a form was sent, what the visitor wrote, so that it is not lost."""
    public = _public_language(request)
    if public is None:
        return defaults.server_error(request)
    form = _FORMS.get(public[1])
    kept = _kept(request, form[1] if form else None)
    try:
        return _public_page(
            request,
            public[0],
            "web/public_error.html",
            {"problem": "server-error", "kept": [text for text in kept.values() if text.strip()]},
            500,
        )
    except Exception as exc:  # the error page must answer even if it fails itself
        _log.error("the public error page failed: %s", type(exc).__name__)
        return defaults.server_error(request)
