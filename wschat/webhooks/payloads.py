"""The ``data`` of each event, as receivers get it (docs/webhooks.md documents every field).

Stable: fields are only ever added. Times are ISO 8601 in UTC. A visitor is sent with what they told
(name, alias, contact data) and their country, never their IP address or user agent. A transcript holds
what the visitor saw: agents-only notes are left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wschat.appointments.models import Appointment
from wschat.chat.models import Conversation, Message, Party, Visibility
from wschat.visitors.models import Visitor
from wschat.webhooks.models import utc_iso as iso


def visitor_data(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.id,
        "display_name": visitor.display_name,
        "name": visitor.name,
        "alias": visitor.alias,
        "contact": dict(visitor.contact_wire()),
        "country": visitor.country,
        "first_seen": iso(visitor.first_seen),
    }


def _party(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {"kind": party.kind.value, "id": party.id, "display_name": party.display_name}


def conversation_data(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "origin": conversation.origin,
        "status": conversation.status.value,
        "created_at": iso(conversation.created_at),
        "assigned_at": iso(conversation.assigned_at),
        "closed_at": iso(conversation.closed_at),
        "closed_by": _party(conversation.closed_by),
        "agent_id": conversation.agent_id,
    }


def transcript(messages: list[Message]) -> list[dict[str, Any]]:
    return [
        {
            "seq": message.seq,
            "at": iso(message.created_at),
            "sender": _party(message.sender),
            "kind": message.kind.value,
            "text": message.text,
        }
        for message in messages
        if message.visibility is Visibility.ALL
    ]


def conversation_closed(
    conversation: Conversation, visitor: Visitor | None, messages: list[Message], *, complete: bool
) -> dict[str, Any]:
    return {
        "conversation": conversation_data(conversation),
        "visitor": visitor_data(visitor) if visitor is not None else None,
        "transcript": transcript(messages),
        # False only for a chat longer than the transcript limit: the first messages are sent.
        "transcript_complete": complete,
    }


def offline_message(conversation: Conversation, visitor: Visitor | None, text: str) -> dict[str, Any]:
    return {
        "offline_message": {
            "id": conversation.id,
            "created_at": iso(conversation.created_at),
            "email": conversation.answer_email,
            "lang": conversation.answer_lang,
            "text": text,
        },
        "visitor": visitor_data(visitor) if visitor is not None else None,
    }


def contact_submitted(visitor: Visitor, conversation_id: str | None, at: datetime) -> dict[str, Any]:
    return {"visitor": visitor_data(visitor), "conversation_id": conversation_id, "submitted_at": iso(at)}


def appointment(appointment: Appointment) -> dict[str, Any]:
    """``appointment.booked`` and ``appointment.cancelled``: the appointment as booked, and who booked it
    (the name, e-mail and phone they confirmed)."""
    return {
        "appointment": {
            "id": appointment.id,
            "type_id": appointment.type_id,
            "title": dict(appointment.title),
            "kind": appointment.kind.value,
            "location": appointment.location or None,
            "agent_id": appointment.agent_id,
            "start": iso(appointment.starts_at),
            "end": iso(appointment.ends_at),
            "status": appointment.status.value,
            "created_at": iso(appointment.created_at),
            "cancelled_at": iso(appointment.cancelled_at),
            "cancelled_by": appointment.cancelled_by,
            "conversation_id": appointment.conversation_id,
            "visitor_id": appointment.visitor_id,
        },
        "booker": {
            "name": appointment.name,
            "email": appointment.email,
            "phone": appointment.phone,
            "lang": appointment.lang,
            "time_zone": appointment.time_zone,
        },
    }
