"""Store contract: retention's sweeps (``wschat/retention/store.py``), on both adapters. Each takes only what
is due, of its own tenant, with everything that hangs on it, and leaves the rest as it was."""

from __future__ import annotations

from dataclasses import replace

from tests.storage.builders import (
    at,
    message_builder,
    new_call,
    new_conversation,
    new_mail,
    new_transcript,
    new_visitor,
    offline_message,
    page_ref,
    page_view,
)
from tests.storage.conftest import TwoTenants
from tests.support import stored
from wschat.accounts.models import Tenant
from wschat.chat.models import SYSTEM, Conversation, ConversationStatus
from wschat.mail.models import MailStatus
from wschat.privacy.ip import shorten_ip
from wschat.signalling.models import CallStatus
from wschat.storage import Database, Stores
from wschat.visitors.models import Visitor

DAY = 86400.0
CUTOFF = at(100 * DAY)  # due: before this


async def _visitor(stores: Stores, tenant: Tenant, seen: float, **values: object) -> Visitor:
    visitor = new_visitor(tenant, seen=seen, **values)
    await stores.visitors.insert(visitor, f"hash-{visitor.id}")
    return visitor


async def _chat(stores: Stores, tenant: Tenant, visitor: Visitor, closed: float | None) -> Conversation:
    """A chat with a message, a call, a transcript record and a page view; closed at ``closed`` (or open)."""
    chat = new_conversation(tenant, visitor.id, created=(closed or 0) - 60)
    assert await stores.conversations.insert(chat)
    await stores.visitors.mark_engaged(tenant.id, visitor.id)
    build = message_builder(chat, "c1", f"words of {chat.id}", created=(closed or 0) - 50)
    await stores.messages.append(tenant.id, chat.id, "c1", build)
    call = new_call(tenant, chat.id, agent_id="usr_0123456789abcdef", visitor_id=visitor.id)
    assert await stores.calls.insert(call)
    await stores.calls.transition(call, replace(call, status=CallStatus.ENDED, ended_at=at(1)), at(1))
    await stores.transcripts.insert(new_transcript(tenant, chat.id, sent=(closed or 0) - 40))
    await stores.pages.insert(page_view(tenant, visitor, 0, entered=(closed or 0) - 70))
    if closed is None:
        return chat
    state = {"status": ConversationStatus.CLOSED.value, "closed_at": at(closed), "closed_by": SYSTEM.to_doc()}
    return await stores.conversations.transition(chat, "close", state, {"by": SYSTEM.to_doc()}, at(closed))


async def _rows(db: Database, conversation_id: str) -> dict[str, int]:
    counts = {
        table: len(await stored(db, table, conversation_id=conversation_id))
        for table in ("messages", "transitions", "transcripts", "calls")
    }
    counts["conversations"] = len(await stored(db, "conversations", _id=conversation_id))
    return counts


async def test_retention_deletes_chats_closed_before_the_cutoff_with_everything_on_them(
    database: Database, stores: Stores, two: TwoTenants
) -> None:
    visitor = await _visitor(stores, two.a, seen=0)
    old = await _chat(stores, two.a, visitor, closed=99 * DAY)
    calls = [c["_id"] for c in await stored(database, "calls", conversation_id=old.id)]
    recent = await _chat(stores, two.a, await _visitor(stores, two.a, seen=0), closed=101 * DAY)
    still_open = await _chat(stores, two.a, await _visitor(stores, two.a, seen=0), closed=None)
    others = await _chat(stores, two.b, await _visitor(stores, two.b, seen=0), closed=DAY)
    kept = {c.id: await _rows(database, c.id) for c in (recent, still_open, others)}

    swept = await stores.retention.delete_chats(two.a.id, CUTOFF)

    assert swept.taken == 1
    assert swept.conversations == (old.id,)
    assert {k: v for k, v in swept.counts.items() if k != "transitions"} == {
        "conversations": 1,
        "messages": 1,
        "transcripts": 1,
        "calls": 1,
        "call_transitions": 1,
    }
    assert await _rows(database, old.id) == dict.fromkeys(
        ("messages", "transitions", "transcripts", "calls", "conversations"), 0
    )
    assert await stored(database, "call_transitions", call_id=calls[0]) == []
    assert {c: await _rows(database, c) for c in kept} == kept, "an open chat, a recent one, another tenant's"
    assert (await stores.retention.delete_chats(two.a.id, CUTOFF)).taken == 0


async def test_retention_keeps_a_restricted_visitors_chats_and_an_offline_message_to_answer(
    database: Database, stores: Stores, two: TwoTenants
) -> None:
    restricted = await _visitor(stores, two.a, seen=0)
    await stores.subjects.change_visitor(two.a.id, restricted.id, {"restricted": True})
    kept = await _chat(stores, two.a, restricted, closed=DAY)
    to_answer = offline_message(two.a, (await _visitor(stores, two.a, seen=0)).id, created=DAY)
    assert await stores.conversations.insert(to_answer)
    gone = [await _chat(stores, two.a, await _visitor(stores, two.a, seen=0), closed=n * DAY) for n in (2, 3)]

    assert (await stores.retention.delete_chats(two.a.id, CUTOFF, limit=1)).taken == 1, "past the kept ones"
    assert (await stores.retention.delete_chats(two.a.id, CUTOFF, limit=1)).taken == 1
    assert (await stores.retention.delete_chats(two.a.id, CUTOFF, limit=1)).taken == 0

    left = {c["_id"] for c in await stored(database, "conversations", tenant_id=two.a.id)}
    assert left == {kept.id, to_answer.id}
    assert not left & {c.id for c in gone}


