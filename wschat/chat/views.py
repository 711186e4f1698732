"""How conversations look on the wire: to the console, to the widget, and their assignment history."""

from __future__ import annotations

from datetime import datetime

from wschat.accounts.models import User
from wschat.accounts.store import UserStore
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.models import Conversation
from wschat.chat.payloads import (
    AgentIdentity,
    AssignmentWire,
    ConversationCommon,
    ConversationForAgent,
    ConversationForVisitor,
    LiveVisitorWire,
)
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore


def agent_identity(user: User | None) -> AgentIdentity | None:
    """What a visitor may know of an agent: the alias and photo, never the login or real name."""
    if user is None:
        return None
    return {"id": user.id, "display_name": user.display_name, "photo_url": user.photo_url}


class Views:
    def __init__(self, conversations: ConversationStore, visitors: VisitorStore, users: UserStore) -> None:
        self.conversations = conversations
        self.visitors = visitors
        self.users = users

    async def for_agent(self, conversation: Conversation) -> ConversationForAgent:
        visitor = await self.visitors.by_id(conversation.tenant_id, conversation.visitor_id)
        agent = (
            await self.users.by_id(conversation.tenant_id, conversation.agent_id)
            if conversation.agent_id
            else None
        )
        return {
            **_common(conversation),
            # Counts the conversation's transitions: a console keeps the newest view of a chat and drops a
            # view that crossed a newer one on the way (a queue.list answer older than a chat.assigned).
            "epoch": conversation.epoch,
            "visitor": visitor.to_wire() if visitor else None,
            "agent": agent_identity(agent),
            "visitor_read_seq": conversation.visitor_read_seq,
            "agent_read_seq": conversation.agent_read_seq,
            "visitor_left_at": _iso(conversation.visitor_left_at),
        }

    async def for_visitor(self, conversation: Conversation) -> ConversationForVisitor:
        agent = (
            await self.users.by_id(conversation.tenant_id, conversation.agent_id)
            if conversation.agent_id
            else None
        )
        return {
            **_common(conversation),
            "agent": agent_identity(agent),
            "agent_read_seq": conversation.agent_read_seq,
        }

    async def live_visitors(self, tenant_id: str, visitors: list[Visitor]) -> list[LiveVisitorWire]:
        """Visitors on the site now, each with their open conversation (if any), for the live list."""
        open_ = await self.conversations.open_of_visitors(tenant_id, [v.id for v in visitors])
        return [
            {
                **visitor.to_wire(),
                "conversation": (
                    {"id": c.id, "status": c.status.value} if (c := open_.get(visitor.id)) else None
                ),
            }
            for visitor in visitors
        ]

    async def history(self, tenant_id: str, conversation_id: str) -> list[AssignmentWire]:
        """The assignment history (who had the chat when), from the transitions."""
        records = await self.conversations.history(tenant_id, conversation_id)
        return [
            {
                "epoch": r["epoch"],
                "kind": r["kind"],
                "at": r["at"].isoformat(),
                "by": r.get("by"),
                "from_agent_id": r.get("from_agent_id"),
                "to_agent_id": r.get("to_agent_id"),
                "note": r.get("note"),
            }
            for r in records
        ]


def _common(conversation: Conversation) -> ConversationCommon:
    return {
        "id": conversation.id,
        "status": conversation.status.value,
        "created_at": conversation.created_at.isoformat(),
        "assigned_at": _iso(conversation.assigned_at),
        "closed_at": _iso(conversation.closed_at),
        "closed_by": conversation.closed_by.kind.value if conversation.closed_by else None,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
