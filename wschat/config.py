"""Settings: one frozen, typed object, read once from ``WSCHAT_*`` environment variables.

A missing or malformed value stops start-up with a :class:`~wschat.errors.ConfigError` that names the
variable. Secrets are wrapped in :class:`Secret`, so they never show in ``repr``, logs or error messages.
Tests build a :class:`Settings` value directly instead of patching the environment.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from wschat.config_parsing import (
    Reader,
    default_public_url,
    int_range,
    parse_address,
    parse_db_name,
    parse_delays,
    parse_dir,
    parse_host,
    parse_log_level,
    parse_mongodb_uri,
    parse_port,
    parse_public_url,
    parse_redis_url,
    parse_switch,
    parse_synchronous,
    parse_trusted_proxies,
)
from wschat.database_url import DatabaseUrl
from wschat.errors import ConfigError
from wschat.secret import Secret as Secret  # re-exported: the settings hand out Secrets
from wschat.smtp import SmtpUrl, check_address, parse_smtp_url

log = logging.getLogger(__name__)

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
MIN_SECRET_LENGTH = 32
#: The longest retention an operator may allow for any data category: ten years, the longest of the
#: usual statutory periods for business letters.
MAX_RETENTION_DAYS = 3650
#: The fewest days the audit log is kept, by the operator's maximum and by a tenant's choice.
AUDIT_MIN_DAYS = 30


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    #: The URL browsers use to reach wsChat, without a trailing slash; its origin is "same origin".
    public_url: str = "http://127.0.0.1:8080"
    #: Addresses of reverse proxies whose X-Forwarded-For / -Proto headers are trusted ("" = none).
    trusted_proxies: str = ""

    @property
    def origin(self) -> str:
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class DatabaseSettings:
    #: ``WSCHAT_DATABASE_URL`` (alias ``WSCHAT_MONGODB_URI``); None: SQLite at ``<data dir>/wschat.db``.
    url: Secret | None = None
    #: The MongoDB database's name.
    mongo_database: str = "wschat"
    #: SQLite's ``synchronous``: FULL survives power loss; NORMAL may lose the last commits on power loss.
    sqlite_synchronous: str = "FULL"


@dataclass(frozen=True)
class AuthSettings:
    #: Lifetime of the access token (Bearer, Socket.IO auth), seconds.
    token_ttl: int = 3600
    #: Lifetime of the console's session cookie, seconds; it renews access tokens.
    session_ttl: int = 12 * 3600
    #: Failed logins allowed per minute for one tenant+login from one address (an IPv6 /64), across all
    #: processes; then that pair waits out the minute.
    login_failures_per_minute: int = 10
    #: Failed logins allowed per minute from one address (an IPv6 /64), whatever the login.
    login_failures_per_address_per_minute: int = 30
    #: Failed logins of one tenant+login per hour from all addresses together before every further attempt
    #: from a browser that never signed in to that account waits a delay that doubles with each failure.
    login_failures_per_account_per_hour: int = 50


@dataclass(frozen=True)
class ChatSettings:
    #: Longest message text, in characters after cleaning.
    max_message_length: int = 4000
    #: An agent whose last socket closed stays online this long (a page reload must not drop chats).
    agent_grace_seconds: int = 30
    #: How often each process runs its housekeeping (presence, abandoned chats), seconds.
    janitor_interval: float = 5.0
    #: Changes of a tenant's online state within this many milliseconds give visitors one ``presence`` event.
    presence_debounce_ms: int = 250
    #: New visitor sessions one IP address may open per minute, across all processes. The widget opens one
    #: on every page load of a new visitor, so this is generous for a company network behind one address,
    #: and stops a script from filling the database.
    new_visitors_per_minute: int = 120
    #: Messages a visitor may send at once (all their tabs together) ...
    visitor_message_burst: int = 10
    #: ... and then per minute on average (the burst refills at this pace).
    visitor_messages_per_minute: int = 60
    #: chat.start calls a visitor may make per hour (a start/end cycle costs one each).
    visitor_chats_per_hour: int = 20
    #: contact.submit calls a visitor may make per hour.
    visitor_contacts_per_hour: int = 10
    #: Calls a visitor may start per hour (when the tenant lets visitors call).
    visitor_calls_per_hour: int = 10
    #: Sockets one visitor may have open at once, across processes (a tab is a socket).
    sockets_per_visitor: int = 10


@dataclass(frozen=True)
class MediaSettings:
    #: Largest accepted photo upload, bytes (at most 16 MiB, the limit for any request body); bigger bodies
    #: get 413 before they are read.
    max_upload_bytes: int = 5 * 1024 * 1024
    #: Largest accepted photo, pixels (width × height), checked before decoding. At most 80 million:
    #: above about 89 million Pillow's own decompression-bomb guard (treated as an error) would refuse it.
    max_pixels: int = 40_000_000


#: Seconds between the tries of one mail: 30 s, 2 min, 10 min, 30 min, 2 h, 6 h, 15 h (8 tries in ~24 h).
RETRY_DELAYS: tuple[int, ...] = (30, 120, 600, 1800, 7200, 21600, 54000)


@dataclass(frozen=True)
class MailSettings:
    #: The operator's mail server (``WSCHAT_SMTP_URL``); a tenant may set its own (docs/operations.md).
    smtp_url: SmtpUrl | None = None
    #: The sender address of mail through the operator's server (``WSCHAT_MAIL_FROM``).
    mail_from: str | None = None
    #: Seconds to wait after each failed try; one more try than delays, then the mail is failed.
    retry_delays: tuple[int, ...] = RETRY_DELAYS


@dataclass(frozen=True)
class RetentionSettings:
    """The longest a running tenant may keep each data category, in days; its admins choose within these
    (wschat/retention, docs/privacy.md *Retention inside a running tenant*). A tenant that chose nothing
    keeps each category this long."""

    #: Closed conversations with everything on them; visitors whose chats went, with their page trail.
    chat_days: int = 365
    #: A visitor's stored IP address, counted from when it was stored; then deleted or shortened.
    ip_days: int = 30
    #: Sent and finally failed mails of the outbox.
    mail_days: int = 90
    #: Entries of the audit log, counted from when they were recorded (three years: the usual limitation
    #: period for claims an entry might have to answer).
    audit_days: int = 1095


@dataclass(frozen=True)
class Settings:
    secret_key: Secret
    data_dir: Path = field(default_factory=lambda: Path("var").resolve())
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    redis_url: Secret | None = None
    #: Bearer token of ``GET /metrics``; without it the endpoint does not exist (docs/operations.md).
    metrics_token: Secret | None = None
    #: A listener of its own that serves /metrics without the token, for a private network (host, port).
    metrics_address: tuple[str, int] | None = None
    #: Bearer token of the operator's API ``/api/operator/…``; without it those routes do not exist.
    operator_token: Secret | None = None
    log_level: str = "info"
    #: The public demo sign-up (``WSCHAT_SIGNUP=on``): ``/signup`` and ``/api/signup``; off, both are 404.
    signup: bool = False
    #: ``wschat serve`` freezes what start-up allocated and collects the young generation less often
    #: (``WSCHAT_GC_TUNING=off`` keeps Python's defaults; docs/benchmarks.md measures both).
    gc_tuning: bool = True
    socket_layer: str = "lean"  # or "standard" (WSCHAT_SOCKET_LAYER; wschat.server.socket_layer)
    #: Networks webhooks may be sent into though they are not public (``WSCHAT_WEBHOOK_ALLOW_NETWORKS``, CIDR
    #: list, docs/webhooks.md); ``http://`` is accepted only for addresses in them.
    webhook_allow_networks: str = ""
    #: The FerretDB binary (only for copying an old installation: ``wschat db copy --from ferretdb://…``).
    ferretdb_bin: Path | None = None

    @property
    def database_url(self) -> DatabaseUrl:
        """The configured database; SQLite in the data dir unless a URL says otherwise."""
        if self.database.url is None:
            return DatabaseUrl("sqlite", path=self.data_dir / "wschat.db")
        return DatabaseUrl.parse(self.database.url.reveal())


# -- reading the environment -----------------------------------------------------------------------------

_KNOWN = {
    "WSCHAT_HOST",
    "WSCHAT_PORT",
    "WSCHAT_PUBLIC_URL",
    "WSCHAT_TRUSTED_PROXIES",
    "WSCHAT_DATABASE_URL",
    "WSCHAT_MONGODB_URI",
    "WSCHAT_SQLITE_SYNCHRONOUS",
    "WSCHAT_MONGODB_DB",
    "WSCHAT_DATA_DIR",
    "WSCHAT_SECRET_KEY",
    "WSCHAT_REDIS_URL",
    "WSCHAT_METRICS_TOKEN",
    "WSCHAT_METRICS_ADDRESS",
    "WSCHAT_OPERATOR_TOKEN",
    "WSCHAT_LOG_LEVEL",
    "WSCHAT_GC_TUNING",
    "WSCHAT_SOCKET_LAYER",
    "WSCHAT_TOKEN_TTL",
    "WSCHAT_SESSION_TTL",
    "WSCHAT_LOGIN_FAILURES_PER_MINUTE",
    "WSCHAT_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE",
    "WSCHAT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR",
    "WSCHAT_FERRETDB_BIN",
    "WSCHAT_MAX_MESSAGE_LENGTH",
    "WSCHAT_AGENT_GRACE_SECONDS",
    "WSCHAT_PRESENCE_DEBOUNCE_MS",
    "WSCHAT_NEW_VISITORS_PER_MINUTE",
    "WSCHAT_VISITOR_MESSAGE_BURST",
    "WSCHAT_VISITOR_MESSAGES_PER_MINUTE",
    "WSCHAT_VISITOR_CHATS_PER_HOUR",
    "WSCHAT_VISITOR_CONTACTS_PER_HOUR",
    "WSCHAT_VISITOR_CALLS_PER_HOUR",
    "WSCHAT_SOCKETS_PER_VISITOR",
    "WSCHAT_MAX_PHOTO_BYTES",
    "WSCHAT_MAX_PHOTO_PIXELS",
    "WSCHAT_SMTP_URL",
    "WSCHAT_MAIL_FROM",
    "WSCHAT_MAIL_RETRY_DELAYS",
    "WSCHAT_SIGNUP",
    "WSCHAT_RETENTION_CHAT_DAYS",
    "WSCHAT_RETENTION_IP_DAYS",
    "WSCHAT_RETENTION_MAIL_DAYS",
    "WSCHAT_RETENTION_AUDIT_DAYS",
    "WSCHAT_WEBHOOK_ALLOW_NETWORKS",
}


def load_settings(env: Mapping[str, str] | None = None, *, create_secret: bool = True) -> Settings:
    """Read every ``WSCHAT_*`` variable once; raises :class:`ConfigError` naming the bad one.

    Without ``WSCHAT_SECRET_KEY`` the key is read from ``<data dir>/secret_key``, and generated there on
    the first start (when ``create_secret`` is true).
    """
    env = os.environ if env is None else env
    for name in env:
        if name.startswith("WSCHAT_") and name not in _KNOWN and not name.startswith("WSCHAT_TEST_"):
            raise ConfigError(name, "unknown setting (a typo?); see the configuration table in README.md")

    reader = Reader(env)
    host = reader.get("WSCHAT_HOST", "127.0.0.1", parse_host)
    port = reader.get("WSCHAT_PORT", 8080, parse_port)
    server = ServerSettings(
        host=host,
        port=port,
        public_url=reader.get("WSCHAT_PUBLIC_URL", default_public_url(host, port), parse_public_url),
        trusted_proxies=reader.get("WSCHAT_TRUSTED_PROXIES", "", parse_trusted_proxies),
    )
    database_url = reader.get("WSCHAT_DATABASE_URL", None, _parse_database_url)
    mongodb_uri = reader.get("WSCHAT_MONGODB_URI", None, parse_mongodb_uri)
    if database_url is not None and mongodb_uri is not None and database_url != mongodb_uri:
        raise ConfigError(
            "WSCHAT_MONGODB_URI", "is an older name of WSCHAT_DATABASE_URL: set only one of them"
        )
    database = DatabaseSettings(
        url=database_url or mongodb_uri,
        mongo_database=reader.get("WSCHAT_MONGODB_DB", "wschat", parse_db_name),
        sqlite_synchronous=reader.get("WSCHAT_SQLITE_SYNCHRONOUS", "FULL", parse_synchronous),
    )
    auth = AuthSettings(
        token_ttl=reader.get("WSCHAT_TOKEN_TTL", 3600, int_range(60, 86400)),
        session_ttl=reader.get("WSCHAT_SESSION_TTL", 12 * 3600, int_range(300, 30 * 86400)),
        login_failures_per_minute=reader.get("WSCHAT_LOGIN_FAILURES_PER_MINUTE", 10, int_range(1, 10000)),
        login_failures_per_address_per_minute=reader.get(
            "WSCHAT_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE", 30, int_range(1, 100_000)
        ),
        login_failures_per_account_per_hour=reader.get(
            "WSCHAT_LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR", 50, int_range(1, 1_000_000)
        ),
    )
    chat = ChatSettings(
        max_message_length=reader.get("WSCHAT_MAX_MESSAGE_LENGTH", 4000, int_range(1, 20000)),
        agent_grace_seconds=reader.get("WSCHAT_AGENT_GRACE_SECONDS", 30, int_range(0, 3600)),
        presence_debounce_ms=reader.get("WSCHAT_PRESENCE_DEBOUNCE_MS", 250, int_range(0, 10_000)),
        new_visitors_per_minute=reader.get("WSCHAT_NEW_VISITORS_PER_MINUTE", 120, int_range(1, 1_000_000)),
        visitor_message_burst=reader.get("WSCHAT_VISITOR_MESSAGE_BURST", 10, int_range(1, 1_000_000)),
        visitor_messages_per_minute=reader.get(
            "WSCHAT_VISITOR_MESSAGES_PER_MINUTE", 60, int_range(1, 1_000_000)
        ),
        visitor_chats_per_hour=reader.get("WSCHAT_VISITOR_CHATS_PER_HOUR", 20, int_range(1, 1_000_000)),
        visitor_contacts_per_hour=reader.get("WSCHAT_VISITOR_CONTACTS_PER_HOUR", 10, int_range(1, 1_000_000)),
        visitor_calls_per_hour=reader.get("WSCHAT_VISITOR_CALLS_PER_HOUR", 10, int_range(1, 1_000_000)),
        sockets_per_visitor=reader.get("WSCHAT_SOCKETS_PER_VISITOR", 10, int_range(1, 10_000)),
    )
    media = MediaSettings(
        max_upload_bytes=reader.get(
            "WSCHAT_MAX_PHOTO_BYTES", 5 * 1024 * 1024, int_range(1024, 16 * 1024 * 1024)
        ),
        max_pixels=reader.get("WSCHAT_MAX_PHOTO_PIXELS", 40_000_000, int_range(65_536, 80_000_000)),
    )
    data_dir = reader.get("WSCHAT_DATA_DIR", Path("var").resolve(), parse_dir)
    secret = reader.get("WSCHAT_SECRET_KEY", None, _parse_secret)
    if secret is None:
        secret = _stored_secret(data_dir, create=create_secret)
    mail = _mail(reader)
    signup = reader.get("WSCHAT_SIGNUP", False, parse_switch)
    if signup and mail.smtp_url is None:
        raise ConfigError("WSCHAT_SIGNUP", "needs WSCHAT_SMTP_URL: a sign-up is confirmed by e-mail")
    return Settings(
        secret_key=secret,
        data_dir=data_dir,
        server=server,
        database=database,
        auth=auth,
        chat=chat,
        media=media,
        mail=mail,
        retention=RetentionSettings(
            chat_days=reader.get("WSCHAT_RETENTION_CHAT_DAYS", 365, int_range(1, MAX_RETENTION_DAYS)),
            ip_days=reader.get("WSCHAT_RETENTION_IP_DAYS", 30, int_range(0, MAX_RETENTION_DAYS)),
            mail_days=reader.get("WSCHAT_RETENTION_MAIL_DAYS", 90, int_range(1, MAX_RETENTION_DAYS)),
            audit_days=reader.get(
                "WSCHAT_RETENTION_AUDIT_DAYS", 1095, int_range(AUDIT_MIN_DAYS, MAX_RETENTION_DAYS)
            ),
        ),
        signup=signup,
        gc_tuning=reader.get("WSCHAT_GC_TUNING", True, parse_switch),
        socket_layer=reader.choice("WSCHAT_SOCKET_LAYER", ("lean", "standard")),
        redis_url=reader.get("WSCHAT_REDIS_URL", None, parse_redis_url),
        metrics_token=reader.get("WSCHAT_METRICS_TOKEN", None, _parse_secret),
        metrics_address=reader.get("WSCHAT_METRICS_ADDRESS", None, parse_address),
        operator_token=reader.get("WSCHAT_OPERATOR_TOKEN", None, _parse_secret),
        log_level=reader.get("WSCHAT_LOG_LEVEL", "info", parse_log_level),
        webhook_allow_networks=reader.get("WSCHAT_WEBHOOK_ALLOW_NETWORKS", "", parse_trusted_proxies),
        ferretdb_bin=reader.get("WSCHAT_FERRETDB_BIN", None, lambda v: Path(v).resolve()),
    )


def _mail(reader: Reader) -> MailSettings:
    smtp_url = reader.get("WSCHAT_SMTP_URL", None, parse_smtp_url)
    mail_from = reader.get("WSCHAT_MAIL_FROM", None, check_address)
    if smtp_url is not None and mail_from is None:
        raise ConfigError("WSCHAT_MAIL_FROM", "must be set with WSCHAT_SMTP_URL (the sender of its mail)")
    delays = reader.get("WSCHAT_MAIL_RETRY_DELAYS", RETRY_DELAYS, parse_delays)
    return MailSettings(smtp_url=smtp_url, mail_from=mail_from, retry_delays=delays)


def _parse_database_url(value: str) -> Secret:
    DatabaseUrl.parse(value)
    return Secret(value)


def _parse_secret(value: str) -> Secret:
    if len(value) < MIN_SECRET_LENGTH:
        raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters long")
    return Secret(value)


def _stored_secret(data_dir: Path, *, create: bool) -> Secret:
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        value = path.read_text().strip()
        if len(value) < MIN_SECRET_LENGTH:
            raise ConfigError("WSCHAT_SECRET_KEY", f"the stored key in {path} is too short")
        return Secret(value)
    if not create:
        raise ConfigError("WSCHAT_SECRET_KEY", f"not set and no key stored in {path}")
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _stored_secret(data_dir, create=False)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    log.info("generated a new secret key in %s", path)
    return Secret(value)
