"""Tocsin's settings, declared once.

Every setting is read from the environment, has a type, a default and help text, and is
documented from this module (``make docs`` writes ``docs/settings.md``; a test fails when that
file is out of date). Nothing here imports Django, so the CLI, the docs generator and the core
can all read the same declarations.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = [
    "SETTINGS",
    "ConfigError",
    "Setting",
    "TocsinConfig",
    "database_from_url",
    "load_config",
    "read_or_create_secret",
    "settings_reference_markdown",
]


class ConfigError(ValueError):
    """A setting has a value Tocsin cannot use; the message names the setting and the fix."""


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected one of true/false, yes/no, on/off, 1/0")


def _parse_notify(raw: str) -> str:
    choice = raw.strip().lower()
    if choice not in ("email", "govuk-notify", "none"):
        raise ValueError("choose email, govuk-notify or none")
    return choice


def _parse_seconds(raw: str) -> float:
    value = float(raw)
    if not 0 <= value < float("inf"):
        raise ValueError("expected a number of seconds, 0 or more")
    return value


def _parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


@dataclass(frozen=True)
class Setting:
    """One environment setting: its name, how to parse it, its default and what it is for."""

    name: str
    type_name: str
    default: str | None
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "TOCSIN_HOME",
        "path",
        "./var",
        "Folder holding everything Tocsin keeps on disk: the default SQLite database, the "
        "generated Django secret and, later, signing keys. Created on first run with mode 0700.",
        parse=Path,
    ),
    Setting(
        "DATABASE_URL",
        "URL",
        None,
        "Where projections and the ledger live. Default: `sqlite:///$TOCSIN_HOME/tocsin.sqlite3` "
        "(WAL mode, synchronous=FULL). PostgreSQL: `postgresql://USER:PASSWORD@HOST:PORT/NAME` "
        "(the ledger's append is a server-side prepared statement: a pooler in front must "
        "keep sessions, or support prepared statements, as PgBouncer 1.21+ does).",
    ),
    Setting(
        "TOCSIN_SECRET_KEY_FILE",
        "path",
        None,
        "File holding Django's secret key. Default: `$TOCSIN_HOME/secret_key`, generated on first "
        "run with mode 0600. The key itself is never read from the environment or from code.",
        parse=Path,
    ),
    Setting(
        "TOCSIN_LEDGER_ORIGIN",
        "text",
        "tocsin.invalid/ledger",
        "The ledger's origin line in checkpoints (C2SP tlog-checkpoint): a unique, schema-less "
        "name such as `safeguarding.example.gov.uk/tocsin`. The default's `.invalid` suffix marks "
        "a deployment that has not chosen one.",
    ),
    Setting(
        "TOCSIN_LEDGER_KEY_FILE",
        "path",
        None,
        "The log's Ed25519 signing key (a note `skey` whose name is the origin). Default: "
        "`$TOCSIN_HOME/ledger.skey`, generated on first use with mode 0600. See docs/keys.md.",
        parse=Path,
    ),
    Setting(
        "TOCSIN_LEDGER_RETIRED_VKEYS",
        "comma-separated list",
        "",
        "Verifier keys the log signed with before a key rotation. `tocsin verify` accepts "
        "stored checkpoints signed by them; new checkpoints use only the current key.",
        parse=lambda raw: [item.strip() for item in raw.split(",") if item.strip()],
    ),
    Setting(
        "TOCSIN_WITNESSES",
        "comma-separated list",
        "",
        "Witnesses that cosign checkpoints, each as `VKEY@URL` (the witness's note vkey and its "
        "base URL), e.g. `oversight+1a2b3c4d+AQ...@https://witness.example/`. Checkpoints are "
        "sent to each; `tocsin verify` asks each for the checkpoint it last cosigned, and "
        "receipts carry their cosignatures. `tocsin demo` runs a witness of its own and sets "
        "this for its server.",
        parse=lambda raw: [item.strip() for item in raw.split(",") if item.strip()],
    ),
    Setting(
        "TOCSIN_CHECKPOINT_INTERVAL",
        "seconds",
        "5",
        "The longest an acknowledged write waits for a signed checkpoint: `tocsin serve`'s "
        "worker signs one, and sends it to every witness, within about a second of a write "
        "made through that server, and at least this often when another process (the command "
        "line, a second server) has grown the ledger. A witness that missed a checkpoint is "
        "sent the newest again on the next round.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_CLOCKS_POLICY",
        "path",
        None,
        "The clocks policy (TOML): which obligations run on a clock, when each is due, what "
        "meets it, and the escalation ladder up to the partnership's scrutineer. Default: the "
        "policy shipped with Tocsin (`src/tocsin/domain/clocks/policy.toml`, every default cited "
        "from DOMAIN.md). A file that cannot be used is refused with the line to fix and what is "
        "wrong. See docs/clocks.md.",
        parse=Path,
    ),
    Setting(
        "TOCSIN_CLOCKS_INTERVAL",
        "seconds",
        "60",
        "How often `tocsin serve`'s worker runs the clocks (`tocsin escalate`): escalations "
        "are appended, and their notifications sent, within this long of falling due.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_NOTIFY",
        "one of email, govuk-notify, none",
        "email",
        "How the people at each level of the escalation ladder are told: `email` (Django's "
        "e-mail, through `TOCSIN_SMTP`, or printed by the server when that is unset, as in the "
        "demonstration), `govuk-notify` (GOV.UK Notify, with `TOCSIN_NOTIFY_API_KEY` and "
        "`TOCSIN_NOTIFY_TEMPLATE_ID`), or `none`. Escalations are on the ledger and in the "
        "trays whatever this says.",
        parse=_parse_notify,
    ),
    Setting(
        "TOCSIN_SMTP",
        "host:port",
        None,
        "The mail relay for `TOCSIN_NOTIFY=email`, spoken to in plain SMTP (run a local relay "
        "that sends on over TLS). Unset: messages are printed to the server's output instead "
        "of sent.",
    ),
    Setting(
        "TOCSIN_EMAIL_FROM",
        "address",
        "tocsin@localhost",
        "The sender of Tocsin's e-mail.",
    ),
    Setting(
        "TOCSIN_NOTIFY_API_KEY",
        "secret",
        None,
        "The GOV.UK Notify API key, for `TOCSIN_NOTIFY=govuk-notify`.",
        secret=True,
    ),
    Setting(
        "TOCSIN_NOTIFY_TEMPLATE_ID",
        "template id",
        None,
        "The GOV.UK Notify e-mail template, with `((subject))` and `((body))` placeholders.",
    ),
    Setting(
        "TOCSIN_BASE_URL",
        "URL",
        "http://127.0.0.1:8000",
        "Tocsin's address as people reach it, for the links in notifications.",
    ),
    Setting(
        "TOCSIN_DEBUG",
        "boolean",
        "false",
        "Django's debug mode: detailed error pages. Never turn on where real records are held.",
        parse=_parse_bool,
    ),
    Setting(
        "TOCSIN_ALLOWED_HOSTS",
        "comma-separated list",
        "127.0.0.1,localhost",
        "Host names the web server answers to.",
        parse=lambda raw: [host.strip() for host in raw.split(",") if host.strip()],
    ),
    Setting(
        "TOCSIN_SQLITE_BUSY_TIMEOUT_MS",
        "milliseconds",
        "30000",
        "How long a SQLite writer waits for another process's write transaction before failing.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_TRUSTED_PROXIES",
        "comma-separated list",
        None,
        "Addresses of the reverse proxies in front of Tocsin (such as `10.0.0.5`). A request "
        "from one of them is counted against the public pages' per-client rate limits, and "
        "sign-in lockouts by client, by the "
        "nearest address in its `X-Forwarded-For` that is not a listed proxy. Unset: the "
        "connecting address is the client. Behind a proxy, leaving this empty makes every "
        "visitor one client, so set it (docs/web.md, Rate limits).",
        parse=lambda raw: [address.strip() for address in raw.split(",") if address.strip()],
    ),
    Setting(
        "TOCSIN_MAX_CHILDREN_PER_CONCERN",
        "whole number",
        "20",
        "The most children one concern may be about, through the form, the API or import; "
        "more is refused as a problem with the children, asking for several concerns instead.",
        parse=_parse_positive_int,
    ),
    # Sign-in (docs/access.md, Signing in; docs/deploying.md).
    Setting(
        "TOCSIN_MFA_REQUIRED",
        "boolean",
        "true",
        "Every person, whatever their role, must set up a second factor (an authenticator app's "
        "six-digit codes, with recovery codes) before any other page; they are then asked for "
        "a code at every sign-in. `tocsin demo` turns this off for its own server.",
        parse=_parse_bool,
    ),
    Setting(
        "TOCSIN_IDLE_TIMEOUT",
        "seconds",
        "1800",
        "A signed-in session that has made no request for this long is signed out.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_SESSION_LIMIT",
        "seconds",
        "36000",
        "A session is signed out this long after signing in, however active it has been.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_LOCKOUT_FAILURES",
        "count",
        "5",
        "Wrong passwords in a row after which the account, and separately the client address, "
        "is locked out of signing in. Each failed and locked-out attempt is a `sign_in.failed` "
        "or `sign_in.locked_out` event on the ledger.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_LOCKOUT_SECONDS",
        "seconds",
        "3600",
        "How long a lockout lasts. An administrator can lift it sooner with `tocsin unlock`.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_HTTPS",
        "boolean",
        "true",
        "People reach Tocsin over HTTPS, normally through a TLS-terminating proxy: session and "
        "CSRF cookies are `Secure`, HSTS is sent (one year), and the proxy's "
        "`X-Forwarded-Proto: https` is trusted. Turn off only for a server reached over plain "
        "HTTP on the loopback interface, as `tocsin demo` does.",
        parse=_parse_bool,
    ),
    Setting(
        "TOCSIN_CSRF_TRUSTED_ORIGINS",
        "comma-separated list",
        None,
        "Origins (`https://host`) whose forms Tocsin accepts. Default: the origin of "
        "`TOCSIN_BASE_URL`.",
        parse=lambda raw: [item.strip() for item in raw.split(",") if item.strip()],
    ),
    Setting(
        "TOCSIN_OIDC_SERVER_URL",
        "URL",
        None,
        "OpenID Connect single sign-on: the issuer, e.g. "
        "`https://login.microsoftonline.com/TENANT-ID/v2.0` for Microsoft Entra ID. Unset: no "
        "single sign-on. A person signs in by SSO only when the provider's verified e-mail "
        "matches the work address on their Tocsin account; accounts are never made by SSO.",
    ),
    Setting(
        "TOCSIN_OIDC_CLIENT_ID",
        "text",
        None,
        "The application (client) id registered with the OpenID Connect provider.",
    ),
    Setting(
        "TOCSIN_OIDC_CLIENT_SECRET",
        "secret",
        None,
        "The client secret registered with the OpenID Connect provider.",
        secret=True,
    ),
    Setting(
        "TOCSIN_OIDC_NAME",
        "text",
        "your organisation's account",
        "What the sign-in page's single sign-on button names, e.g. `Wyrmford Council account`.",
    ),
    Setting(
        "TOCSIN_STATS_SUPPRESS_BELOW",
        "whole number",
        "5",
        "Official statistics (`tocsin stats`, the statistics page and its exports) hide every "
        "count from 1 up to this number, and enough others that totals cannot reveal them, for "
        "everyone who does not see every concern, and always in anything published "
        "(docs/statistics.md). 1 hides nothing.",
        parse=_parse_positive_int,
    ),
    Setting(
        "TOCSIN_PROGRESS_INTERVAL",
        "seconds",
        "5",
        "How often a long command (`tocsin demo`, `simulate`, `import`, `estimate --bootstrap`, "
        "`verify`, `escalate`) writes a plain progress line to standard error when that is not "
        "a terminal: the phase, the count, the time so far and the time left. A command shorter "
        "than this prints none; 0 writes a line on every step. On a terminal, bars are drawn.",
        parse=_parse_seconds,
    ),
    Setting(
        "TOCSIN_LINKAGE_MODEL",
        "path",
        None,
        "The person-linkage model (JSON, as `tocsin link --save-model` writes it) that scores "
        "each new concern's children and adults against everyone already known, and the "
        "search. Default: the model shipped with Tocsin, trained on simulated records "
        "(docs/linkage.md says how it is made).",
        parse=Path,
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass(frozen=True)
class TocsinConfig:
    """Settings as parsed from one environment."""

    home: Path
    database_url: str
    secret_key_file: Path
    ledger_origin: str
    debug: bool
    allowed_hosts: list[str]
    sqlite_busy_timeout_ms: int
    ledger_key_file: Path
    retired_vkeys: list[str]
    witnesses: list[tuple[str, str]]
    checkpoint_interval: int
    #: None: the shipped default policy.
    clocks_policy: Path | None
    clocks_interval: int = 60
    notify: str = "email"
    smtp: str | None = None
    email_from: str = "tocsin@localhost"
    notify_api_key: str | None = None
    notify_template_id: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    trusted_proxies: tuple[str, ...] = ()
    max_children_per_concern: int = 20
    mfa_required: bool = True
    idle_timeout: int = 1800
    session_limit: int = 36000
    lockout_failures: int = 5
    lockout_seconds: int = 3600
    https: bool = True
    csrf_trusted_origins: list[str] | None = None
    oidc_server_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "your organisation's account"
    stats_suppress_below: int = 5
    progress_interval: float = 5.0
    #: None: the shipped default model.
    linkage_model: Path | None = None


def _value(environ: Mapping[str, str], name: str) -> Any:
    setting = _BY_NAME[name]
    raw = environ.get(name)
    if raw is None or raw == "":
        if setting.default is None:
            return None
        raw = setting.default
    try:
        return setting.parse(raw)
    except ValueError as exc:
        shown = "(hidden)" if setting.secret else repr(raw)
        raise ConfigError(f"{name}={shown} is not a valid {setting.type_name}: {exc}") from None


def load_config(environ: Mapping[str, str] | None = None) -> TocsinConfig:
    """Read every setting from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    home = Path(_value(env, "TOCSIN_HOME")).expanduser().absolute()
    database_url = _value(env, "DATABASE_URL") or f"sqlite:///{home / 'tocsin.sqlite3'}"
    secret_file = _value(env, "TOCSIN_SECRET_KEY_FILE") or home / "secret_key"
    origin = _value(env, "TOCSIN_LEDGER_ORIGIN").strip()
    if not origin or any(ch.isspace() for ch in origin) or "\u2014" in origin:
        raise ConfigError(
            "TOCSIN_LEDGER_ORIGIN must be one non-empty word without spaces, "
            "such as safeguarding.example.gov.uk/tocsin"
        )
    witnesses = []
    for item in _value(env, "TOCSIN_WITNESSES"):
        vkey, separator, url = item.partition("@")
        if not separator or not vkey or not url.startswith(("http://", "https://")):
            raise ConfigError(f"TOCSIN_WITNESSES: {item!r} is not VKEY@URL with an http(s) URL")
        witnesses.append((vkey, url.rstrip("/")))
    return TocsinConfig(
        home=home,
        database_url=database_url,
        secret_key_file=Path(secret_file),
        ledger_origin=origin,
        debug=_value(env, "TOCSIN_DEBUG"),
        allowed_hosts=_value(env, "TOCSIN_ALLOWED_HOSTS"),
        sqlite_busy_timeout_ms=_value(env, "TOCSIN_SQLITE_BUSY_TIMEOUT_MS"),
        ledger_key_file=Path(_value(env, "TOCSIN_LEDGER_KEY_FILE") or home / "ledger.skey"),
        retired_vkeys=_value(env, "TOCSIN_LEDGER_RETIRED_VKEYS"),
        witnesses=witnesses,
        checkpoint_interval=_value(env, "TOCSIN_CHECKPOINT_INTERVAL"),
        clocks_policy=_value(env, "TOCSIN_CLOCKS_POLICY"),
        clocks_interval=_value(env, "TOCSIN_CLOCKS_INTERVAL"),
        notify=_value(env, "TOCSIN_NOTIFY"),
        smtp=_value(env, "TOCSIN_SMTP"),
        email_from=_value(env, "TOCSIN_EMAIL_FROM"),
        notify_api_key=_value(env, "TOCSIN_NOTIFY_API_KEY"),
        notify_template_id=_value(env, "TOCSIN_NOTIFY_TEMPLATE_ID"),
        base_url=_value(env, "TOCSIN_BASE_URL").rstrip("/"),
        trusted_proxies=_trusted_proxies(_value(env, "TOCSIN_TRUSTED_PROXIES") or []),
        max_children_per_concern=_value(env, "TOCSIN_MAX_CHILDREN_PER_CONCERN"),
        mfa_required=_value(env, "TOCSIN_MFA_REQUIRED"),
        idle_timeout=_value(env, "TOCSIN_IDLE_TIMEOUT"),
        session_limit=_value(env, "TOCSIN_SESSION_LIMIT"),
        lockout_failures=_value(env, "TOCSIN_LOCKOUT_FAILURES"),
        lockout_seconds=_value(env, "TOCSIN_LOCKOUT_SECONDS"),
        https=_value(env, "TOCSIN_HTTPS"),
        csrf_trusted_origins=_value(env, "TOCSIN_CSRF_TRUSTED_ORIGINS"),
        oidc_server_url=_value(env, "TOCSIN_OIDC_SERVER_URL"),
        oidc_client_id=_value(env, "TOCSIN_OIDC_CLIENT_ID"),
        oidc_client_secret=_value(env, "TOCSIN_OIDC_CLIENT_SECRET"),
        oidc_name=_value(env, "TOCSIN_OIDC_NAME"),
        stats_suppress_below=_value(env, "TOCSIN_STATS_SUPPRESS_BELOW"),
        progress_interval=_value(env, "TOCSIN_PROGRESS_INTERVAL"),
        linkage_model=_value(env, "TOCSIN_LINKAGE_MODEL"),
    )


