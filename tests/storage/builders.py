"""Model objects for the store contract, built through their dataclasses with every required field.

Times are whole milliseconds (what BSON keeps), so a value read back from either adapter equals the one
written, and whole records can be compared with ``==``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from wschat.accounts.models import Plan, Role, Tenant, TenantStatus, User
from wschat.audit.models import Action, Actor, ActorKind, AuditEntry, Target, TargetKind
from wschat.canned.models import CannedReply
from wschat.chat.models import (
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    Party,
    SenderKind,
    Visibility,
)
from wschat.chat.transcript_store import TranscriptKind, TranscriptRecord
from wschat.clock import new_id
from wschat.mail.models import Attachment, OutgoingMail
from wschat.records import Document
from wschat.signalling.models import Call, CallKind, CallStatus, Participation, Side
from wschat.signup.models import CONSENT, LINK_TTL, Signup
from wschat.video.models import CallMode
from wschat.visitors.models import Visitor

#: The contract's "now": with a millisecond part, so that a store that drops it is caught.
T0 = datetime(2026, 3, 2, 9, 30, 0, 123_000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds`` (whole milliseconds)."""
    return T0 + timedelta(milliseconds=round(seconds * 1000))


def new_tenant(slug: str, **values: Any) -> Tenant:
    fields: dict[str, Any] = {
        "id": new_id("ten"),
        "slug": slug,
        "name": f"{slug.title()} GmbH",
        "plan": Plan.CONTRACT,
        "status": TenantStatus.ACTIVE,
        "created_at": at(0),
    }
    return Tenant(**(fields | values))


def new_user(tenant: Tenant, login: str, role: Role = Role.AGENT, **values: Any) -> User:
    fields: dict[str, Any] = {
        "id": new_id("usr"),
        "tenant_id": tenant.id,
        "login": login,
        "display_name": login.title(),
        "role": role,
        "password_hash": f"$argon2id$hash-of-{login}",
        "password_version": new_id("pwv"),
        "created_at": at(0),
        "password_changed_at": at(0),
    }
    return User(**(fields | values))


def new_visitor(tenant: Tenant, *, seen: float = 0, **values: Any) -> Visitor:
    return Visitor(id=new_id("vis"), tenant_id=tenant.id, first_seen=at(seen), last_seen=at(seen), **values)


def page_ref(view_id: str, url: str = "https://www.acme.example/", entered: float = 0) -> Document:
    """A visitor's current page, as ``set_current_page`` takes it."""
    return {"id": view_id, "url": url, "title": f"Title of {url}", "entered_at": at(entered)}


def page_view(tenant: Tenant, visitor: Visitor, n: int, *, entered: float = 0) -> Document:
    return {
        "_id": new_id("pgv"),
        "tenant_id": tenant.id,
        "visitor_id": visitor.id,
        "url": f"https://www.acme.example/page-{n}",
        "title": f"Page {n}",
        "referrer": None if n == 0 else f"https://www.acme.example/page-{n - 1}",
        "entered_at": at(entered),
        "left_at": None,
    }


def new_conversation(
    tenant: Tenant,
    visitor_id: str,
    *,
    created: float = 0,
    status: ConversationStatus = ConversationStatus.QUEUED,
    agent_id: str | None = None,
    **values: Any,
) -> Conversation:
    fields: dict[str, Any] = {
        "id": new_id("cnv"),
        "tenant_id": tenant.id,
        "visitor_id": visitor_id,
        "status": status,
        "epoch": 0,
        "created_at": at(created),
        "agent_id": agent_id,
        "assigned_at": at(created) if agent_id else None,
    }
    return Conversation(**(fields | values))


def agent_party(user: User) -> Party:
    return Party(SenderKind.AGENT, user.id, user.display_name, user.photo_url)


def message_builder(
    conversation: Conversation,
    client_id: str,
    text: str,
    *,
    created: float = 0,
    visibility: Visibility = Visibility.ALL,
    sender: Party | None = None,
) -> Callable[[int], Message]:
    """What ``MessageStore.append`` takes: the message, given the seq the store allocates."""

    def build(seq: int) -> Message:
        return Message(
            id=new_id("msg"),
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.id,
            seq=seq,
            client_id=client_id,
            sender=sender or Party(SenderKind.VISITOR, conversation.visitor_id, "Visitor"),
            kind=MessageKind.TEXT,
            text=text,
            created_at=at(created),
            visibility=visibility,
            data={"n": seq, "nested": {"at": at(created)}},
        )

    return build


