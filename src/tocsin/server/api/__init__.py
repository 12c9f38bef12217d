"""The REST API (``/api/v1/``): record concerns and read the ones the caller may see, through
the same actions and gates as the web pages. OpenAPI 3 at ``/api/v1/schema/``; docs/api.md."""
