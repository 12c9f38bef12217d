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
    # Sign-in (tocsin.server.signin): axes first, so that its failure handler runs before ours.
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "tocsin.server.signin",
    "tocsin.server.ledger",
    "tocsin.server.directory",
    "tocsin.server.concerns",
    "tocsin.server.casework",
    "tocsin.server.clocks",
    "tocsin.server.meetings",
    "tocsin.server.challenges",
    "tocsin.server.register",
    "tocsin.server.capacity",
    "tocsin.server.intel",
    "tocsin.server.people",
    "tocsin.server.networks",
    "tocsin.server.statistics",
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
    "allauth.account.middleware.AccountMiddleware",
    "tocsin.server.signin.middleware.SessionExpiryMiddleware",
    "tocsin.server.signin.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tocsin.server.web.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the signed-in person and the view (docs/architecture.md, Reading).
    "tocsin.server.reads.ReadScopeMiddleware",
    # Last, as axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tocsin.server.urls"
# The API (docs/api.md): the web's session sign-in only, signed-in people only, OpenAPI 3.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only (docs/api.md), and JSON nested past a depth is refused before it is parsed
    # (tocsin.server.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["tocsin.server.api.parsers.BoundedJSONParser"],
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
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tocsin.server.signin.validators.VarietyValidator"},
]
# Argon2id for new passwords; older hashes still check, and are replaced at the next change.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:start"

# Sign-in (docs/access.md, Signing in): allauth, with its MFA; axes counts failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tocsin.server.signin.backends.PasswordBackend",
]
ACCOUNT_ADAPTER = "tocsin.server.signin.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "tocsin.server.signin.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# axes is the one lockout; allauth's per-process limits would be a second, weaker one.
ACCOUNT_RATE_LIMITS = False
MFA_ADAPTER = "tocsin.server.signin.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tocsin"
SOCIALACCOUNT_ADAPTER = "tocsin.server.signin.adapters.SocialAccountAdapter"
# Matching by verified work address is the adapter's; allauth's own would save the user.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {"openid_connect": {"APPS": []}}
if CONFIG.oidc_server_url:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "sso",
                "name": CONFIG.oidc_name,
                "client_id": CONFIG.oidc_client_id or "",
                "secret": CONFIG.oidc_client_secret or "",
                "settings": {"server_url": CONFIG.oidc_server_url},
            }
        ],
    }
AXES_FAILURE_LIMIT = CONFIG.lockout_failures
AXES_COOLOFF_TIME = CONFIG.lockout_seconds / 3600  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "tocsin.server.signin.recording.client_address"
AXES_LOCKOUT_CALLABLE = "tocsin.server.web.signin_pages.locked_out"
AXES_RESET_ON_SUCCESS = True
# An attempt during a lockout counts, and starts the lockout again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
TOCSIN_MFA_REQUIRED = CONFIG.mfa_required
TOCSIN_IDLE_TIMEOUT = CONFIG.idle_timeout
TOCSIN_SESSION_LIMIT = CONFIG.session_limit
# Tests that sign in with force_login turn this off (tocsin.server.signin.reauth).
TOCSIN_REAUTHENTICATE = True

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
SESSION_COOKIE_AGE = CONFIG.session_limit
# Behind a TLS-terminating proxy (docs/deploying.md); `tocsin demo` turns these off for itself.
SESSION_COOKIE_SECURE = CONFIG.https
CSRF_COOKIE_SECURE = CONFIG.https
SECURE_HSTS_SECONDS = 31536000 if CONFIG.https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CONFIG.https else None
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins or ["/".join(CONFIG.base_url.split("/")[:3])]
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused public form comes back in the visitor's language with what they wrote (docs/web.md).
CSRF_FAILURE_VIEW = "tocsin.server.web.public_errors.csrf_failure"
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
# The public pages' per-client rate limits believe X-Forwarded-For only from these (docs/web.md).
TOCSIN_TRUSTED_PROXIES = CONFIG.trusted_proxies
TOCSIN_MAX_CHILDREN_PER_CONCERN = CONFIG.max_children_per_concern
TOCSIN_STATS_SUPPRESS_BELOW = CONFIG.stats_suppress_below
TOCSIN_PROGRESS_INTERVAL = CONFIG.progress_interval
TOCSIN_LINKAGE_MODEL = CONFIG.linkage_model

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
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # axes logs usernames; the ledger's sign_in events are the record.
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
# Set by `tocsin demo` while it serves: the start page then shows the demo's sign-ins.
TOCSIN_DEMO = False
