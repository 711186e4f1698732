"""From domain events to queued bodies (wschat/webhooks/feed.py), on a real database: what a closed chat's
transcript holds and where it stops, which conversation a contact names, and that nothing is built for a
tenant without a subscribed endpoint."""

from __future__ import annotations

import json

from tests.storage.builders import message_builder, new_conversation, new_visitor
from tests.webhooks.conftest import Desk
from wschat.chat.models import ChatClosed, ConversationStatus, Visibility
from wschat.visitors.models import ContactSubmitted
from wschat.webhooks.feed import MAX_TRANSCRIPT_CHARS, WebhookFeed
from wschat.webhooks.models import WebhookEvent


def _feed(desk: Desk) -> WebhookFeed:
    stores = desk.db.stores
    return WebhookFeed(
        desk.service,
        stores.visitors,
        stores.conversations,
        stores.messages,
        lambda: desk.anna.tenant.created_at,
    )


async def _bodies(desk: Desk) -> list[dict[str, object]]:
    found = await desk.db.stores.webhook_deliveries.page(desk.anna.tenant.id, None, None, 50)
    return [json.loads(d.body) for d in found]


async def test_closed_chat_carries_the_visible_transcript_up_to_its_limit(desk: Desk) -> None:
    await desk.endpoint("http://127.0.0.1:9/hook", WebhookEvent.CONVERSATION_CLOSED)
    tenant, stores = desk.anna.tenant, desk.db.stores
    visitor = new_visitor(tenant, name="Kim", contact={"email": "kim@example.org"}, ip="203.0.113.0")
    await stores.visitors.insert(visitor, "token-hash-kim")
    chat = new_conversation(tenant, visitor.id, status=ConversationStatus.CLOSED)
    assert await stores.conversations.insert(chat)
    note = message_builder(chat, "note", "nur intern", created=1, visibility=Visibility.AGENTS)
    await stores.messages.append(tenant.id, chat.id, "note", note)
    long = "x" * 4000
    count = MAX_TRANSCRIPT_CHARS // len(long) + 5
    for n in range(count):
        await stores.messages.append(
            tenant.id, chat.id, f"m{n}", message_builder(chat, f"m{n}", long, created=2)
        )

    await _feed(desk).chat_closed(ChatClosed(chat))

    [body] = await _bodies(desk)
    data = body["data"]
    assert isinstance(data, dict)
    assert data["transcript_complete"] is False
    assert len(data["transcript"]) == MAX_TRANSCRIPT_CHARS // len(long)
    assert "nur intern" not in json.dumps(data)
    assert data["visitor"]["contact"]["email"] == "kim@example.org"
    assert "203.0.113" not in json.dumps(data)
    assert str(body["created_at"]).endswith("Z")


async def test_contact_names_only_the_visitors_own_conversation(desk: Desk) -> None:
    await desk.endpoint("http://127.0.0.1:9/hook", WebhookEvent.CONTACT_SUBMITTED)
    tenant, stores = desk.anna.tenant, desk.db.stores
    kim, lee = new_visitor(tenant, contact={"email": "kim@example.org"}), new_visitor(tenant)
    for n, visitor in enumerate((kim, lee)):
        await stores.visitors.insert(visitor, f"token-hash-{n}")
    hers, his = new_conversation(tenant, kim.id), new_conversation(tenant, lee.id)
    for chat in (hers, his):
        assert await stores.conversations.insert(chat)
    feed = _feed(desk)

    await feed.contact_submitted(ContactSubmitted(kim, his.id))
    await feed.contact_submitted(ContactSubmitted(kim, his.id))  # the same again: one delivery
    await feed.contact_submitted(ContactSubmitted(kim, hers.id))

    named = sorted(str(b["data"]["conversation_id"]) for b in await _bodies(desk))  # type: ignore[index]
    assert named == sorted([hers.id, "None"])


async def test_nothing_is_built_without_a_subscribed_endpoint(desk: Desk) -> None:
    await desk.endpoint("http://127.0.0.1:9/hook", WebhookEvent.APPOINTMENT_BOOKED)
    tenant, stores = desk.anna.tenant, desk.db.stores
    visitor = new_visitor(tenant)
    await stores.visitors.insert(visitor, "token-hash")
    chat = new_conversation(tenant, visitor.id, status=ConversationStatus.CLOSED)
    assert await stores.conversations.insert(chat)

    await _feed(desk).chat_closed(ChatClosed(chat))

    assert await _bodies(desk) == []
