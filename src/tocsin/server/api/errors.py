"""Every error the API gives has one shape, ``{"errors": [{"field", "message"}, ...]}``
(docs/api.md): field problems each at their path, and any other refusal with ``field`` empty.

Where each comes from::

    serializer (body shape)   ValidationError     → 400, each problem at its path
    action refusal            Invalid             → 400, each problem at its field
                              NotVisible          → 404
                              ActionRefused       → 403
    DRF / Django              ParseError          → 400 (the body is not JSON, nests too
                                                        deep or is too large: api.parsers)
                              SuspiciousOperation → 400
                              NotAuthenticated,
                              PermissionDenied    → 403 (not signed in, no CSRF token)
                              NotFound, Http404   → 404 (no such route, no such page)
                              MethodNotAllowed    → 405
                              NotAcceptable       → 406
                              UnsupportedMediaType→ 415 (a body that is not JSON)
                              Throttled           → 429, with Retry-After
    anything else                                 → 500, logged without the request's body
"""

from __future__ import annotations

import logging
from typing import Any

from django.core import signals
from django.core.exceptions import SuspiciousOperation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tocsin.server.actors import ActionRefused, Invalid, NotVisible

__all__ = ["api_exception_handler", "error", "field_errors", "refusal_response"]

logger = logging.getLogger("tocsin.api")

#: The messages DRF gives that say too little about what to do, in Tocsin's words.
NOT_SIGNED_IN = "You are not signed in. Sign in first, and send your credentials with each request."
NOT_JSON = 'The body must be JSON, sent with "Content-Type: application/json".'
NOT_ANSWERED = (
    "The server could not answer. If you were recording something, check whether it was "
    "recorded before sending it again; if this keeps happening, tell your administrator."
)


def error(message: str, status_code: int, field: str = "") -> Response:
    """One problem, not tied to a field unless ``field`` names one, as the API answers it."""
    return Response({"errors": [{"field": field, "message": message}]}, status=status_code)


def refusal_response(refusal: ActionRefused) -> Response:
    """An action's refusal as the API answers it: field problems are a 400 listing each
    field; a record outside need-to-know is a 404; any other refusal is a 403."""
    if isinstance(refusal, Invalid):
        errors = [{"field": p.field, "message": p.message} for p in refusal.problems]
        return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(refusal, NotVisible):
        return error(str(refusal), status.HTTP_404_NOT_FOUND)
    return error(str(refusal), status.HTTP_403_FORBIDDEN)


def field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error structure as Tocsin's flat list of ``{"field", "message"}``, with
    paths like ``children[0].date_of_birth`` (the same paths :func:`validate_draft` uses)."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            if isinstance(key, int):
                where = f"{path}[{key}]"
            elif key == "non_field_errors":
                where = path
            else:
                where = f"{path}.{key}" if path else str(key)
            found += field_errors(value, where)
        return found
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": path, "message": str(item)} for item in detail]
        found = []
        for index, item in enumerate(detail):
            found += field_errors(item, f"{path}[{index}]")
        return found
    return [{"field": path, "message": str(detail)}]


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.NotAuthenticated):
        return NOT_SIGNED_IN
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return f"{NOT_JSON} {exc.detail}"
    return str(exc.detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's exception handler for Tocsin's API views: every exception becomes an answer in
    the ``{"errors": [...]}`` shape (the module docstring lists which status each gets)."""
    if isinstance(exc, ActionRefused):
        return refusal_response(exc)
    if isinstance(exc, SuspiciousOperation):
        return error(str(exc) or "The request could not be read.", status.HTTP_400_BAD_REQUEST)
    # DRF turns Http404 and Django's PermissionDenied into its own, sets Retry-After on 429
    # and WWW-Authenticate where a scheme asks for it, and marks any request transaction for
    # rollback; only the body is reshaped here.
    response = drf_exception_handler(exc, context)
    if response is None:
        return _not_answered(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": field_errors(exc.detail)}
    else:
        assert isinstance(exc, exceptions.APIException)  # DRF answers nothing else
        response.data = {"errors": [{"field": "", "message": _message(exc)}]}
    return response


def _not_answered(exc: Exception, context: dict[str, Any]) -> Response:
    """A fault, not a refusal: logged with its traceback (the path, never the body, which may
    name a child), signalled as Django signals any uncaught exception (so a test client
    raises it), and answered in the API's shape."""
    request = context.get("request")
    path = getattr(request, "path", "")
    logger.error("API request failed: %s", path, exc_info=exc)
    signals.got_request_exception.send(sender=None, request=getattr(request, "_request", None))
    return error(NOT_ANSWERED, status.HTTP_500_INTERNAL_SERVER_ERROR)
