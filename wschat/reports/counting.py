"""Counting for reports: each closed chat and offline message into its day once, each visitor on the
first page they open that day; a rebuild counts a tenant's stored chats again (docs/reports.md)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from wschat.chat.conversation_store import ConversationStore
from wschat.chat.message_store import MessageStore
from wschat.chat.models import Conversation, MessageKind, SenderKind
from wschat.errors import InvalidRange
from wschat.reports.chats import CallSpan, ChatFacts, day_of, facts_of, page_path
from wschat.reports.store import ReportStore
from wschat.signalling.store import CallStore
from wschat.visitors.page_store import PageViewStore

log = logging.getLogger(__name__)

#: Messages read from a chat's start to find the first answer visitors saw.
FIRST_MESSAGES = 200
#: Page views of the visitor read to find the page a chat started on.
TRAIL = 100
#: Conversations counted per read while a rebuild walks a tenant's chats.
REBUILD_PAGE = 200


class Counting:
    def __init__(
        self,
        store: ReportStore,
        conversations: ConversationStore,
        messages: MessageStore,
        calls: CallStore,
        pages: PageViewStore,
    ) -> None:
        self.store = store
        self.conversations = conversations
        self.messages = messages
        self.calls = calls
        self.pages = pages

    async def chat_closed(self, conversation: Conversation) -> bool:
        """Count a closed chat or an offline message into its day; False if it was counted before (or
        could not be counted: logged, and the chat's close goes on; a rebuild counts it)."""
        try:
            return await self.count(conversation)
        except Exception:  # the chat is closed already: its figures must not undo what follows
            log.exception(
                "chat %s of tenant %s not counted in reports", conversation.id, conversation.tenant_id
            )
            return False

    async def count(self, conversation: Conversation) -> bool:
        """Count ``conversation`` into its day unless it was counted before; True if it was now."""
        facts = await self.facts(conversation)
        return await self.store.count(conversation.tenant_id, conversation.id, facts)

    async def facts(self, conversation: Conversation) -> ChatFacts:
        """What ``conversation`` adds to its day, read from its transitions, messages, calls and the page
        trail of its visitor."""
        tenant_id, conversation_id = conversation.tenant_id, conversation.id
        if conversation.origin == "offline_form":
            return facts_of(conversation, [], None, [], start_page=None, first_chat_of_day=False)
        history = await self.conversations.history(tenant_id, conversation_id)
        messages = await self.messages.after(tenant_id, conversation_id, 0, FIRST_MESSAGES, agents=False)
        answers = (m for m in messages if m.sender.kind is SenderKind.AGENT and m.kind is MessageKind.TEXT)
        first_answer = next(answers, None)
        calls = [
            CallSpan(c.started_at, c.ended_at)
            for c in await self.calls.of_conversation(tenant_id, conversation_id)
        ]
        midnight = datetime.combine(day_of(conversation.created_at), time(), UTC)
        earlier = await self.store.earlier_chat(tenant_id, conversation.visitor_id, midnight, conversation)
        return facts_of(
            conversation,
            history,
            first_answer.created_at if first_answer else None,
            calls,
            start_page=await self._start_page(conversation),
            first_chat_of_day=not earlier,
        )

    async def _start_page(self, conversation: Conversation) -> str | None:
        trail = await self.pages.trail(conversation.tenant_id, conversation.visitor_id, TRAIL)
        before = [view for view in trail if view["entered_at"] <= conversation.created_at]
        return page_path(before[-1]["url"]) if before else None

    async def page_opened(
        self, tenant_id: str, visitor_id: str, at: datetime, previous: datetime | None = None
    ) -> None:
        """A visitor opened a page (stored already): counted on the site if it is their first that day.
        ``previous``, when the page they had open was entered, settles the common case without a read: a
        visitor moving from page to page on one day was counted at their first. A failure is logged: the
        page view goes on."""
        if previous is not None and day_of(previous) == day_of(at):
            return
        try:
            last_two = await self.pages.trail(tenant_id, visitor_id, 2)
            if len(last_two) < 2 or day_of(last_two[0]["entered_at"]) != day_of(at):
                await self.store.add_visitor(tenant_id, day_of(at))
        except Exception:  # a visitor's page view must not fail for a count
            log.exception("a visitor of tenant %s not counted in reports", tenant_id)

    async def rebuild(self, tenant_id: str, since: date, until: date) -> int:
        """Count the tenant's stored chats of ``[since, until]`` again, replacing those days' chat figures;
        returns how many were counted. Raises InvalidRange (reversed)."""
        if until < since:
            raise InvalidRange("The period ends before it starts: 'to' must not be before 'from'.")
        await self.store.forget(tenant_id, since, until)
        start = datetime.combine(since, time(), UTC)
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        counted, after = 0, None
        while batch := await self.store.closed_chats(tenant_id, start, end, after, REBUILD_PAGE):
            for conversation in batch:
                counted += await self.count(conversation)
            after = batch[-1]
        log.info("reports of tenant %s rebuilt from %s to %s: %d chats", tenant_id, since, until, counted)
        return counted
