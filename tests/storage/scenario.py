"""A realistic installation, made and used through the stores: two tenants with agents, visitors on pages,
chats with messages and hand-overs, sockets on two processes, a call, photos, leases.

:func:`populate` writes a record into every table; :func:`exercise` then calls every store method the way
the services do. The database API test copies what ``populate`` made; the query-plan test explains every
statement both of them run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from tests.storage.appointment_records import add_appointments, appointment
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
    offline_message,
    page_ref,
    page_view,
)
from tests.webhooks.builders import new_delivery, new_endpoint
from wschat.accounts.models import RevokedSession, Role, Tenant, TenantStatus, User
from wschat.accounts.store import user_changes
from wschat.agent_data.former import mentions, message_changes, record_changes
from wschat.agent_data.store import FormerAgent, Stage, Way
from wschat.appointments.models import AppointmentType
from wschat.appointments.slots import cells
from wschat.archive.store import ArchiveFilter
from wschat.audit.models import Action, Actor, ActorKind, Target, TargetKind
from wschat.audit.store import AuditFilter
from wschat.chat.models import SYSTEM, Conversation, ConversationStatus, Visibility
from wschat.chat.transcript_store import TranscriptKind
from wschat.mail.models import SYSTEM_SENDER, MailStatus, OutgoingMail
from wschat.media.store import Photo
from wschat.reports.chats import ChatFacts
from wschat.signalling.models import Call, CallStatus, Participation, Side
from wschat.storage import Stores
from wschat.visitors.models import Visitor
from wschat.webhooks.models import DeliveryStatus


@dataclass
class World:
    acme: Tenant
    globex: Tenant
    anna: User
    bert: User
    carl: User
    visitors: list[Visitor]
    chat: Conversation
    queued: Conversation
    call: Call
    mail: OutgoingMail


async def populate(stores: Stores, *, chats: int = 3, messages: int = 12) -> World:
    acme, globex = new_tenant("acme"), new_tenant("globex")
    await stores.tenants.insert(acme)
    await stores.tenants.insert(globex)
    anna = new_user(acme, "anna", Role.ADMIN)
    bert = new_user(acme, "bert")
    carl = new_user(globex, "carl", Role.ADMIN)
    for user in (anna, bert, carl):
        await stores.users.insert(user)

    visitors = []
    for n in range(chats + 2):
        tenant = acme if n % 2 == 0 else globex
        visitor = new_visitor(tenant, seen=n, name=f"Visitor {n}")
        await stores.visitors.insert(visitor, f"token-hash-{n}")
        previous: str | None = None
        for step in range(3):
            view = page_view(tenant, visitor, step, entered=n + step)
            await stores.pages.insert(view)
            if previous is not None:
                await stores.pages.close(tenant.id, previous, at(n + step))
            await stores.visitors.set_current_page(tenant.id, visitor.id, page_ref(view["_id"], view["url"]))
            previous = view["_id"]
        visitors.append(visitor)

    for user, node in ((anna, "node_1"), (bert, "node_2"), (carl, "node_1")):
        await stores.presence.update(user.tenant_id, user.id, {"status": "online", "changed_at": at(0)})
        await stores.presence.add_socket(
            f"sid_{user.login}",
            user.tenant_id,
            user.id,
            "agent",
            node,
            at(0),
            password_version=user.password_version,
            session_id=f"ses_{user.login}",
        )
    for n, visitor in enumerate(visitors):
        await stores.presence.add_socket(
            f"sid_v{n}", visitor.tenant_id, visitor.id, "visitor", "node_1", at(n)
        )
    await stores.presence.heartbeat("node_1", at(0))
    await stores.presence.heartbeat("node_2", at(0))
    await stores.presence.set_announced(acme.id, True)
    assert await stores.leases.acquire("janitor", "node_1", at(0), at(60))

    acme_visitors = [v for v in visitors if v.tenant_id == acme.id]
    chat = new_conversation(acme, acme_visitors[0].id, created=1)
    queued = new_conversation(acme, acme_visitors[1].id, created=2)
    for conversation in (chat, queued, new_conversation(globex, visitors[1].id, created=3)):
        assert await stores.conversations.insert(conversation)
        await stores.visitors.mark_engaged(conversation.tenant_id, conversation.visitor_id)
    assert await stores.leases.acquire(f"assign:{acme.id}", "node_1", at(1), at(11))
    chat = await stores.conversations.transition(
        chat,
        "assign",
        {"status": ConversationStatus.ACTIVE.value, "agent_id": bert.id, "assigned_at": at(2)},
        {"by": agent_party(bert).to_doc(), "to_agent_id": bert.id, "marker": "sys:assign:1"},
        at(2),
    )
    assert [c.id for c, _ in await stores.conversations.unfinished(at(0), at(60))] == [chat.id]
    await stores.presence.update(acme.id, bert.id, {"last_assigned_at": at(2)})
    await stores.leases.release(f"assign:{acme.id}", "node_1")
    for n in range(messages):
        visibility = Visibility.AGENTS if n % 5 == 4 else Visibility.ALL
        build = message_builder(chat, f"client-{n}", f"message {n}", created=3 + n, visibility=visibility)
        await stores.messages.append(acme.id, chat.id, f"client-{n}", build)
    await stores.conversations.raise_read_marker(acme.id, chat.id, "agent", messages)

    call = new_call(acme, chat.id, agent_id=bert.id, visitor_id=chat.visitor_id, sid="sid_bert", created=20)
    assert await stores.calls.insert(call)
    joined = Participation(Side.VISITOR, call.visitor_id, "Visitor 0", "sid_v0", at(22))
    answered = replace(
        call, status=CallStatus.ACTIVE, started_at=at(22), participants=(*call.participants, joined)
    )
    call = await stores.calls.transition(call, answered, at(22))

    photo = Photo(
        "pho_0123456789abcdef01234567", acme.id, anna.id, {64: b"\x89PNG", 256: b"\x00" * 300}, "h", at(0)
    )
    await stores.photos.insert(photo)
    await stores.users.update(acme.id, anna.id, {"photo_id": photo.id})
    await stores.video.update(acme.id, {"jitsi.domain": "meet.acme.example", "stun_urls": ["stun:a.example"]})

    mail = new_mail(acme, created=30)
    await stores.outbox.insert(mail)
    await stores.outbox.insert(new_mail(globex, created=31))
    sending = replace(
        mail, status=MailStatus.SENDING, attempts=1, lease_until=at(210), next_attempt_at=at(210)
    )
    mail = await stores.outbox.transition(mail, sending, at(30))
    await stores.canned.insert(new_reply(acme, "welcome"), 500)
    await stores.mail.replace(
        acme.id, {"smtp_url": "smtp://mail.acme.example:587", "from_address": "a@acme.example"}
    )
    await stores.transcripts.take_visitor_slot(new_transcript(acme, chat.id, kind=TranscriptKind.VISITOR))
    await stores.transcripts.insert(new_transcript(acme, chat.id, sent=32))
    await stores.transcripts.insert_many([new_transcript(acme, chat.id, sent=34)])
    for n in range(2):
        await stores.conversations.insert(offline_message(acme, acme_visitors[n].id, created=40 + n))
    exported = {"format": "jsonl", "filter": {}, "rows": 0}
    await stores.audit.append(audit_entry(acme, Action.ARCHIVE_EXPORTED, at_seconds=2, details=exported))
    # A demo sign-up waiting for its confirmation, its mail sent by the installation itself (wschat/signup).
    signup = new_signup("erin@initrode.example", created=50, phone="+49 40 123456")
    assert await stores.signups.insert(signup)
    confirmation = new_mail(acme, created=50, tenant_id=SYSTEM_SENDER, to=signup.email)
    await stores.outbox.insert(confirmation)
    await stores.signups.set_mail(signup.id, confirmation.id)
    request = {
        "_id": "dsr_fedcba9876543210",
        "tenant_id": acme.id,
        "visitor_id": visitors[0].id,
        "kind": "access",
    }
    when = {"state": "done", "received_at": at(2), "due_at": at(2 + 86400 * 30), "done_at": at(2)}
    await stores.subjects.record_request(request | when | {"by_id": anna.id, "by_name": "Anna", "detail": {}})
    # A deleted agent whose name is still to be taken out of their chats (wschat/agent_data).
    await stores.agent_data.add_former(FormerAgent("fag_fedcba9876543210", acme.id, "usr_gone", at(60)))
    await add_appointments(stores, acme, bert.id, visitors[0].id)
    # A webhook endpoint of globex's with one delivery sent (wschat/webhooks).
    hook = new_endpoint(globex, created=61)
    await stores.webhook_endpoints.insert(hook)
    await stores.webhook_deliveries.insert(new_delivery(hook, created=61, status=DeliveryStatus.DELIVERED))
    return World(acme, globex, anna, bert, carl, visitors, chat, queued, call, mail)


async def exercise(stores: Stores, world: World) -> None:
    """Every store method, called as the services call it."""
    acme, anna, bert, chat = world.acme, world.anna, world.bert, world.chat
    visitor = world.visitors[0]
    await appointments(stores, world)

    # Sign-in, the console's first load, the admin pages.
    await stores.tenants.by_slug("acme")
    await stores.tenants.by_id(acme.id)
    await stores.tenants.any_exists()
    await stores.tenants.all()
    await stores.users.by_login(acme.id, "anna")
    await stores.users.by_id(acme.id, bert.id)
    await stores.users.all(acme.id)
    await stores.users.count_active_admins(acme.id)
    await stores.users.update(acme.id, bert.id, user_changes(role=Role.AGENT, max_chats=4))
    await stores.users.set_revoked_sessions(anna, [RevokedSession("ses_old", at(3600))])
    await stores.tenants.update(
        acme.id, {"settings.auto_assign": False, "updated_at": at(5)}, ["branding.logo_url"]
    )
    await stores.tenants.set_status("globex", TenantStatus.ACTIVE, at(5))
    await stores.presence.get(acme.id, bert.id)
    await stores.presence.of_tenant(acme.id)
    await stores.conversations.queued(acme.id)
    await stores.conversations.active_of_agent(acme.id, bert.id)
    await stores.conversations.open_load(acme.id)
    live = await stores.visitors.on_site(acme.id, 100)
    await stores.conversations.open_of_visitors(acme.id, [v.id for v in live])
    await stores.pages.trail(acme.id, visitor.id, 50)
    await stores.photos.public("pho_0123456789abcdef01234567")
    await stores.photos.count(acme.id)
    await stores.video.get(acme.id)

    # The widget: a returning visitor, a page view, a message, reading.
    await stores.visitors.by_token_hash(acme.id, "token-hash-0")
    await stores.visitors.by_id(acme.id, visitor.id)
    await stores.visitors.touch(acme.id, visitor.id, at(30))
    await stores.visitors.set_profile(acme.id, visitor.id, name="Vera", alias=None)
    await stores.visitors.set_contact(acme.id, visitor.id, {"email": "vera@example.org"})
    await stores.conversations.open_of_visitor(acme.id, visitor.id)
    await stores.conversations.get(acme.id, chat.id)
    build = message_builder(chat, "client-late", "late message", created=31)
    await stores.messages.append(acme.id, chat.id, "client-late", build)
    await stores.messages.append(acme.id, chat.id, "client-late", build)
    await stores.messages.by_client_id(acme.id, chat.id, "client-0")
    await stores.messages.after(acme.id, chat.id, 3, 50, agents=False)
    await stores.messages.before(acme.id, chat.id, None, 50, agents=True)
    await stores.messages.before(acme.id, chat.id, 8, 50, agents=False)
    await stores.messages.last_seq(acme.id, chat.id)
    await stores.conversations.raise_read_marker(acme.id, chat.id, "visitor", 5)
    await stores.conversations.history(acme.id, chat.id)
    await stores.presence.socket_count(acme.id, visitor.id)
    await stores.presence.sockets_of(bert.id, "agent")
    await stores.presence.sockets_of(bert.id, "agent", session_id="ses_bert")
    await stores.presence.connected_owners(acme.id, "agent")
    await stores.presence.live_sockets(["sid_bert", "sid_v0", "sid_unknown"])
    await stores.presence.announced(acme.id)

    # Calls.
    await stores.calls.get(acme.id, world.call.id)
    await stores.calls.open_of_conversation(acme.id, chat.id)
    await stores.calls.open_with_agent(acme.id, bert.id)
    await stores.calls.on_socket("sid_v0")
    await stores.calls.of_conversation(acme.id, chat.id)
    await stores.calls.with_dead_sockets()
    await stores.calls.unanswered(at(100))

    # The outbox: the worker's round, the admin's pages.
    await stores.outbox.due(at(300), 20)
    await stores.outbox.get(acme.id, world.mail.id)
    first = await stores.outbox.page(acme.id, MailStatus.SENDING, None, 10)
    await stores.outbox.page(acme.id, MailStatus.SENDING, first[-1], 10)
    await stores.outbox.depth()
    await stores.usage.usage(acme.id, at(0))
    await stores.mail.get(acme.id)

    # Canned replies: the composer's list, an admin's and an agent's changes.
    shared = new_reply(acme, "greeting")
    await stores.canned.insert(shared, 500)
    await stores.canned.insert(new_reply(acme, "greeting", owner=bert), 200)
    await stores.canned.visible(acme.id, bert.id)
    await stores.canned.update(replace(shared, title="Hi", version=2), 1)
    await stores.canned.get(acme.id, shared.id)
    await stores.canned.delete(acme.id, shared.id)
    await stores.canned.delete_of_owner(acme.id, bert.id)
    await stores.canned.delete_of_tenant(world.globex.id)
    # Transcripts: a visitor's copy, an agent's forward, what the conversation shows.
    taken = await stores.transcripts.take_visitor_slot(
        new_transcript(acme, chat.id, kind=TranscriptKind.VISITOR)
    )
    await stores.transcripts.insert(new_transcript(acme, chat.id, sent=33))
    await stores.transcripts.of_conversation(acme.id, chat.id)

    # Offline messages: the console's count and its pages of open items.
    await stores.conversations.todo_count(acme.id)
    todo = await stores.conversations.todo(acme.id, None, 1)
    await stores.conversations.todo(acme.id, todo[-1], 1)
    if taken is not None:
        await stores.transcripts.remove(acme.id, taken.id)

    # The janitors of every process.
    await stores.presence.heartbeat("node_1", at(40))
    await stores.presence.dead_nodes(at(20))
    await stores.presence.sockets_of_node("node_1", "visitor")
    await stores.presence.sockets_of_node("node_2")
    await stores.conversations.abandoned(at(40))
    await stores.conversations.agents_with_active()
    await stores.conversations.tenants_with_queue()
    await stores.presence.online_disconnected_before(at(40))
    await stores.visitors.delete_idle(at(3600), 100)
    await stores.leases.acquire(f"assign:{acme.id}", "node_1", at(41), at(51))
    await stores.leases.release(f"assign:{acme.id}", "node_1")

    # Leaving: the page closes, sockets go, a process dies, the chat closes.
    current = (await stores.visitors.by_id(acme.id, visitor.id)).current_page  # type: ignore[union-attr]
    assert current is not None
    await stores.pages.close(acme.id, current["id"], at(50))
    await stores.visitors.clear_current_page(acme.id, visitor.id, current["id"])
    await stores.presence.remove_socket("sid_v0")
    await stores.conversations.set_visitor_left(acme.id, visitor.id, at(50))
    await stores.presence.update(acme.id, bert.id, {"disconnected_at": at(50)})
    await stores.presence.forget_node("node_2")
    await stores.conversations.transition(
        await stores.conversations.get(acme.id, chat.id),  # type: ignore[arg-type]
        "close",
        {"status": ConversationStatus.CLOSED.value, "closed_at": at(60), "closed_by": SYSTEM.to_doc()},
        {"by": SYSTEM.to_doc(), "from_agent_id": bert.id},
        at(60),
    )
    await stores.photos.delete_others(acme.id, anna.id, keep=None)
    await stores.photos.delete(acme.id, "pho_0123456789abcdef01234567")
    await stores.users.delete(acme.id, bert.id)
    await stores.visitors.mark_engaged(acme.id, world.visitors[2].id)
    await stores.pages.delete_of_visitors([world.visitors[-1].id])

    # The archive: the newest page, searched and filtered, the next page, one chat opened, an export.
    await archive_queries(stores, world)
    # The audit log: entries recorded, read through each filter, the oldest deleted (its own retention).
    await audit_log(stores, world)
    await reports(stores, world)
    # Data-subject requests: a person found, exported, anonymised; another deleted (wschat/subjects).
    await subject_requests(stores, world)
    # Bert, deleted meanwhile: his name goes from the records that name him (wschat/agent_data).
    await former_agent(stores, world)
    # A third tenant, used, then deleted as its lifecycle deletes it (wschat/lifecycle).
    await tenant_deletion(stores)
    await signups(stores)
    # A fourth tenant whose chat, address and mail have aged past its retention (wschat/retention).
    await retention(stores)
    await webhooks(stores, world)


async def archive_queries(stores: Stores, world: World) -> None:
    acme, bert, chat = world.acme, world.bert, world.chat
    plain = ArchiveFilter()
    first = await stores.archive.page(acme.id, plain, 1)
    after = (first[0].conversation.closed_at, first[0].conversation.id) if first else (at(61), "cnv_0")
    await stores.archive.page(acme.id, ArchiveFilter(after=after), 10)  # type: ignore[arg-type]
    await stores.archive.page(
        acme.id,
        ArchiveFilter(since=at(0), until=at(100), agent_id=bert.id, outcome="answered", country="DE"),
        10,
    )
    await stores.archive.page(acme.id, ArchiveFilter(words=("message", "1"), visitor_words=("Visitor",)), 10)
    await stores.archive.page(acme.id, ArchiveFilter(outcome="missed", visitor_words=("x",)), 10)
    await stores.archive.page(acme.id, ArchiveFilter(outcome="offline"), 10)
    await stores.archive.took_part(acme.id, chat.id, bert.id)
    await stores.archive.agents_of(acme.id, chat.id)


async def audit_log(stores: Stores, world: World) -> None:
    """The audit log: entries appended, read by every filter an admin uses, then the oldest deleted."""
    acme, bert, chat = world.acme, world.bert, world.chat
    by_bert = Actor(ActorKind.AGENT, bert.id, "Bert")
    viewed = Target(TargetKind.CONVERSATION, chat.id)
    await stores.audit.append(audit_entry(acme, at_seconds=70, actor=by_bert, target=viewed))
    exported = {"format": "csv", "filter": {}, "rows": 1}
    await stores.audit.append(audit_entry(acme, Action.ARCHIVE_EXPORTED, at_seconds=71, details=exported))
    first = await stores.audit.page(acme.id, AuditFilter(), 1)
    await stores.audit.page(acme.id, AuditFilter(before=(first[0]["at"], first[0]["_id"])), 10)
    await stores.audit.page(acme.id, AuditFilter(action="archive.exported"), 10)
    await stores.audit.page(acme.id, AuditFilter(family="archive", since=at(0), until=at(100)), 10)
    await stores.audit.page(acme.id, AuditFilter(actor_id=bert.id), 10)
    await stores.audit.page(acme.id, AuditFilter(target_id=chat.id, before=(at(100), "aud_f")), 10)
    await stores.audit.delete_before(acme.id, at(1), 10)


async def reports(stores: Stores, world: World) -> None:
    """A chat counted (and offered again), a visitor, a report read as an admin and an agent reads it, the
    rebuild's walk, forget and the same-day check."""
    acme, bert, chat = world.acme, world.bert, world.chat
    day = at(0).date()
    facts = ChatFacts(day, {"answered": 1, "wait:3": 1}, bert.id, {"answered": 1, "wait:3": 1}, "/pricing")
    await stores.reports.count(acme.id, chat.id, facts)
    await stores.reports.count(acme.id, chat.id, facts)
    await stores.reports.add_visitor(acme.id, day)
    await stores.reports.rows(acme.id, day, day, None)
    await stores.reports.rows(acme.id, day, day, bert.id)
    await stores.reports.agent_totals(acme.id, day, day)
    await stores.reports.visitors(acme.id, day, day)
    await stores.reports.pages(acme.id, day, day, 10)
    await stores.reports.forget_pages(acme.id, [chat.id])
    first = await stores.reports.closed_chats(acme.id, at(0), at(10**6), None, 2)
    await stores.reports.closed_chats(acme.id, at(0), at(10**6), first[-1] if first else None, 2)
    await stores.reports.earlier_chat(acme.id, chat.visitor_id, at(0), chat)
    await stores.reports.forget(acme.id, day, day)


