"""WSGI entry point: ``tocsin serve`` and any WSGI server load ``application`` from here."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
application = get_wsgi_application()
