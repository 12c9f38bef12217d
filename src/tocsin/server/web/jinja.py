"""The Jinja2 environment for Tocsin's pages."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import ChoiceLoader, Environment, PackageLoader

from tocsin.domain.directory import role_name
from tocsin.server.web._dates import deadline, for_people, waited


def _trays_for(user: Any) -> list[str]:
    """The work trays the navigation offers ``user``."""
    from tocsin.server.casework.read_models import trays_for

    return trays_for(user) if getattr(user, "is_authenticated", False) else []


def _may_estimate(user: Any) -> bool:
    """Whether the navigation offers the estimates to ``user``."""
    from tocsin.server.web.estimate_pages import may_estimate

    return may_estimate(user)


def _may_read_statistics(user: Any) -> bool:
    """Whether the navigation offers the statistics to ``user``."""
    from tocsin.server.statistics.actions import may_read_statistics

    return may_read_statistics(user)


def _may(user: Any, action: str) -> bool:
    """Whether the navigation offers ``user`` a page for ``action`` (docs/access.md)."""
    from tocsin.domain.casework import allowed

    return bool(getattr(user, "is_authenticated", False)) and allowed(user.role, action)


def _may_see_alarms(user: Any) -> bool:
    """Whether the navigation offers the capacity alarms to ``user``."""
    from tocsin.server.capacity.read_models import may_see_alarms

    return may_see_alarms(user)


def _may_see_networks(user: Any) -> bool:
    """Whether the navigation offers the network view to ``user``."""
    from tocsin.server.networks.gates import may_see_networks

    return may_see_networks(user)


def environment(**options: Any) -> Environment:
    loader = options.pop("loader", None)
    loaders = [loader] if loader is not None else []
    loaders.append(PackageLoader("govuk_frontend_jinja", "templates"))
    # Django passes autoescape=True from settings.TEMPLATES (OPTIONS) in **options.
    extensions = [*options.pop("extensions", []), "jinja2.ext.i18n"]
    env = Environment(loader=ChoiceLoader(loaders), extensions=extensions, **options)  # noqa: S701
    # Public pages are offered in several languages; _() follows Django's active language.
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update({"static": static, "url": reverse, "may_estimate": _may_estimate})
    env.globals.update(
        {
            "trays_for": _trays_for,
            "allowed_to": _may,
            "may_see_alarms": _may_see_alarms,
            "may_see_networks": _may_see_networks,
        }
    )
    env.globals["may_read_statistics"] = _may_read_statistics
    env.filters.update({"deadline": deadline, "for_people": for_people, "waited": waited})
    env.filters["role_name"] = role_name
    return env