async def subject_requests(stores: Stores, world: World) -> None:
    """Two people of acme, each with a page trail, a chat with a call and a transcript, and a mail to them."""
    acme, bert = world.acme, world.bert
    people = []
    for n, name in enumerate(("Ruth", "Sam")):
        visitor = new_visitor(acme, seen=80 + n, name=name, contact={"email": f"{name.lower()}@example.org"})
        await stores.visitors.insert(visitor, f"token-hash-subject-{n}")
        await stores.pages.insert(page_view(acme, visitor, 0, entered=80 + n))
        chat = new_conversation(acme, visitor.id, created=81 + n)
        assert await stores.conversations.insert(chat)
        for m in range(2):
            build = message_builder(chat, f"subject-{m}", f"question {m}", created=82 + n)
            await stores.messages.append(acme.id, chat.id, f"subject-{m}", build)
        call = new_call(
            acme, chat.id, agent_id=bert.id, visitor_id=visitor.id, sid=f"sid_subject_{n}", created=83
        )
        assert await stores.calls.insert(call)
        await stores.calls.transition(call, replace(call, status=CallStatus.ENDED, ended_at=at(84)), at(84))
        await stores.outbox.insert(new_mail(acme, created=85 + n, to=f"{name.lower()}@example.org"))
        people.append((visitor, chat))
    (ruth, ruth_chat), (sam, _) = people

    found = await stores.subjects.find(acme.id, ("ruth",), 50)
    assert [v.id for v in found] == [ruth.id]
    by_address = await stores.subjects.find(acme.id, ("ruth", "example", "org"), 50, email="Ruth@example.org")
    assert [v.id for v in by_address] == [ruth.id]
    changed = {"name": "Ruth B.", "contact": {"email": "ruth@example.org"}, "restricted": True}
    assert await stores.subjects.change_visitor(acme.id, ruth.id, changed)
    first = await stores.subjects.conversations_of(acme.id, ruth.id, None, 1)
    await stores.subjects.conversations_of(acme.id, ruth.id, (first[0].created_at, first[0].id), 1)
    mails = await stores.subjects.mails_to(acme.id, ["ruth@example.org"], None, 1)
    await stores.subjects.mails_to(acme.id, ["ruth@example.org"], (mails[0].created_at, mails[0].id), 1)

    assert await stores.subjects.anonymise_conversations(acme.id, [ruth_chat.id])
    await stores.subjects.delete_mails(acme.id, [m.id for m in mails])
    while await stores.subjects.delete_page_views(acme.id, ruth.id, 1):
        pass
    assert await stores.subjects.strip_visitor(acme.id, ruth.id, "token-hash-gone")
    sams = await stores.subjects.conversations_of(acme.id, sam.id, None, 100)
    assert await stores.subjects.delete_conversations(acme.id, [c.id for c in sams])
    assert await stores.subjects.delete_visitor(acme.id, sam.id)

    request = {"tenant_id": acme.id, "visitor_id": ruth.id, "kind": "access", "state": "open"}
    for n in range(2):
        when = {"received_at": at(90 + n), "due_at": at(90 + n + 86400 * 30), "done_at": None}
        by = {"by_id": bert.id, "by_name": "Bert", "detail": {}}
        await stores.subjects.record_request({"_id": f"dsr_0123456789abcde{n}", **request, **when, **by})
    newest = await stores.subjects.requests(acme.id, None, 1)
    await stores.subjects.requests(acme.id, (newest[0]["received_at"], newest[0]["_id"]), 1)
    assert await stores.subjects.finish_request(acme.id, newest[0]["_id"], at(95))


