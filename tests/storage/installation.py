"""A populated installation for the ``wschat db copy`` tests: every table holds records, written through
the stores as the services write them, and every table's records read back as plain documents.

Times are whole milliseconds (what BSON keeps), so a record copied through MongoDB compares equal.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

from tests.storage.appointment_records import add_appointments
from tests.storage.builders import (
    agent_party,
    at,
    audit_entry,
    message_builder,
    new_call,
    new_conversation,
    new_mail,
    new_reply,
    new_signup,
    new_tenant,
    new_transcript,
    new_user,
    new_visitor,
    page_ref,
    page_view,
)
from tests.webhooks.builders import new_delivery, new_endpoint
from wschat.accounts.models import RevokedSession, Role, Tenant
from wschat.agent_data.store import FormerAgent, Stage
from wschat.audit.models import Action, Target, TargetKind
from wschat.chat.models import AgentStatus, ConversationStatus, Party, SenderKind, Visibility
from wschat.clock import new_id
from wschat.mail.models import SYSTEM_SENDER, MailStatus
from wschat.media.store import Photo
from wschat.records import Document
from wschat.signalling.models import CallStatus, EndReason, Participation, Side
from wschat.storage import TABLES, Database, Stores
from wschat.storage.sqlite.tables import BY_NAME
from wschat.webhooks.models import DeliveryStatus

Dump = dict[str, list[Document]]


async def populate(db: Database, slugs: tuple[str, ...] = ("acme", "globex")) -> None:
    """One tenant per slug with users, visitors, page views, chats with transitions and messages, agent
    presence and sockets, photos with bytes, calls with transitions, video settings, and a lease."""
    stores = db.stores
    for n, slug in enumerate(slugs):
        await _tenant(stores, new_tenant(slug, allowed_origins=(f"https://www.{slug}.example",)), n)
    await stores.presence.heartbeat("node_copytest", at(5))
    await stores.leases.acquire("janitor", "node_copytest", at(5), at(35))
    # A demo sign-up waiting for its confirmation, and its mail from the installation itself (no tenant).
    signup = new_signup(f"dora@{slugs[0]}-signup.example", created=6, phone="+49 40 123456")
    await stores.signups.insert(signup)
    confirmation = new_mail(new_tenant(slugs[0]), created=6, tenant_id=SYSTEM_SENDER, to=signup.email)
    await stores.outbox.insert(confirmation)
    await stores.signups.set_mail(signup.id, confirmation.id)


async def _tenant(stores: Stores, tenant: Tenant, n: int) -> None:
    await stores.tenants.insert(tenant)
    await stores.tenants.update(
        tenant.id, {"branding.accent_color": "#0a7c55", "settings.auto_assign": False}
    )
    await stores.video.update(
        tenant.id, {"jitsi.domain": f"meet.{tenant.slug}.example", "turn_ttl_seconds": 900}
    )
    admin = new_user(tenant, "admin", Role.ADMIN)
    agent = new_user(tenant, "jürgen", max_chats=5)
    for user in (admin, agent):
        await stores.users.insert(user)
    await stores.users.set_revoked_sessions(admin, [RevokedSession("ses_signed_out", at(3600))])
    # Bytes that are not text: a photo's variants must come back bit for bit.
    photo = Photo(
        new_id("pho"), tenant.id, agent.id, {64: bytes(range(256)), 256: b"\x00\xff" * 500}, "h1", at(1)
    )
    await stores.photos.insert(photo)

    await stores.presence.update(
        tenant.id, agent.id, {"status": AgentStatus.ONLINE.value, "changed_at": at(2)}
    )
    await stores.presence.add_socket(
        f"sid_agent_{n}",
        tenant.id,
        agent.id,
        "agent",
        "node_copytest",
        at(2),
        password_version="pv",
        session_id="s1",
    )
    await stores.presence.set_announced(tenant.id, True)
    # A mail with an attachment (bytes again), sent, and the tenant's own server with a sealed password.
    mail = new_mail(tenant, created=3, to=f"v0@{tenant.slug}.example")
    await stores.outbox.insert(mail)
    await stores.outbox.transition(
        mail, replace(mail, status=MailStatus.SENT, attempts=1, sent_at=at(4)), at(4)
    )
    await stores.mail.replace(
        tenant.id,
        {"smtp_url": "smtp://mail.example:587", "password": {"sealed": 1, "nonce": "n", "data": "d"}},
    )
    # Appointments: the set-up, and a booking with its claims (wschat/appointments).
    await add_appointments(stores, tenant, agent.id, "vis_0123456789abcdef")
    # Canned replies: a shared one and the agent's own with the same shortcut, texts with umlauts.
    await stores.canned.insert(new_reply(tenant, "gruss", text={"de": "Grüße, {visitor_name}"}), 500)
    await stores.canned.insert(new_reply(tenant, "gruss", owner=agent), 200)
    # An archive export in the audit log (its filter a nested document in the entry's details).
    await stores.audit.append(
        audit_entry(
            tenant,
            Action.ARCHIVE_EXPORTED,
            at_seconds=5,
            target=Target(TargetKind.TENANT, tenant.id),
            details={
                "format": "csv",
                "filter": {"q": "Lieferung", "from": "2026-01-01T00:00:00+00:00"},
                "rows": 3,
            },
        )
    )
    # A data-subject request of the log, open, its detail a nested document.
    await stores.subjects.record_request(
        {
            "_id": f"dsr_{tenant.id[4:]}",
            "tenant_id": tenant.id,
            "visitor_id": "vis_0123456789abcdef",
            "kind": "objection",
            "state": "open",
            "received_at": at(6),
            "due_at": at(6 + 86400 * 30),
            "done_at": None,
            "by_id": "usr_0123456789abcdef",
            "by_name": "Anna",
            "detail": {"note": "per Brief"},
        }
    )

    # A webhook endpoint (its secret sealed) and a delivery that went out (wschat/webhooks).
    endpoint = new_endpoint(tenant, created=8)
    await stores.webhook_endpoints.insert(endpoint)
    await stores.webhook_deliveries.insert(
        new_delivery(endpoint, created=8, status=DeliveryStatus.DELIVERED, attempts=1, response_status=204)
    )
    # A deleted agent whose name is half taken out of their chats (wschat/agent_data).
    former = FormerAgent(f"fag_{tenant.id[4:]}", tenant.id, "usr_fedcba9876543210", at(7), Stage.ACTED, "c:1")
    await stores.agent_data.add_former(former)
    for v in range(3):
        visitor = new_visitor(
            tenant, seen=10 + v, name=f"Visitor {v}", contact={"email": f"v{v}@example.org"}, country="DE"
        )
        await stores.visitors.insert(visitor, f"token-hash-{tenant.slug}-{v}")
        views = [page_view(tenant, visitor, p, entered=10 + p) for p in range(2)]
        for view in views:
            await stores.pages.insert(view)
        await stores.pages.close(tenant.id, views[0]["_id"], at(11))
        await stores.visitors.set_current_page(
            tenant.id, visitor.id, page_ref(views[1]["_id"], views[1]["url"], 11)
        )
        await stores.presence.add_socket(
            f"sid_visitor_{n}_{v}", tenant.id, visitor.id, "visitor", "node_copytest", at(10)
        )
        if v < 2:
            await _chat(stores, tenant, visitor.id, agent_party(agent), closed=v == 0)


async def _chat(stores: Stores, tenant: Tenant, visitor_id: str, agent: Party, *, closed: bool) -> None:
    conversation = new_conversation(tenant, visitor_id, created=20)
    assert await stores.conversations.insert(conversation)
    await stores.visitors.mark_engaged(tenant.id, visitor_id)
    for i, text in enumerate(("Hallo, ich habe eine Frage zu Größen", "Guten Tag!")):
        build = message_builder(conversation, f"c{i}", text, created=21 + i)
        await stores.messages.append(tenant.id, conversation.id, f"c{i}", build)
    conversation = await stores.conversations.transition(
        conversation,
        "assigned",
        {"status": ConversationStatus.ACTIVE.value, "agent_id": agent.id, "assigned_at": at(22)},
        {"by": "auto", "to": agent.id},
        at(22),
    )
    note = message_builder(
        conversation, "note", "VIP customer", created=23, visibility=Visibility.AGENTS, sender=agent
    )
    await stores.messages.append(tenant.id, conversation.id, "note", note)
    await stores.conversations.raise_read_marker(tenant.id, conversation.id, "agent", 3)
    await _call(stores, tenant, conversation.id, visitor_id, agent)
    await stores.transcripts.insert(new_transcript(tenant, conversation.id, sent=35))
    if closed:
        await stores.conversations.transition(
            conversation,
            "closed",
            {"status": ConversationStatus.CLOSED.value, "closed_at": at(40), "closed_by": agent.to_doc()},
            {"by": {"kind": SenderKind.AGENT.value, "id": agent.id}, "at_nested": at(40)},
            at(40),
        )


async def _call(stores: Stores, tenant: Tenant, conversation_id: str, visitor_id: str, agent: Party) -> None:
    assert agent.id is not None
    call = new_call(
        tenant, conversation_id, agent_id=agent.id, visitor_id=visitor_id, created=30, sid="sid_a"
    )
    assert await stores.calls.insert(call)
    joined = Participation(Side.VISITOR, visitor_id, "Visitor", "sid_v", at(31))
    active = replace(
        call, status=CallStatus.ACTIVE, started_at=at(31), participants=(*call.participants, joined)
    )
    active = await stores.calls.transition(call, active, at(31))
    ended = replace(
        active, status=CallStatus.ENDED, ended_at=at(35), end_reason=EndReason.HANGUP, ended_by=Side.AGENT
    )
    await stores.calls.transition(active, ended, at(35))


async def dump(db: Database, batch: int = 7) -> Dump:
    """Every table's records, by ``_id`` (read in small pages, so that paging is exercised too)."""
    tables: Dump = {}
    for table in TABLES:
        records: list[Document] = []
        while page := await db.documents(table, after=records[-1]["_id"] if records else None, limit=batch):
            records += page
        tables[table] = records
    return tables


def same_records(tables: Dump) -> Dump:
    """``tables`` as both adapters mean them: a MongoDB record may omit a field that a SQLite row holds as
    null or as its column's default (``engaged`` false); both read back as the same model."""
    return {table: [_as_row(table, doc) for doc in docs] for table, docs in tables.items()}


def _as_row(table: str, doc: Document) -> Document:
    defaults = BY_NAME[table].defaults or {}
    filled = {**defaults, **{k: v for k, v in doc.items() if v is not None}}
    return {k: v for k, v in filled.items() if v is not None}


def sqlite_content_hash(path: Path) -> str:
    """A hash of everything a SQLite file holds (schema, rows, user_version), read-only; the WAL is read
    as part of the database, so a write that is still only in the WAL changes it too."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        digest.update(str(conn.execute("PRAGMA user_version").fetchone()[0]).encode())
        for line in conn.iterdump():
            digest.update(line.encode())
        return digest.hexdigest()
    finally:
        conn.close()
