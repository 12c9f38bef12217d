"""Signing in: django-allauth (with its MFA) for the pages, django-axes for lockouts, session
expiry, re-authentication before sensitive actions and OpenID Connect single sign-on.

See docs/access.md (Signing in) and docs/deploying.md. The parts:

- ``forms``: the sign-in form (allauth's, answering to the field names our page posts).
- ``adapters``: accounts are never made here (only by ``user.enrolled``); SSO finds a person by
  their verified work address; MFA secrets are encrypted at rest.
- ``middleware``: idle and absolute session expiry; MFA required before any other page.
- ``recording``: failed and locked-out sign-ins appended to the ledger.
- ``reauth``: :func:`reauthentication_required` for views doing sensitive actions, and
  :func:`recently_authenticated`, the same question for the API (``api.permissions``).
"""