async def former_agent(stores: Stores, world: World) -> None:
    """Bert's to-do, worked through: the records that name him walked by his id in every way, his chat's
    records and messages rewritten without his name, the logs that name him, the to-do done."""
    acme, bert, chat = world.acme, world.bert, world.chat
    await stores.agent_data.add_former(FormerAgent("fag_0123456789abcdef", acme.id, bert.id, at(100)))
    due = [f for f in await stores.agent_data.formers(at(200), 10) if f.user_id == bert.id]
    assert due, "the to-do was not found"
    for way in Way:
        traces = await stores.agent_data.traces(acme.id, bert.id, way, None, 1)
        if traces:
            await stores.agent_data.traces(acme.id, bert.id, way, traces[-1].cursor, 1)
    records = await stores.agent_data.records_of(acme.id, chat.id)
    assert records.conversation is not None
    page = await stores.messages.after(acme.id, chat.id, 0, 100, agents=True)
    changes = record_changes(bert.id, records) + message_changes(bert.id, mentions(bert.id, records), page)
    assert changes, "nothing named Bert"
    await stores.agent_data.rewrite(acme.id, changes)
    await stores.agent_data.unname_records(acme.id, bert.id, 10)
    await stores.agent_data.save_progress(replace(due[0], stage=Stage.RECORDS))
    await stores.agent_data.finish(due[0].id)


