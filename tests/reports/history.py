"""A known set of past chats, stored as the product stores them (conversations, their transitions, messages
and the visitors' page views), for the reports' tests: what each figure must come to is written beside it.

The day is a Monday; the previous day holds one more answered chat (the comparison period of a one-day
report). Waits and first answers are under a minute, where the histograms are exact to the second.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from wschat.accounts.models import Tenant, User
from wschat.chat.models import Conversation, ConversationStatus, Message, MessageKind, Party, SenderKind
from wschat.clock import new_id
from wschat.storage import Stores
from wschat.visitors.models import Visitor

SHOP = "https://shop.example/"
#: A Monday, 10:00 UTC.
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Answered:
    agent: str
    wait: int
    first_answer: int
    duration: int
    #: The agent it came from, first (a transfer).
    transferred_from: str | None = None


#: (start after MONDAY in minutes, chat): waits 10/20/40 s (median 20, p90 40), first answers 15/30/45 s
#: (median 30, p90 45); Bert answered two (his median 15 s), Carl one that Bert handed over to him.
TODAY = (
    (0, Answered("bert", wait=10, first_answer=15, duration=300)),
    (60, Answered("bert", wait=20, first_answer=30, duration=600)),
    (180, Answered("carl", wait=40, first_answer=45, duration=900, transferred_from="bert")),
)
YESTERDAY = Answered("bert", wait=50, first_answer=55, duration=120)


def _party(user: User) -> Party:
    return Party(SenderKind.AGENT, user.id, user.display_name)


async def _message(stores: Stores, chat: Conversation, sender: Party, text: str, at: datetime) -> None:
    def build(seq: int) -> Message:
        return Message(
            new_id("msg"), chat.tenant_id, chat.id, seq, new_id("cli"), sender, MessageKind.TEXT, text, at
        )

    await stores.messages.append(chat.tenant_id, chat.id, build(0).client_id, build)


async def _visitor_on(stores: Stores, tenant: Tenant, url: str, at: datetime) -> str:
    visitor_id = new_id("vis")
    await stores.visitors.insert(Visitor(visitor_id, tenant.id, first_seen=at, last_seen=at), new_id("tok"))
    view = {"_id": new_id("pgv"), "tenant_id": tenant.id, "visitor_id": visitor_id, "url": url}
    await stores.pages.insert(view | {"title": None, "referrer": None, "entered_at": at, "left_at": None})
    return visitor_id


async def _chat(
    stores: Stores, tenant: Tenant, start: datetime, url: str = "https://shop.example/"
) -> Conversation:
    visitor_id = await _visitor_on(stores, tenant, url, start - timedelta(seconds=5))
    chat = Conversation(new_id("cnv"), tenant.id, visitor_id, ConversationStatus.QUEUED, 0, start)
    assert await stores.conversations.insert(chat)
    await _message(stores, chat, Party(SenderKind.VISITOR, visitor_id, "Visitor"), "Hallo?", start)
    return chat


async def _close(stores: Stores, chat: Conversation, at: datetime) -> Conversation:
    state = {"status": ConversationStatus.CLOSED.value, "closed_at": at}
    return await stores.conversations.transition(chat, "close", state, {"by": None}, at)


async def answered(
    stores: Stores, tenant: Tenant, users: dict[str, User], start: datetime, how: Answered
) -> None:
    chat = await _chat(stores, tenant, start, "https://shop.example/pricing?utm_source=mail#plans")
    taken = start + timedelta(seconds=how.wait)
    first = users[how.transferred_from or how.agent]
    state = {"status": ConversationStatus.ACTIVE.value, "agent_id": first.id, "assigned_at": taken}
    chat = await stores.conversations.transition(chat, "accept", state, {"to_agent_id": first.id}, taken)
    await _message(stores, chat, _party(first), "Guten Tag!", start + timedelta(seconds=how.first_answer))
    if how.transferred_from is not None:
        to = users[how.agent]
        moved = taken + timedelta(seconds=how.first_answer + 1)
        chat = await stores.conversations.transition(chat, "transfer", {"agent_id": to.id}, {}, moved)
    await _close(stores, chat, taken + timedelta(seconds=how.duration))


async def missed(stores: Stores, tenant: Tenant, start: datetime) -> None:
    chat = await _chat(stores, tenant, start)
    await _close(stores, chat, start + timedelta(seconds=90))


async def offline(stores: Stores, tenant: Tenant, start: datetime) -> None:
    visitor_id = await _visitor_on(stores, tenant, "https://shop.example/contact", start)
    item = Conversation(new_id("cnv"), tenant.id, visitor_id, ConversationStatus.QUEUED, 0, start)
    item = replace(
        item, status=ConversationStatus.CLOSED, closed_at=start, origin="offline_form", answer_state="open"
    )
    assert await stores.conversations.insert(item)


async def store_history(stores: Stores, tenant: Tenant, users: dict[str, User]) -> None:
    """Monday: three answered chats, one missed (at 14:00), one offline message (at 20:00); Sunday one
    answered chat."""
    for minutes, how in TODAY:
        await answered(stores, tenant, users, MONDAY + timedelta(minutes=minutes), how)
    await missed(stores, tenant, MONDAY + timedelta(hours=4))
    await offline(stores, tenant, MONDAY + timedelta(hours=10))
    await answered(stores, tenant, users, MONDAY - timedelta(hours=12), YESTERDAY)
