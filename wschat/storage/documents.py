"""Models as stored documents and back: the one shape both adapters keep (see ``wschat/records.py``).

The MongoDB adapter stores these documents as they are; the SQLite adapter maps them onto rows
(``sqlite/tables.py``). Because both go through these functions, a record reads the same from either, and
``wschat db copy`` can move it without knowing what it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wschat.chat.models import (
    AgentStatus,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    Party,
    Visibility,
)
from wschat.chat.presence_store import Presence
from wschat.media.store import Photo
from wschat.records import Document
from wschat.signalling.models import Call, CallKind, CallStatus, EndReason, Participation, Side
from wschat.video.models import CallMode
from wschat.visitors.models import Visitor


def socket_doc(
    sid: str,
    tenant_id: str,
    owner_id: str,
    kind: str,
    node_id: str,
    now: datetime,
    *,
    password_version: str | None,
    session_id: str | None,
) -> Document:
    """An open socket, as the presence stores keep it (see ``wschat/chat/presence_store.py``)."""
    return {
        "_id": sid,
        "tenant_id": tenant_id,
        "owner_id": owner_id,
        "kind": kind,
        "password_version": password_version,
        "session_id": session_id,
        "node_id": node_id,
        "at": now,
    }


def photo_doc(photo: Photo) -> Document:
    return {
        "_id": photo.id,
        "tenant_id": photo.tenant_id,
        "owner_id": photo.owner_id,
        "variants": {str(size): data for size, data in photo.variants.items()},
        "content_hash": photo.content_hash,
        "created_at": photo.created_at,
    }


def visitor_doc(visitor: Visitor) -> Document:
    return {
        "_id": visitor.id,
        "tenant_id": visitor.tenant_id,
        "name": visitor.name,
        "alias": visitor.alias,
        "contact": dict(visitor.contact),
        "ip": visitor.ip,
        "country": visitor.country,
        "user_agent": visitor.user_agent,
        "first_seen": visitor.first_seen,
        "last_seen": visitor.last_seen,
        "current_page": visitor.current_page,
        "restricted": visitor.restricted,
    }


def visitor_from(doc: Document) -> Visitor:
    return Visitor(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        name=doc.get("name"),
        alias=doc.get("alias"),
        contact=dict(doc.get("contact") or {}),
        ip=doc.get("ip"),
        country=doc.get("country"),
        user_agent=doc.get("user_agent"),
        first_seen=doc["first_seen"],
        last_seen=doc["last_seen"],
        current_page=doc.get("current_page"),
        restricted=bool(doc.get("restricted")),
    )


def transition_id(conversation_id: str, epoch: int) -> str:
    return f"{conversation_id}:{epoch}"


def transition_doc(
    conversation: Conversation, kind: str, state: dict[str, Any], record: dict[str, Any], now: datetime
) -> Document:
    """The claim of a conversation's next epoch, ``state`` being what it sets. Closing also frees the
    visitor's ``open_key`` (``closed:<id>``), so that the visitor can start a new conversation."""
    epoch = conversation.epoch + 1
    if state.get("status") == ConversationStatus.CLOSED.value:
        state = {**state, "open_key": f"closed:{conversation.id}"}
    return {
        "_id": transition_id(conversation.id, epoch),
        "tenant_id": conversation.tenant_id,
        "conversation_id": conversation.id,
        "epoch": epoch,
        "kind": kind,
        "state": state,
        "at": now,
        **record,
    }


def conversation_doc(c: Conversation) -> Document:
    return {
        "_id": c.id,
        "tenant_id": c.tenant_id,
        "visitor_id": c.visitor_id,
        "status": c.status.value,
        "epoch": c.epoch,
        "agent_id": c.agent_id,
        "created_at": c.created_at,
        "assigned_at": c.assigned_at,
        "closed_at": c.closed_at,
        "closed_by": c.closed_by.to_doc() if c.closed_by else None,
        "visitor_read_seq": c.visitor_read_seq,
        "agent_read_seq": c.agent_read_seq,
        "visitor_left_at": c.visitor_left_at,
        "origin": c.origin,
        "answer_state": c.answer_state,
        "answer_email": c.answer_email,
        "answer_lang": c.answer_lang,
        "done_at": c.done_at,
        "done_by": c.done_by,
    }


def open_key(conversation: Conversation) -> str:
    """The key that lets a visitor hold one open conversation: their id while it is open; a conversation
    stored closed (an offline message) gets the key a close would give it."""
    return conversation.visitor_id if conversation.is_open else f"closed:{conversation.id}"