def new_call(
    tenant: Tenant,
    conversation_id: str,
    *,
    agent_id: str,
    visitor_id: str | None = None,
    created: float = 0,
    expires: float = 30,
    sid: str | None = None,
    status: CallStatus = CallStatus.RINGING,
    **values: Any,
) -> Call:
    """A call the agent started (on socket ``sid``), ringing at the visitor."""
    participants = (
        (Participation(Side.AGENT, agent_id, "Agent", sid, at(created)),) if sid is not None else ()
    )
    return Call(
        id=new_id("cal"),
        tenant_id=tenant.id,
        conversation_id=conversation_id,
        visitor_id=visitor_id or new_id("vis"),
        agent_id=agent_id,
        kind=CallKind.VIDEO,
        mode=CallMode.P2P,
        status=status,
        epoch=0,
        started_by=Side.AGENT,
        started_by_id=agent_id,
        created_at=at(created),
        expires_at=at(created + expires),
        participants=participants,
        **values,
    )


def new_mail(
    tenant: Tenant, *, created: float = 0, to: str = "sam@example.com", **values: Any
) -> OutgoingMail:
    """A queued mail, due at once, with one attachment."""
    mail_id = new_id("mai")
    fields: dict[str, Any] = {
        "id": mail_id,
        "tenant_id": tenant.id,
        "to": to,
        "subject": "Your chat with us",
        "text": "Hello\n",
        "html": "<p>Hello</p>",
        "lang": "en",
        "message_id": f"<{mail_id}@chat.example>",
        "created_at": at(created),
        "next_attempt_at": at(created),
        "attachments": (Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n"),),
    }
    return OutgoingMail(**(fields | values))


def new_reply(
    tenant: Tenant, shortcut: str, *, owner: User | None = None, created: float = 0, **values: Any
) -> CannedReply:
    fields: dict[str, Any] = {
        "id": new_id("cnr"),
        "tenant_id": tenant.id,
        "owner_id": owner.id if owner else None,
        "title": f"Reply {shortcut}",
        "shortcut": shortcut,
        "text": {"de": f"Hallo {{visitor_name}} ({shortcut})", "en": f"Hello {{visitor_name}} ({shortcut})"},
        "version": 1,
        "created_at": at(created),
        "updated_at": at(created),
    }
    return CannedReply(**(fields | values))


def new_transcript(
    tenant: Tenant, conversation_id: str, *, kind: TranscriptKind = TranscriptKind.AGENT, sent: float = 0
) -> TranscriptRecord:
    return TranscriptRecord(
        id=new_id("trs"),
        tenant_id=tenant.id,
        conversation_id=conversation_id,
        kind=kind,
        recipient="sam@example.com",
        at=at(sent),
        by_id=new_id("usr"),
        by_name="Bert",
        note="Für die Akte" if kind is TranscriptKind.AGENT else None,
    )


def offline_message(tenant: Tenant, visitor_id: str, *, created: float = 0) -> Conversation:
    """A message left while nobody was online: closed from the start, to be answered."""
    return new_conversation(
        tenant,
        visitor_id,
        created=created,
        status=ConversationStatus.CLOSED,
        closed_at=at(created),
        origin="offline_form",
        answer_state="open",
        answer_email="sam@example.com",
        answer_lang="de",
    )


def new_signup(email: str, *, created: float = 0, phone: str | None = None) -> Signup:
    """A pending demo sign-up; with a phone, its consent too."""
    return Signup(
        id=new_id("sgn"),
        email=email,
        name="Dora Demo",
        company="Initrode AG",
        lang="de",
        created_at=at(created),
        expires_at=at(created) + LINK_TTL,
        phone=phone,
        consent_text=CONSENT["de"] if phone else None,
        consent_at=at(created) if phone else None,
    )


def audit_entry(
    tenant: Tenant,
    action: Action = Action.ARCHIVE_VIEWED,
    *,
    at_seconds: float = 0,
    actor: Actor | None = None,
    target: Target | None = None,
    details: dict[str, Any] | None = None,
) -> Document:
    """An entry of the tenant's audit log as the service stores it."""
    entry = AuditEntry(
        id=new_id("aud"),
        tenant_id=tenant.id,
        at=at(at_seconds),
        action=action.value,
        actor=actor or Actor(ActorKind.ADMIN, "usr_0123456789abcdef", "Anna"),
        target=target or Target(TargetKind.CONVERSATION, "cnv_0123456789abcdef"),
        details=details if details is not None else {"messages": 3},
    )
    return entry.to_doc()
