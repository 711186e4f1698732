"""An outbox record as the MIME message that goes on the wire (RFC 5322, RFC 2046).

``multipart/alternative`` (plain text first, HTML last: the part a reader prefers comes last), wrapped in
``multipart/mixed`` when there are attachments. Headers are built with the standard library's ``SMTP``
policy, which refuses a header value holding CR or LF: a second guard, after the address and subject
checks, against header injection. ``Message-ID`` and ``Date`` are the record's own, the same on every try.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from wschat.mail.models import OutgoingMail


def to_mime(mail: OutgoingMail, sender: str, sender_name: str) -> EmailMessage:
    """Raises ValueError if a header value is not allowed (it never is for a record that was checked)."""
    message = EmailMessage(policy=SMTP)
    local, _, domain = sender.rpartition("@")
    message["From"] = Address(display_name=sender_name, username=local, domain=domain)
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = mail.message_id
    # RFC 3834: an automatic mail; auto-responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    # Last: set_content() and the multipart wrappers move or drop Content-* headers set before them.
    message["Content-Language"] = mail.lang
    return message
