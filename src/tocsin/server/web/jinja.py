"""The Jinja2 environment for Tocsin's pages."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader


def environment(**options: Any) -> Environment:
    loader = options.pop("loader", None)
    loaders = [loader] if loader is not None else []
    loaders.append(PackageLoader("govuk_frontend_jinja", "templates"))
    # Django passes autoescape=True from settings.TEMPLATES (OPTIONS) in **options.
    env = Environment(loader=ChoiceLoader(loaders), **options)  # noqa: S701
    env.globals.update({"static": static, "url": reverse})
    return env