async def appointments(stores: Stores, world: World) -> None:
    """Set-up read and changed, free time asked for, a booking made and cancelled, upcoming lists, a
    reminder, a person's and old appointments deleted (wschat/appointments)."""
    acme, bert, visitor = world.acme, world.bert, world.visitors[0]
    kinds = await stores.appointments.types(acme.id)
    kind = await stores.appointments.type_of(acme.id, kinds[0]["_id"])
    assert kind is not None
    hours = await stores.appointments.hours(acme.id, [bert.id, world.anna.id])
    await stores.appointments.put_hours(hours[0] | {"exceptions": {}})
    settings = await stores.appointments.settings(acme.id)
    assert settings is not None
    await stores.appointments.put_settings(settings | {"reminder": False})
    await stores.appointments.taken(acme.id, [bert.id], at(0), at(86400 * 8))
    booked = await stores.appointments.between(acme.id, at(0), at(86400 * 7))
    await stores.appointments.between(acme.id, at(0), at(86400 * 7), bert.id)
    await stores.appointments.appointment(acme.id, booked[0]["_id"])
    other = appointment(acme, AppointmentType.from_doc(kind), visitor.id, 86400 * 2)
    await stores.appointments.book(other.to_doc(), cells(other.blocked_from, other.blocked_until))
    shift = timedelta(minutes=15)
    later = {
        "starts_at": other.starts_at + shift,
        "ends_at": other.ends_at + shift,
        "blocked_from": other.blocked_from + shift,
        "blocked_until": other.blocked_until + shift,
        "agent_id": other.agent_id,
    }
    moved = await stores.appointments.move(
        other.to_doc(), later, cells(other.starts_at + shift, other.ends_at)
    )
    assert moved is not None
    assert moved["sequence"] == 1
    await stores.appointments.cancel(acme.id, other.id, 1, {"cancelled_at": at(5), "cancelled_by": "agent"})
    for due in await stores.appointments.due_reminders(at(86400), 10):
        await stores.appointments.reminded(due["tenant_id"], due["_id"])
    assert await stores.appointments.repair(at(0), 10) == 0  # nothing was interrupted
    await stores.appointments.of_visitor(acme.id, visitor.id)
    await stores.appointments.of_conversation(acme.id, world.chat.id)
    await stores.appointments.delete_of_visitor(acme.id, "vis_0000000000000000")
    await stores.appointments.delete_ended_before(acme.id, at(-86400), 100)
    await stores.appointments.put_type(kind | {"duration": 45})
    await stores.appointments.delete_type(acme.id, "apt_000000000000000000000000")


