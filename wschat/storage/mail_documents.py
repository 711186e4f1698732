"""Outbox mails as stored documents and back, the shape both adapters keep (as ``documents.py`` does for
the other records). Attachments are stored as a list of their names and types, and a map of their bytes
(``"0"``, ``"1"``, …) that the SQLite adapter keeps in one blob."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wschat.mail.models import Attachment, MailStatus, OutgoingMail
from wschat.records import Document

#: What a transition of a mail may change: its delivery state, never its content.
STATE_FIELDS = ("status", "attempts", "next_attempt_at", "lease_until", "last_error", "sent_at")


def mail_doc(mail: OutgoingMail) -> Document:
    return {
        "_id": mail.id,
        "tenant_id": mail.tenant_id,
        "recipient": mail.to,
        "subject": mail.subject,
        "text": mail.text,
        "html": mail.html,
        "lang": mail.lang,
        "message_id": mail.message_id,
        "created_at": mail.created_at,
        "epoch": mail.epoch,
        **mail_state(mail),
        "attachments": [{"filename": a.filename, "content_type": a.content_type} for a in mail.attachments],
        "attachment_data": {str(n): a.data for n, a in enumerate(mail.attachments)},
    }


def mail_state(mail: OutgoingMail) -> Document:
    return {
        "status": mail.status.value,
        "attempts": mail.attempts,
        "next_attempt_at": mail.next_attempt_at,
        "lease_until": mail.lease_until,
        "last_error": mail.last_error,
        "sent_at": mail.sent_at,
    }


def mail_from(doc: Document) -> OutgoingMail:
    data: dict[str, Any] = doc.get("attachment_data") or {}
    return OutgoingMail(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        to=doc["recipient"],
        subject=doc["subject"],
        text=doc["text"],
        html=doc["html"],
        lang=doc["lang"],
        message_id=doc["message_id"],
        created_at=doc["created_at"],
        status=MailStatus(doc["status"]),
        attempts=doc["attempts"],
        next_attempt_at=doc.get("next_attempt_at"),
        lease_until=doc.get("lease_until"),
        last_error=doc.get("last_error"),
        sent_at=doc.get("sent_at"),
        attachments=tuple(
            Attachment(meta["filename"], meta["content_type"], bytes(data[str(n)]))
            for n, meta in enumerate(doc.get("attachments") or [])
        ),
        epoch=doc["epoch"],
    )


def mail_transition_doc(mail: OutgoingMail, changed: OutgoingMail, now: datetime) -> Document:
    """The claim of a mail's next epoch; its ``state`` is what ``changed`` sets."""
    return {
        "_id": f"{mail.id}:{mail.epoch + 1}",
        "tenant_id": mail.tenant_id,
        "mail_id": mail.id,
        "epoch": mail.epoch + 1,
        "at": now,
        "state": mail_state(changed),
    }
