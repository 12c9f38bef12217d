"""The OpenAPI 3 description served at ``/api/v1/schema/``: what each view declares, plus the
errors every endpoint can give whatever it declares (:func:`document_errors`), so the schema
names every status the API answers with and the shape it answers in."""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from tocsin.server.api.errors import api_exception_handler

__all__ = ["SCHEMA_SETTINGS", "SchemaView", "document_errors"]

_ERRORS = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}

#: The errors any endpoint may answer with, by status, and when each applies.
_ANY_ENDPOINT = {
    "403": "Not signed in, a token not valid (or only for reading), no CSRF token on a write "
    "with a session, or your role may not do this"
}
_WITH_BODY = {
    "400": "The body is not JSON, or what is wrong with it, field by field",
    "415": 'The body was not sent as "Content-Type: application/json"',
}
_WITH_RECORD = {"404": "No such record, or not yours to see (the same answer to both)"}


def document_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: add the errors each operation can give but does
    not declare (403 anywhere, 400 and 415 with a body, 404 with an id in the path), each
    answered ``{"errors": [...]}``."""
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            possible = dict(_ANY_ENDPOINT)
            if "requestBody" in operation:
                possible |= _WITH_BODY
            if "{" in path:
                possible |= _WITH_RECORD
            responses = operation.setdefault("responses", {})
            for code, description in possible.items():
                responses.setdefault(code, {"content": _ERRORS, "description": description})
    return result


SCHEMA_SETTINGS: dict[str, Any] = {
    "TITLE": "Tocsin API",
    "VERSION": "1",
    "DESCRIPTION": "Record concerns about children and read the ones you may see. Every read "
    'is recorded on the ledger. Bodies are JSON; every error is {"errors": [{"field", '
    '"message"}]}.',
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tocsin.server.api.schema.document_errors",
    ],
}


class SchemaView(SpectacularAPIView):
    """The schema, open to anyone; its errors (a POST, say) in the API's shape, as JSON,
    whichever format the schema itself was asked for in."""

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
