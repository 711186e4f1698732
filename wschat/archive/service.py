"""The archive's rules: who sees which past conversations, the checks of a query, and what opening one
shows (docs/archive.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from wschat.accounts.models import Principal
from wschat.accounts.store import UserStore
from wschat.archive.models import MAX_RANGE, ArchiveQuery, ExportsQuery, Outcome
from wschat.archive.store import ArchiveEntry, ArchiveFilter, ArchiveStore
from wschat.archive.words import words_of
from wschat.audit.models import Action, AuditEntry, Target, TargetKind, actor_of
from wschat.audit.service import AuditService
from wschat.audit.store import AuditFilter
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.message_store import MessageStore
from wschat.chat.models import Conversation, ConversationStatus, Message
from wschat.chat.transcript_store import TranscriptStore
from wschat.clock import aware
from wschat.cursors import Cursors
from wschat.errors import Forbidden, InvalidRange, NotFound, ValidationFailed
from wschat.signalling.models import Call
from wschat.signalling.store import CallStore
from wschat.visitors.page_store import PageViewStore
from wschat.visitors.store import VisitorStore

#: Messages read per query while a transcript is put together.
_BATCH = 500
#: Pages of the visitor's trail shown with a conversation.
TRAIL = 200


def outcome_of(conversation: Conversation) -> Outcome:
    if conversation.origin == "offline_form":
        return Outcome.OFFLINE
    return Outcome.ANSWERED if conversation.assigned_at is not None else Outcome.MISSED


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class ArchiveService:
    def __init__(
        self,
        archive: ArchiveStore,
        conversations: ConversationStore,
        messages: MessageStore,
        visitors: VisitorStore,
        pages: PageViewStore,
        calls: CallStore,
        users: UserStore,
        cursors: Cursors,
        audit: AuditService,
        transcripts: TranscriptStore,
    ) -> None:
        self.archive = archive
        self.conversations = conversations
        self.messages = messages
        self.visitors = visitors
        self.pages = pages
        self.calls = calls
        self.users = users
        self.cursors = cursors
        self.audit = audit
        self.transcripts = transcripts

    def check_filter(self, principal: Principal, query: ArchiveQuery) -> ArchiveFilter:
        """The store's filter for ``query`` as ``principal`` may see it.

        Raises InvalidRange (reversed or over a year wide), InvalidCursor, ValidationFailed (a search
        without words), Forbidden (an agent asking for a colleague's chats in a closed archive)."""
        agent_id = query.agent_id
        if not self._sees_all(principal):
            if agent_id not in (None, principal.user.id):
                raise Forbidden("You may only look through the chats you took part in.")
            agent_id = principal.user.id
        return self.whole_filter(query, agent_id)

    def whole_filter(self, query: ArchiveQuery, agent_id: str | None) -> ArchiveFilter:
        """The filter for ``query`` over the whole archive (the operator's CLI; admins through the above)."""
        since, until = aware(query.since), aware(query.until)
        if since is not None and until is not None:
            if until <= since:
                raise InvalidRange("The range ends before it starts: 'to' must be after 'from'.")
            if until - since > MAX_RANGE:
                raise InvalidRange("The range is wider than a year; search a year or less at a time.")
        words = words_of(query.q) if query.q else ()
        if query.q and not words:
            raise ValidationFailed(
                "The search has no words in it.",
                details={"fields": [{"field": "q", "message": "no letters or digits to search for"}]},
            )
        return ArchiveFilter(
            since=since,
            until=until,
            agent_id=agent_id,
            outcome=query.outcome.value if query.outcome else None,
            country=query.country.upper() if query.country else None,
            words=words,
            visitor_words=words_of(query.visitor) if query.visitor else (),
            after=self.cursors.read("archive", query.cursor) if query.cursor else None,
        )

    async def search(
        self, principal: Principal, query: ArchiveQuery
    ) -> tuple[list[ArchiveEntry], str | None]:
        """One page of past conversations and the cursor of the next (None on the last page)."""
        found = await self.archive.page(principal.tenant.id, self.check_filter(principal, query), query.limit)
        last = found[-1].conversation if len(found) == query.limit else None
        cursor = self.cursors.make("archive", last.closed_at, last.id) if last and last.closed_at else None
        return found, cursor

    async def open(self, principal: Principal, conversation_id: str) -> dict[str, Any]:
        """The whole of one past conversation, recorded in the audit log as viewed. Raises NotFound,
        Forbidden (an agent who took no part)."""
        conversation = await self.get(principal, conversation_id)
        detail = await self.detail(conversation)
        target = Target(TargetKind.CONVERSATION, conversation.id)
        shown = {"messages": len(detail["messages"]), "pages": len(detail["pages"])}
        await self.audit.record(
            conversation.tenant_id, actor_of(principal), Action.ARCHIVE_VIEWED, target, shown
        )
        return detail

    async def get(self, principal: Principal, conversation_id: str) -> Conversation:
        tenant_id = principal.tenant.id
        conversation = await self.conversations.get(tenant_id, conversation_id)
        if conversation is None or conversation.status is not ConversationStatus.CLOSED:
            raise NotFound("There is no such chat in the archive.")
        if not self._sees_all(principal) and not await self.archive.took_part(
            tenant_id, conversation_id, principal.user.id
        ):
            raise Forbidden("You did not take part in this chat; only admins may open it.")
        return conversation

    async def detail(self, conversation: Conversation) -> dict[str, Any]:
        tenant_id = conversation.tenant_id
        visitor = await self.visitors.by_id(tenant_id, conversation.visitor_id)
        trail = await self.pages.trail(tenant_id, conversation.visitor_id, TRAIL) if visitor else []
        calls = await self.calls.of_conversation(tenant_id, conversation.id)
        history = await self.conversations.history(tenant_id, conversation.id)
        copies = await self.transcripts.of_conversation(tenant_id, conversation.id)
        return {
            "conversation": await self.summary(conversation),
            "visitor": visitor.to_wire() if visitor else None,
            "messages": [m.to_wire() async for m in self.transcript(conversation)],
            "pages": [_page_wire(view) for view in trail],
            "calls": [_call_wire(call) for call in calls],
            "history": [_transition_wire(t) for t in history],
            # What was done with it: mailed to the visitor, forwarded, exported.
            "copies": [record.to_wire() for record in copies],
        }

    async def summary(self, conversation: Conversation) -> dict[str, Any]:
        agents = []
        for agent_id in await self.archive.agents_of(conversation.tenant_id, conversation.id):
            user = await self.users.by_id(conversation.tenant_id, agent_id)
            agents.append({"id": agent_id, "display_name": user.display_name if user else None})
        return {
            "id": conversation.id,
            "created_at": conversation.created_at.isoformat(),
            "assigned_at": _iso(conversation.assigned_at),
            "closed_at": _iso(conversation.closed_at),
            "closed_by": conversation.closed_by.kind.value if conversation.closed_by else None,
            "origin": conversation.origin,
            "outcome": outcome_of(conversation).value,
            "agents": agents,
        }

    async def transcript(self, conversation: Conversation) -> AsyncIterator[Message]:
        """Every message with agents-only notes, in order, read in batches (never all at once)."""
        after = 0
        while True:
            batch = await self.messages.after(
                conversation.tenant_id, conversation.id, after, _BATCH, agents=True
            )
            for message in batch:
                yield message
            if len(batch) < _BATCH:
                return
            after = batch[-1].seq

    async def exports(self, principal: Principal, query: ExportsQuery) -> tuple[list[AuditEntry], str | None]:
        """One page of the exports made: the audit log's ``archive.exported``. Raises Forbidden (not an
        admin), InvalidCursor."""
        if not principal.is_admin:
            raise Forbidden("Only an admin may read the export log.")
        before = self.cursors.read("exports", query.cursor) if query.cursor else None
        found = AuditFilter(action=Action.ARCHIVE_EXPORTED.value, before=before)
        entries = await self.audit.read(principal.tenant.id, found, query.limit)
        last = entries[-1] if len(entries) == query.limit else None
        return entries, self.cursors.make("exports", last.at, last.id) if last else None

    def _sees_all(self, principal: Principal) -> bool:
        return principal.is_admin or principal.tenant.settings.archive_open_to_agents


def entry_wire(entry: ArchiveEntry) -> dict[str, Any]:
    c = entry.conversation
    visitor = entry.visitor or {}
    contact = visitor.get("contact") or {}
    return {
        "id": c.id,
        "created_at": c.created_at.isoformat(),
        "closed_at": _iso(c.closed_at),
        "outcome": outcome_of(c).value,
        "agent_id": c.agent_id,
        "visitor": {
            "name": visitor.get("alias") or visitor.get("name") or contact.get("name"),
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "country": visitor.get("country"),
        },
        "message_count": entry.message_count,
        "snippet": _snippet_parts(entry.snippet),
    }


def _snippet_parts(snippet: str | None) -> list[dict[str, Any]] | None:
    """``a \\x02hit\\x03 b`` as ``[{text: "a "}, {text: "hit", hit: true}, {text: " b"}]``: the client
    renders text, never HTML."""
    if snippet is None:
        return None
    parts: list[dict[str, Any]] = []
    for n, piece in enumerate(snippet.replace("\x03", "\x02").split("\x02")):
        if piece:
            parts.append({"text": piece, "hit": n % 2 == 1})
    return parts


def _page_wire(view: dict[str, Any]) -> dict[str, Any]:
    entered, left = view.get("entered_at"), view.get("left_at")
    return {
        "url": view.get("url"),
        "title": view.get("title"),
        "entered_at": _iso(entered),
        "left_at": _iso(left),
        "seconds": int((left - entered).total_seconds()) if entered and left else None,
    }


def _call_wire(call: Call) -> dict[str, Any]:
    """That a call happened, never its media (none is ever stored)."""
    return {
        "id": call.id,
        "kind": call.kind.value,
        "mode": call.mode.value,
        "started_at": _iso(call.started_at),
        "ended_at": _iso(call.ended_at),
        "duration": call.duration,
        "started_by": call.started_by.value,
        "participants": [p.to_wire() for p in call.participants],
    }


def _transition_wire(transition: dict[str, Any]) -> dict[str, Any]:
    state = transition.get("state") or {}
    return {
        "kind": transition.get("kind"),
        "at": _iso(transition.get("at")),
        "agent_id": state.get("agent_id"),
    }