def conversation_from(doc: Document) -> Conversation:
    return Conversation(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        visitor_id=doc["visitor_id"],
        status=ConversationStatus(doc["status"]),
        epoch=doc["epoch"],
        created_at=doc["created_at"],
        agent_id=doc.get("agent_id"),
        assigned_at=doc.get("assigned_at"),
        closed_at=doc.get("closed_at"),
        closed_by=Party.from_doc(doc["closed_by"]) if doc.get("closed_by") else None,
        visitor_read_seq=doc.get("visitor_read_seq", 0),
        agent_read_seq=doc.get("agent_read_seq", 0),
        visitor_left_at=doc.get("visitor_left_at"),
        # Written before offline messages existed: a chat.
        origin=doc.get("origin") or "chat",
        answer_state=doc.get("answer_state"),
        answer_email=doc.get("answer_email"),
        answer_lang=doc.get("answer_lang"),
        done_at=doc.get("done_at"),
        done_by=doc.get("done_by"),
    )


def message_doc(m: Message) -> Document:
    return {
        "_id": m.id,
        "tenant_id": m.tenant_id,
        "conversation_id": m.conversation_id,
        "seq": m.seq,
        "client_id": m.client_id,
        "sender": m.sender.to_doc(),
        "kind": m.kind.value,
        "text": m.text,
        "created_at": m.created_at,
        "visibility": m.visibility.value,
        "event": m.event,
        "data": dict(m.data),
    }


def message_from(doc: Document) -> Message:
    return Message(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        conversation_id=doc["conversation_id"],
        seq=doc["seq"],
        client_id=doc["client_id"],
        sender=Party.from_doc(doc["sender"]),
        kind=MessageKind(doc["kind"]),
        text=doc["text"],
        created_at=doc["created_at"],
        visibility=Visibility(doc.get("visibility", "all")),
        event=doc.get("event"),
        data=dict(doc.get("data") or {}),
    )


def presence_from(doc: Document) -> Presence:
    return Presence(
        user_id=doc["_id"],
        tenant_id=doc["tenant_id"],
        status=AgentStatus(doc.get("status", AgentStatus.OFFLINE.value)),
        changed_at=doc.get("changed_at"),
        disconnected_at=doc.get("disconnected_at"),
        last_assigned_at=doc.get("last_assigned_at"),
    )


def photo_from(doc: Document) -> Photo:
    return Photo(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        owner_id=doc["owner_id"],
        variants={int(size): bytes(data) for size, data in doc["variants"].items()},
        content_hash=doc["content_hash"],
        created_at=doc["created_at"],
    )


def call_state(call: Call) -> Document:
    """The fields a transition may change."""
    present = [p.sid for p in call.present] if call.is_open else []
    return {
        "status": call.status.value,
        "participants": [p.to_doc() for p in call.participants],
        "sids": present,
        "started_at": call.started_at,
        "ended_at": call.ended_at,
        "end_reason": call.end_reason.value if call.end_reason else None,
        "ended_by": call.ended_by.value if call.ended_by else None,
        "duration": call.duration,
        "open_key": call.conversation_id if call.is_open else f"ended:{call.id}",
    }


def call_transition_doc(call: Call, changed: Call, now: datetime) -> Document:
    """The claim of a call's next epoch; its ``state`` is what ``changed`` sets."""
    return {
        "_id": f"{call.id}:{call.epoch + 1}",
        "tenant_id": call.tenant_id,
        "call_id": call.id,
        "at": now,
        "state": call_state(changed),
    }


def call_doc(call: Call) -> Document:
    return {
        "_id": call.id,
        "tenant_id": call.tenant_id,
        "conversation_id": call.conversation_id,
        "visitor_id": call.visitor_id,
        "agent_id": call.agent_id,
        "kind": call.kind.value,
        "mode": call.mode.value,
        "room": call.room,
        "epoch": call.epoch,
        "started_by": call.started_by.value,
        "started_by_id": call.started_by_id,
        "created_at": call.created_at,
        "expires_at": call.expires_at,
        #: There is never media to store; the record says so in so many words.
        "recorded": False,
        **call_state(call),
    }


def call_from(doc: Document) -> Call:
    return Call(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        conversation_id=doc["conversation_id"],
        visitor_id=doc["visitor_id"],
        agent_id=doc["agent_id"],
        kind=CallKind(doc["kind"]),
        mode=CallMode(doc["mode"]),
        status=CallStatus(doc["status"]),
        epoch=doc["epoch"],
        started_by=Side(doc["started_by"]),
        started_by_id=doc["started_by_id"],
        created_at=doc["created_at"],
        expires_at=doc["expires_at"],
        room=doc.get("room"),
        participants=tuple(Participation.from_doc(p) for p in doc.get("participants", [])),
        started_at=doc.get("started_at"),
        ended_at=doc.get("ended_at"),
        end_reason=EndReason(doc["end_reason"]) if doc.get("end_reason") else None,
        ended_by=Side(doc["ended_by"]) if doc.get("ended_by") else None,
    )