async def tenant_deletion(stores: Stores) -> None:
    """A tenant with a record in every table a tenant fills, deleted batch by batch, its search indexes
    compacted, then its record. Its own tenant, so that the others' history never reaches its queries."""
    initech = new_tenant("initech")
    await stores.tenants.insert(initech)
    admin = new_user(initech, "peter", Role.ADMIN)
    await stores.users.insert(admin)
    await stores.photos.insert(
        Photo("pho_initech0123456789abcdef", initech.id, admin.id, {64: b"x"}, "h", at(0))
    )
    await stores.canned.insert(new_reply(initech, "tps"), 500)
    await stores.presence.update(initech.id, admin.id, {"status": "online", "changed_at": at(0)})
    visitor = new_visitor(initech, seen=1, name="Milton")
    await stores.visitors.insert(visitor, "token-hash-initech")
    await stores.pages.insert(page_view(initech, visitor, 0, entered=1))
    await stores.presence.add_socket("sid_initech", initech.id, visitor.id, "visitor", "node_1", at(1))
    chat = new_conversation(initech, visitor.id, created=2)
    assert await stores.conversations.insert(chat)
    for n in range(3):
        build = message_builder(chat, f"initech-{n}", f"stapler {n}", created=3 + n)
        await stores.messages.append(initech.id, chat.id, f"initech-{n}", build)
    call = new_call(initech, chat.id, agent_id=admin.id, visitor_id=visitor.id, sid="sid_peter", created=6)
    assert await stores.calls.insert(call)
    await stores.calls.transition(call, replace(call, status=CallStatus.ENDED, ended_at=at(7)), at(7))
    await stores.transcripts.insert(new_transcript(initech, chat.id, sent=8))
    mail = new_mail(initech, created=9)
    await stores.outbox.insert(mail)
    await stores.outbox.transition(mail, replace(mail, status=MailStatus.SENT, sent_at=at(10)), at(10))
    await stores.audit.append(audit_entry(initech, Action.ARCHIVE_VIEWED, at_seconds=11))
    request = {
        "_id": "dsr_initech0123456789",
        "tenant_id": initech.id,
        "visitor_id": visitor.id,
        "kind": "access",
    }
    await stores.subjects.record_request(
        request
        | {"state": "done", "received_at": at(12), "due_at": at(13), "done_at": at(12), "by_id": admin.id}
        | {"by_name": "P", "detail": {}}
    )
    await stores.agent_data.add_former(FormerAgent("fag_initech0123456789", initech.id, "usr_left", at(14)))
    await stores.reports.count(
        initech.id, chat.id, ChatFacts(at(2).date(), {"answered": 1}, admin.id, {"answered": 1}, "/")
    )
    await stores.reports.add_visitor(initech.id, at(1).date())

    batches = 0
    while await stores.tenant_data.delete_batch(initech.id, 2):
        batches += 1
        assert batches < 100, "a deletion that never ends"
    await stores.tenant_data.compact()
    assert not [f for f in await stores.agent_data.formers(at(10**6), 100) if f.tenant_id == initech.id]
    assert await stores.tenant_data.delete_tenant(initech.id)
    assert await stores.tenants.by_id(initech.id) is None


