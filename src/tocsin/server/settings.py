"""Django settings for Tocsin. Every value comes from :mod:`tocsin.config`; none is set here."""

from __future__ import annotations

from pathlib import Path

from tocsin.config import database_from_url, load_config, read_or_create_secret

CONFIG = load_config()
PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = read_or_create_secret(CONFIG.secret_key_file)
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "tocsin.server.ledger",
    "tocsin.server.directory",
    "tocsin.server.concerns",
    "tocsin.server.casework",
    "tocsin.server.clocks",
    "tocsin.server.meetings",
    "tocsin.server.challenges",
    "tocsin.server.capacity",
    "tocsin.server.intel",
    "tocsin.server.web",
    "tocsin.server.cli",
    "rest_framework",
    "drf_spectacular",
    "tocsin.server.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tocsin.server.web.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the signed-in person and the view (docs/architecture.md, Reading).
    "tocsin.server.reads.ReadScopeMiddleware",
]

ROOT_URLCONF = "tocsin.server.urls"
# The API (docs/api.md): the web's session sign-in only, signed-in people only, OpenAPI 3.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
WSGI_APPLICATION = "tocsin.server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "tocsin.server.web.jinja.environment", "autoescape": True},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DATABASES = {
    "default": database_from_url(
        CONFIG.database_url, busy_timeout_ms=CONFIG.sqlite_busy_timeout_ms
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:start"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves the static files from inside the installed package, so there is no
# collectstatic step and no STATIC_ROOT to keep in step with the code.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

TOCSIN_LEDGER_ORIGIN = CONFIG.ledger_origin
TOCSIN_HOME = CONFIG.home
TOCSIN_LEDGER_KEY_FILE = CONFIG.ledger_key_file
TOCSIN_LEDGER_RETIRED_VKEYS = CONFIG.retired_vkeys
TOCSIN_WITNESSES = CONFIG.witnesses
TOCSIN_CHECKPOINT_INTERVAL = CONFIG.checkpoint_interval
TOCSIN_CLOCKS_INTERVAL = CONFIG.clocks_interval

# Notifications (docs/clocks.md): e-mail through a local relay, or printed by the server.
DEFAULT_FROM_EMAIL = CONFIG.email_from
if CONFIG.smtp:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, _, _port = CONFIG.smtp.rpartition(":")
    EMAIL_PORT = int(_port or 25)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Nothing personal in logs: requests are not logged with their query strings, and errors go to
# the console without local variables.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
# Set by `tocsin demo` while it serves: the start page then shows the demo's sign-ins.
TOCSIN_DEMO = False
