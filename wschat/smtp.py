"""What a mail server setting is made of: an SMTP URL and an e-mail address, both checked strictly.

Shared by the operator's settings (``WSCHAT_SMTP_URL``, ``WSCHAT_MAIL_FROM``, read in ``config.py``) and a
tenant's own server (``wschat/mail/``), so both refuse the same things with the same words.

The URL: ``smtp://[user[:password]@]host[:port][?starttls=require|opportunistic|off]`` (port 587 unless
given; STARTTLS required unless the query says otherwise) or ``smtps://…`` (implicit TLS, RFC 8314; port
465). A password never appears in what :meth:`SmtpUrl.describe` or :meth:`SmtpUrl.shown` return, nor in an
error message: errors name the part that is wrong, never quote the value.

An address is one plain ``local@domain`` (RFC 5322 ``dot-atom`` on both sides, ASCII): no display name, no
comments, no quoted local part, no second address, no line break — the forms that let a value smuggle a
header or another recipient into a mail (header injection).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated
from urllib.parse import parse_qs, quote, unquote, urlsplit

from pydantic import AfterValidator, Field

from wschat.config_parsing import parse_host
from wschat.secret import Secret

#: RFC 5321 §4.5.3.1: 64 octets of local part, 254 of path (without the angle brackets).
MAX_ADDRESS = 254
MAX_LOCAL = 64
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"^{_ATEXT}(?:\.{_ATEXT})*$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")


def check_address(value: str) -> str:
    """``value`` (trimmed) if it is exactly one plain address; raises ValueError saying what is wrong."""
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain a line break")
    value = value.strip()
    if len(value) > MAX_ADDRESS:
        raise ValueError(f"must be at most {MAX_ADDRESS} characters")
    if any(mark in value for mark in ",;"):
        raise ValueError("must be one address, not several")
    if any(mark in value for mark in '<>()"\\') or any(ch.isspace() for ch in value):
        raise ValueError("must be a plain address such as name@example.com, without a name or comment")
    local, at, domain = value.rpartition("@")
    if not at or "@" in local:
        raise ValueError("must be one address such as name@example.com")
    if len(local) > MAX_LOCAL or not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain):
        raise ValueError("is not a valid e-mail address")
    return value


#: Exactly one plain address, as a field of a payload (no name, no second address, no line break).
EmailAddress = Annotated[str, Field(max_length=320), AfterValidator(check_address)]


class Security(StrEnum):
    """How the connection to the mail server is protected."""

    #: smtps://: TLS from the first byte (RFC 8314), port 465.
    IMPLICIT_TLS = "tls"
    #: smtp:// (default): STARTTLS, and no mail is sent if the server does not offer it.
    STARTTLS = "require"
    #: smtp://…?starttls=opportunistic: STARTTLS when the server offers it, plain text otherwise.
    OPPORTUNISTIC = "opportunistic"
    #: smtp://…?starttls=off: plain text, for a relay on the same machine or network only.
    PLAIN = "off"


@dataclass(frozen=True)
class SmtpUrl:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: Secret | None = None

    def describe(self) -> str:
        """Where mail goes, for logs and errors: no user name, no password."""
        return f"{self.host}:{self.port}"

    def shown(self) -> str:
        """The URL without its password (a tenant's admin sees this back)."""
        scheme = "smtps" if self.security is Security.IMPLICIT_TLS else "smtp"
        user = f"{quote(self.username, safe='')}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = (
            ""
            if self.security in (Security.IMPLICIT_TLS, Security.STARTTLS)
            else f"?starttls={self.security}"
        )
        return f"{scheme}://{user}{host}:{self.port}{query}"

    def with_password(self, password: Secret | None) -> SmtpUrl:
        return replace(self, password=password)


def parse_smtp_url(value: str) -> SmtpUrl:
    """Raises ValueError naming what is wrong (never quoting the value: it may hold a password)."""
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces or line breaks")
    try:
        parts = urlsplit(value)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ValueError("is not a valid URL (check the port)") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("must start with smtp:// (STARTTLS) or smtps:// (TLS)")
    if not host or parts.path not in ("", "/") or parts.fragment:
        raise ValueError("must be smtp://[user[:password]@]host[:port][?starttls=require|opportunistic|off]")
    parse_host(host)
    security = Security.IMPLICIT_TLS if parts.scheme == "smtps" else _starttls(parts.query)
    if parts.scheme == "smtps" and parts.query:
        raise ValueError("smtps:// takes no ?starttls= (it is TLS from the start)")
    if security is Security.OPPORTUNISTIC and parts.username:
        # Without TLS the password would cross the network as plain text, and an attacker can strip the
        # server's STARTTLS offer: credentials need starttls=require (or smtps://).
        raise ValueError("?starttls=opportunistic cannot carry a user name: use require, or smtps://")
    return SmtpUrl(
        host=host,
        port=port or (465 if security is Security.IMPLICIT_TLS else 587),
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=Secret(unquote(parts.password)) if parts.password else None,
    )


def _starttls(query: str) -> Security:
    if not query:
        return Security.STARTTLS
    options = parse_qs(query, keep_blank_values=True)
    values = options.pop("starttls", [])
    if options or len(values) != 1:
        raise ValueError("knows one option only: ?starttls=require|opportunistic|off")
    try:
        return Security(values[0])
    except ValueError:
        raise ValueError("?starttls= must be require, opportunistic or off") from None