async def signups(stores: Stores) -> None:
    """A sign-up: stored once per address, its mail sent, then taken (confirmed) with its mail; and the
    housekeeping's look for expired ones."""
    pending = new_signup("dora@initrode.example", created=70)
    assert await stores.signups.insert(pending)
    assert not await stores.signups.insert(new_signup("dora@initrode.example", created=71))
    mail = new_mail(new_tenant("system"), created=70, tenant_id=SYSTEM_SENDER, to=pending.email)
    await stores.outbox.insert(mail)
    await stores.outbox.transition(mail, replace(mail, status=MailStatus.SENT, sent_at=at(71)), at(71))
    await stores.signups.set_mail(pending.id, mail.id)
    assert (await stores.signups.get(pending.id)) is not None
    assert (await stores.signups.by_email(pending.email)) is not None
    assert pending.id in await stores.signups.expired(pending.expires_at, 10)
    taken = await stores.signups.take(pending.id)
    assert taken is not None
    assert taken.mail_id == mail.id
    assert await stores.signups.take(pending.id) is None
    assert await stores.outbox.get(SYSTEM_SENDER, mail.id) is None


async def retention(stores: Stores) -> None:
    """A chat closed long ago with its visitor (address, page trail), a call and a sent mail, each taken by
    its retention sweep. Its own tenant, and older than any history, so that nothing else is ever due."""
    umbrella = new_tenant("umbrella")
    await stores.tenants.insert(umbrella)
    old = -300_000
    visitor = new_visitor(umbrella, seen=old, name="Alice", ip="203.0.113.0")
    await stores.visitors.insert(visitor, "token-hash-umbrella")
    await stores.pages.insert(page_view(umbrella, visitor, 0, entered=old))
    chat = new_conversation(umbrella, visitor.id, created=old)
    assert await stores.conversations.insert(chat)
    await stores.visitors.mark_engaged(umbrella.id, visitor.id)
    build = message_builder(chat, "umbrella-0", "t-virus", created=old)
    await stores.messages.append(umbrella.id, chat.id, "umbrella-0", build)
    call = new_call(umbrella, chat.id, agent_id="usr_0123456789abcdef", visitor_id=visitor.id, created=old)
    assert await stores.calls.insert(call)
    await stores.calls.transition(call, replace(call, status=CallStatus.ENDED, ended_at=at(old)), at(old))
    closed = {
        "status": ConversationStatus.CLOSED.value,
        "closed_at": at(old + 60),
        "closed_by": SYSTEM.to_doc(),
    }
    await stores.conversations.transition(chat, "close", closed, {"by": SYSTEM.to_doc()}, at(old + 60))
    mail = new_mail(umbrella, created=old)
    await stores.outbox.insert(mail)
    await stores.outbox.transition(mail, replace(mail, status=MailStatus.SENT, sent_at=at(old)), at(old))

    due = at(-200_000)
    assert (await stores.retention.delete_chats(umbrella.id, due, 10)).taken == 1
    assert (await stores.retention.age_addresses(umbrella.id, due, lambda ip: "203.0.0.0", 10)).taken == 1
    assert (await stores.retention.delete_visitors(umbrella.id, due, 10)).taken == 1
    assert (await stores.retention.delete_mails(umbrella.id, due, 10)).taken == 1
    for sweep in (
        stores.retention.delete_chats,
        stores.retention.delete_visitors,
        stores.retention.delete_mails,
    ):
        assert (await sweep(umbrella.id, due, 10)).taken == 0