async def test_retention_deletes_visitors_whose_chats_went_with_their_page_trail(
    database: Database, stores: Stores, two: TwoTenants
) -> None:
    gone = await _visitor(stores, two.a, seen=50 * DAY, contact={"email": "gone@example.org"})
    await stores.visitors.mark_engaged(two.a.id, gone.id)
    await stores.pages.insert(page_view(two.a, gone, 0, entered=50 * DAY))
    with_chat = await _visitor(stores, two.a, seen=50 * DAY)
    await _chat(stores, two.a, with_chat, closed=101 * DAY)  # not due yet: the visitor stays with it
    seen_lately = await _visitor(stores, two.a, seen=101 * DAY)
    await stores.visitors.mark_engaged(two.a.id, seen_lately.id)
    on_a_page = await _visitor(stores, two.a, seen=50 * DAY)
    await stores.visitors.mark_engaged(two.a.id, on_a_page.id)
    await stores.visitors.set_current_page(two.a.id, on_a_page.id, page_ref("pgv_0123456789abcdef"))
    restricted = await _visitor(stores, two.a, seen=50 * DAY)
    await stores.visitors.mark_engaged(two.a.id, restricted.id)
    await stores.subjects.change_visitor(two.a.id, restricted.id, {"restricted": True})
    never_chatted = await _visitor(stores, two.a, seen=50 * DAY)  # housekeeping's (delete_idle)
    others = await _visitor(stores, two.b, seen=DAY)
    await stores.visitors.mark_engaged(two.b.id, others.id)

    swept = await stores.retention.delete_visitors(two.a.id, CUTOFF)

    assert (swept.taken, swept.visitors, swept.counts) == (1, (gone.id,), {"visitors": 1, "page_views": 1})
    assert await stored(database, "visitors", _id=gone.id) == []
    assert await stored(database, "page_views", visitor_id=gone.id) == []
    left = {v["_id"] for v in await stored(database, "visitors")}
    assert left >= {with_chat.id, seen_lately.id, on_a_page.id, restricted.id, never_chatted.id, others.id}
    assert (await stores.retention.delete_visitors(two.a.id, CUTOFF)).taken == 0


async def test_retention_ages_addresses_once_deleting_or_shortening_them(
    database: Database, stores: Stores, two: TwoTenants
) -> None:
    v4 = await _visitor(stores, two.a, seen=DAY, ip="203.0.113.0")
    v6 = await _visitor(stores, two.a, seen=2 * DAY, ip="2001:db8:1::")
    none = await _visitor(stores, two.a, seen=3 * DAY)
    fresh = await _visitor(stores, two.a, seen=101 * DAY, ip="198.51.100.0")
    restricted = await _visitor(stores, two.a, seen=DAY, ip="192.0.2.0")
    await stores.subjects.change_visitor(two.a.id, restricted.id, {"restricted": True})
    others = await _visitor(stores, two.b, seen=DAY, ip="203.0.113.0")

    def shortened(ip: str) -> str | None:
        return shorten_ip(ip) or None

    first = await stores.retention.age_addresses(two.a.id, CUTOFF, shortened, limit=2)
    second = await stores.retention.age_addresses(two.a.id, CUTOFF, shortened, limit=2)
    assert (first.taken, second.taken) == (2, 1)
    assert first.counts == {"addresses shortened": 2}
    assert second.counts == {}, "a visitor without an address is marked, not counted"
    assert set(first.visitors) == {v4.id, v6.id}
    assert (await stores.retention.age_addresses(two.a.id, CUTOFF, shortened)).taken == 0, "aged once only"

    ips = {v["_id"]: v.get("ip") for v in await stored(database, "visitors")}
    assert (ips[v4.id], ips[v6.id], ips[none.id]) == ("203.0.0.0", "2001:db8::", None)
    assert (ips[fresh.id], ips[restricted.id], ips[others.id]) == ("198.51.100.0", "192.0.2.0", "203.0.113.0")

    deleted = await stores.retention.age_addresses(two.b.id, CUTOFF, lambda ip: None)
    assert (deleted.taken, deleted.counts) == (1, {"addresses deleted": 1})
    assert (await stores.visitors.by_id(two.b.id, others.id)).ip is None  # type: ignore[union-attr]


async def test_retention_deletes_sent_and_failed_mails_never_pending_ones(
    database: Database, stores: Stores, two: TwoTenants
) -> None:
    mails = {}
    for name, status, created in (
        ("sent", MailStatus.SENT, DAY),
        ("failed", MailStatus.FAILED, DAY),
        ("queued", MailStatus.QUEUED, DAY),
        ("sending", MailStatus.SENDING, DAY),
        ("recent", MailStatus.SENT, 101 * DAY),
    ):
        mail = new_mail(two.a, created=created)
        await stores.outbox.insert(mail)
        if status is not MailStatus.QUEUED:
            mail = await stores.outbox.transition(mail, replace(mail, status=status), at(created))
        mails[name] = mail
    others = new_mail(two.b, created=DAY)
    await stores.outbox.insert(others)
    await stores.outbox.transition(others, replace(others, status=MailStatus.SENT), at(DAY))

    swept = await stores.retention.delete_mails(two.a.id, CUTOFF)

    assert (swept.taken, swept.counts) == (2, {"outbox": 2, "outbox_transitions": 2})
    left = {m["_id"] for m in await stored(database, "outbox")}
    assert left == {mails["queued"].id, mails["sending"].id, mails["recent"].id, others.id}
    assert {t["mail_id"] for t in await stored(database, "outbox_transitions")} == left - {mails["queued"].id}
    assert (await stores.retention.delete_mails(two.a.id, CUTOFF)).taken == 0