def _trusted_proxies(addresses: list[str]) -> tuple[str, ...]:
    import ipaddress

    try:
        return tuple(str(ipaddress.ip_address(address)) for address in addresses)
    except ValueError as exc:
        raise ConfigError(f"TOCSIN_TRUSTED_PROXIES: {exc}; list IP addresses") from None


def database_from_url(url: str, *, busy_timeout_ms: int = 30000) -> dict[str, Any]:
    """Translate ``DATABASE_URL`` into one entry of Django's ``DATABASES``.

    SQLite connections run in WAL mode with ``synchronous=FULL`` (a committed event survives a
    power cut, not just a crash) and open every transaction with ``BEGIN IMMEDIATE``, which is
    what serialises ledger appends across processes.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # As dj-database-url: sqlite:///relative/path, sqlite:////absolute/path, sqlite:///:memory:
        if parts.netloc:
            raise ConfigError("DATABASE_URL: write a sqlite URL as sqlite:////absolute/path")
        path = unquote(parts.path[1:])
        if not path:
            raise ConfigError("DATABASE_URL: a sqlite URL needs a file, e.g. sqlite:////srv/t.db")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": busy_timeout_ms / 1000,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    f"PRAGMA busy_timeout={busy_timeout_ms};"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    if scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("DATABASE_URL: a postgresql URL needs a database name after the /")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0,
            # Server-side prepared statements for the write path's own statements
            # (tocsin.server.rawsql): a statement run this many times on one connection is
            # planned once, not each time. Django's cursors do not prepare either way.
            "OPTIONS": {"prepare_threshold": 5},
        }
    raise ConfigError(
        f"DATABASE_URL scheme {scheme or '(none)'!r} is not supported: use sqlite:/// or postgresql://"
    )


def read_or_create_secret(path: Path) -> str:
    """Return the secret in ``path``, creating it (mode 0600) on first run."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting together must not overwrite each other's secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def settings_reference_markdown() -> str:
    """The settings reference, as written to ``docs/settings.md``."""
    lines = [
        "# Settings",
        "",
        "Generated from `src/tocsin/config.py` by `make docs`; do not edit by hand.",
        "Every setting is read from the environment when Tocsin starts.",
        "",
        "| Setting | Type | Default | What it does |",
        "| --- | --- | --- | --- |",
    ]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default is not None else "(see text)"
        lines.append(f"| `{setting.name}` | {setting.type_name} | {default} | {setting.help} |")
    return "\n".join(lines) + "\n"