async def webhooks(stores: Stores, world: World) -> None:
    """An admin's endpoint, changed; deliveries queued (one twice), sent, paged, a visitor's erased, the
    oldest cleaned up, then the endpoint deleted with its deliveries (wschat/webhooks)."""
    acme = world.acme
    endpoint = new_endpoint(acme, created=70)
    await stores.webhook_endpoints.insert(endpoint)
    await stores.webhook_endpoints.replace(replace(endpoint, enabled=False))
    assert [e.id for e in await stores.webhook_endpoints.of_tenant(acme.id)] == [endpoint.id]
    assert await stores.webhook_endpoints.get(acme.id, endpoint.id) is not None
    first, second = new_delivery(endpoint, created=71), new_delivery(endpoint, created=72, visitor_id=None)
    for delivery in (first, second):
        assert await stores.webhook_deliveries.insert(delivery)
    assert not await stores.webhook_deliveries.insert(first)
    assert [d.id for d in await stores.webhook_deliveries.due(at(80), 10)] == [first.id, second.id]
    await stores.webhook_deliveries.update(replace(first, status=DeliveryStatus.DELIVERED, attempts=1))
    assert await stores.webhook_deliveries.depth() == {"queued": 1, "retrying": 0}
    assert await stores.webhook_deliveries.get(acme.id, first.id) is not None
    newest = await stores.webhook_deliveries.page(acme.id, None, None, 1)
    assert await stores.webhook_deliveries.page(acme.id, endpoint.id, newest[0], 10) != []
    assert await stores.webhook_deliveries.forget_visitor(acme.id, "vis_0123456789abcdef") == 1
    assert await stores.webhook_deliveries.delete_older(at(-1_000_000), 10) == 0
    assert await stores.webhook_endpoints.delete(acme.id, endpoint.id)
