"""Outgoing mail as the rules see it: the address type, the outbox record and its states, attachments,
a tenant's own mail server, and what the admin sends in.

A mail's life::

    queued ──claim──▶ sending ──accepted──▶ sent
       ▲                 │
       └──retry later────┤ (a temporary failure, tries left)
                         └──────────────────▶ failed   (a permanent refusal, or the last try failed)
    failed ──retry now (admin)──▶ queued

``sending`` holds a lease (``lease_until``): a process that dies while sending leaves the mail ``sending``
until the lease runs out, and then it is due again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, TypedDict

from pydantic import AfterValidator, ConfigDict, Field

from wschat.secret import Secret
from wschat.smtp import EmailAddress, SmtpUrl, parse_smtp_url
from wschat.wire import Id, WireModel

Lang = Literal["en", "de"]
#: The ``tenant_id`` of a mail the installation sends on its own behalf, before any tenant exists (a demo
#: sign-up's confirmation): it goes through the operator's server only, as *wsChat*, and no tenant's admin
#: ever sees it in an outbox (their lists filter by their tenant's id).
SYSTEM_SENDER = "system"
SYSTEM_NAME = "wsChat"
#: A subject is one line of at most this many characters.
MAX_SUBJECT = 200
#: What a person may add to a mail (a note to a transcript, to a test mail).
MAX_NOTE = 1000
#: A stored ``last_error`` is cut to this length: enough to tell the cause, never a whole server reply.
MAX_ERROR = 300
MAX_ATTACHMENTS_BYTES = 5 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _subject(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be one line, without line breaks")
    value = " ".join(_CONTROL.sub(" ", value).split())
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_SUBJECT:
        raise ValueError(f"must be at most {MAX_SUBJECT} characters")
    return value


def _note(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_NOTE:
        raise ValueError(f"must be at most {MAX_NOTE} characters")
    return value


def _url(value: str) -> str:
    url = parse_smtp_url(value)
    if url.password is not None:
        raise ValueError("must not hold the password: send it as password, where it is stored sealed")
    return url.shown()


Subject = Annotated[str, Field(max_length=2 * MAX_SUBJECT), AfterValidator(_subject)]
Note = Annotated[str, Field(max_length=2 * MAX_NOTE), AfterValidator(_note)]
SmtpUrlText = Annotated[str, Field(max_length=500), AfterValidator(_url)]


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class Attachment:
    filename: str
    #: ``type/subtype``, such as ``text/calendar``.
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingMail:
    """One mail in the outbox; stored before it is sent, changed only through claimed transitions."""

    id: str
    tenant_id: str
    to: str
    subject: str
    text: str
    html: str
    lang: Lang
    #: ``<…@…>``, made when the mail is queued and sent with every try, so that a receiver who gets the mail
    #: twice (a crash after the server accepted it, before it was marked sent) can drop the second.
    message_id: str
    created_at: datetime
    status: MailStatus = MailStatus.QUEUED
    attempts: int = 0
    #: When the worker looks at it next: the next try (queued), or when the lease runs out (sending).
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    #: Bumped by every change; a change claims the next epoch, so of two that race one wins.
    epoch: int = 0

    def to_wire(self) -> MailWire:
        """What the tenant's admin sees in the outbox: who, what, its state; not the body."""
        return {
            "id": self.id,
            "to": self.to,
            "subject": self.subject,
            "lang": self.lang,
            "status": self.status.value,
            "attempts": self.attempts,
            "next_attempt_at": _iso(self.next_attempt_at),
            "last_error": self.last_error,
            "created_at": self.created_at.isoformat(),
            "sent_at": _iso(self.sent_at),
            "message_id": self.message_id,
        }


class MailWire(TypedDict):
    id: str
    to: str
    subject: str
    lang: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    created_at: str
    sent_at: str | None
    message_id: str


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class MailServer:
    """Where one mail goes out: the server and the sender address of its envelope and ``From``."""

    url: SmtpUrl
    sender: str


@dataclass(frozen=True)
class TenantMailSettings:
    """A tenant's own mail server, if its admin set one; else the operator's is used."""

    url: SmtpUrl | None = None
    from_address: str | None = None
    password: Secret | None = field(default=None, repr=False)

    @property
    def server(self) -> MailServer | None:
        if self.url is None or self.from_address is None:
            return None
        return MailServer(self.url.with_password(self.password), self.from_address)

    def to_wire(self, *, operator_server: bool) -> MailSettingsWire:
        """What the admin sees: never the password, only whether one is set."""
        return {
            "smtp_url": self.url.shown() if self.url else None,
            "from_address": self.from_address,
            "password_set": self.password is not None,
            "operator_server": operator_server,
        }


class MailSettingsWire(TypedDict):
    smtp_url: str | None
    from_address: str | None
    password_set: bool
    #: Whether the installation has a server of its own, used when the tenant sets none.
    operator_server: bool


# -- what the admin sends ------------------------------------------------------------------------------


class MailSettingsPut(WireModel):
    """The tenant's server, whole: ``smtp_url: null`` goes back to the operator's. A password left out stays
    as stored (it is never shown, so a form cannot send it back); ``null`` removes it."""

    smtp_url: SmtpUrlText | None
    from_address: EmailAddress | None = None
    password: Annotated[str, Field(min_length=1, max_length=512)] | None = None


class MailCheck(WireModel):
    """``POST /api/mail/test``: a mail to check that the tenant's mail goes out."""

    to: EmailAddress
    lang: Lang | None = None
    note: Note | None = None


class OutboxQuery(WireModel):
    """``GET /api/mail/outbox``: one page, newest first; ``before`` is the last id of the page before."""

    # A query string holds only text: "50" is read as the number 50 here, as nowhere in a JSON body.
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    status: MailStatus = MailStatus.FAILED
    before: Id | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
