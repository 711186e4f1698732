"""Offline messages: what a visitor leaves while nobody is online, and the agents' answer by e-mail.

An offline message is a conversation of origin ``offline_form``, closed from the start (it never enters the
queue or routing), holding the visitor's message, with a to-answer state: ``open`` until an agent marks it
``done`` (who and when are kept). While an agent of the tenant is online the form is refused
(``AGENTS_ONLINE``): the visitor can chat instead, and nothing waits in a list that nobody needs. Every change
of the open count goes to the tenant's consoles as ``offline.count``. An answer sent is recorded in the
audit log.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, TypedDict

from pydantic import ConfigDict, Field

from wschat.accounts.models import Principal, Tenant
from wschat.accounts.store import TenantStore
from wschat.audit.models import Action, Target, TargetKind, actor_of
from wschat.audit.service import AuditService
from wschat.boundary.domain_events import DomainEvents
from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.chat.conversation_store import ConversationStore, Superseded
from wschat.chat.messages import MessageService
from wschat.chat.models import (
    AnswerState,
    ClientId,
    Conversation,
    ConversationStatus,
    OfflineMessageLeft,
    Origin,
    Party,
    RawText,
    SenderKind,
)
from wschat.chat.payloads import OfflineCount
from wschat.chat.presence import PresenceService
from wschat.clock import Clock, new_id
from wschat.errors import AgentsOnline, Conflict, NotFound, Restricted
from wschat.mail.models import Lang, Subject
from wschat.mail.render import Layout, Quoted
from wschat.mail.service import MailService
from wschat.mail.strings import answer_words
from wschat.smtp import EmailAddress
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore
from wschat.wire import DisplayName, Id, WireModel

log = logging.getLogger(__name__)


class OfflineLeave(WireModel):
    """``offline.leave`` (visitor): the form shown while nobody is online."""

    email: EmailAddress
    text: RawText
    name: DisplayName | None = None
    lang: Lang | None = None
    #: Makes a resent form a no-op for its message (a second form is a second item).
    client_id: ClientId | None = None


class OfflineAnswer(WireModel):
    """``POST /api/offline/{id}/answer``: the agent's answer, sent by e-mail."""

    text: RawText
    subject: Subject | None = None


class TodoQuery(WireModel):
    """``GET /api/offline``: open items, oldest first; ``after`` is the last id of the page before."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    after: Id | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class OfflineItemWire(TypedDict):
    id: str
    created_at: str
    visitor: dict[str, str | None]
    email: str | None
    lang: str | None
    text: str
    answer_state: str | None
    done_at: str | None
    done_by: str | None


class OfflineService:
    def __init__(
        self,
        conversations: ConversationStore,
        messages: MessageService,
        visitors: VisitorStore,
        presence: PresenceService,
        tenants: TenantStore,
        mail: MailService,
        publisher: Publisher,
        clock: Clock,
        audit: AuditService,
        events: DomainEvents,
    ) -> None:
        self._conversations = conversations
        self._messages = messages
        self._visitors = visitors
        self._presence = presence
        self._tenants = tenants
        self._mail = mail
        self._publisher = publisher
        self._clock = clock
        self._audit = audit
        self._events = events

    async def leave(self, visitor: Visitor, form: OfflineLeave) -> Conversation:
        """Store the visitor's message as an open item. Raises AGENTS_ONLINE (somebody can chat now),
        VALIDATION_FAILED (an empty or too long text); nothing is stored then.

        A form sent again with the same ``client_id`` (the widget got no ack) returns the item it made,
        whatever has happened since: the item's id is derived from the visitor and the ``client_id``."""
        self._messages.check_text(form.text)
        item_id = _item_id(visitor, form.client_id)
        if form.client_id is not None:
            earlier = await self._earlier(visitor, item_id, form)
            if earlier is not None:
                return earlier
        if await self._presence.tenant_online(visitor.tenant_id):
            raise AgentsOnline()
        if form.name is not None and form.name != visitor.name:
            visitor = (
                await self._visitors.set_profile(visitor.tenant_id, visitor.id, name=form.name) or visitor
            )
        now = self._clock()
        by = Party(SenderKind.VISITOR, visitor.id, visitor.display_name)
        conversation = Conversation(
            id=item_id,
            tenant_id=visitor.tenant_id,
            visitor_id=visitor.id,
            status=ConversationStatus.CLOSED,
            epoch=0,
            created_at=now,
            closed_at=now,
            closed_by=by,
            origin=Origin.OFFLINE_FORM.value,
            answer_state=AnswerState.OPEN.value,
            answer_email=form.email,
            answer_lang=form.lang,
        )
        if not await self._conversations.insert(conversation):
            # The same form, sent twice at once: the other one stored it.
            earlier = await self._earlier(visitor, item_id, form)
            if earlier is None:
                raise Conflict("This client_id was used for another message.")
            return earlier
        await self._visitors.mark_engaged(visitor.tenant_id, visitor.id)
        await self._messages.record(conversation, by, form.client_id or "offline", form.text)
        log.info("offline message %s left in tenant %s", conversation.id, visitor.tenant_id)
        await self._count_changed(visitor.tenant_id)
        await self._events.publish(OfflineMessageLeft(conversation))
        return conversation

    async def _earlier(self, visitor: Visitor, item_id: str, form: OfflineLeave) -> Conversation | None:
        """The item this form made before, with its message stored (the first sending may have ended
        between the two writes)."""
        earlier = await self._conversations.get(visitor.tenant_id, item_id)
        if earlier is None or earlier.visitor_id != visitor.id or form.client_id is None:
            return None
        by = Party(SenderKind.VISITOR, visitor.id, visitor.display_name)
        await self._messages.record(earlier, by, form.client_id, form.text)
        return earlier

    async def todo(self, agent: Principal, query: TodoQuery) -> tuple[list[OfflineItemWire], str | None, int]:
        """One page of open items, oldest first, the ``after`` of the next page, and the open count.
        Raises NOT_FOUND for an unknown ``after``."""
        tenant_id = agent.tenant.id
        after = None
        if query.after is not None:
            after = await self._conversations.get(tenant_id, query.after)
            if after is None:
                raise NotFound("There is no such item.")
        items = await self._conversations.todo(tenant_id, after, query.limit + 1)
        more = len(items) > query.limit
        items = items[: query.limit]
        wires = [await self._wire(item) for item in items]
        return wires, items[-1].id if more else None, await self._conversations.todo_count(tenant_id)

    async def count(self, agent: Principal) -> int:
        return await self._conversations.todo_count(agent.tenant.id)

    async def answer(self, agent: Principal, item_id: str, answer: OfflineAnswer) -> OfflineItemWire:
        """Store the answer as the agent's message on the item and queue it by e-mail to the visitor.
        Raises NOT_FOUND, VALIDATION_FAILED, RESTRICTED (the visitor restricted their data: no mail goes to
        them until it is lifted, GDPR Art. 18), MAIL_NOT_CONFIGURED; nothing is stored or sent then."""
        item = await self._item(agent, item_id)
        text = self._messages.check_text(answer.text)
        visitor = await self._visitors.by_id(item.tenant_id, item.visitor_id)
        if visitor is not None and visitor.restricted:
            raise Restricted()
        lang: Lang = "de" if (item.answer_lang or _tenant_lang(agent.tenant)) == "de" else "en"
        words = answer_words(lang)
        first = await self._first(item)
        quoted = (
            (Quoted(words["you"], first, item.created_at.strftime("%Y-%m-%d %H:%M UTC")),) if first else ()
        )
        layout = Layout(words["title"], (text,), quoted)
        subject = answer.subject or words["subject"].format(tenant=agent.tenant.name)
        assert item.answer_email is not None
        # Queued first: a refused mail (no server) stores no answer that the visitor never gets.
        await self._mail.enqueue(agent.tenant, item.answer_email, subject, layout, lang)
        sender = Party(SenderKind.AGENT, agent.user.id, agent.user.display_name, agent.user.photo_url)
        await self._answered(agent, item, sender)
        await self._messages.record(item, sender, new_id("ans"), text)
        log.info("offline message %s answered by agent %s", item.id, agent.user.id)
        target = Target(TargetKind.CONVERSATION, item.id)
        details = {"recipient": "visitor"}  # the address the visitor left; never written here
        await self._audit.record(item.tenant_id, actor_of(agent), Action.OFFLINE_ANSWERED, target, details)
        return await self._wire(item)

    async def done(self, agent: Principal, item_id: str) -> OfflineItemWire:
        """Mark the item done (who, when); done already: as it is. Raises NOT_FOUND."""
        item = await self._item(agent, item_id)
        while item.answer_state == AnswerState.OPEN.value:
            now = self._clock()
            state = {"answer_state": AnswerState.DONE.value, "done_at": now, "done_by": agent.user.id}
            try:
                item = await self._conversations.transition(item, "done", state, {"by": agent.user.id}, now)
            except Superseded:
                item = await self._item(agent, item_id)
                continue
            await self._count_changed(agent.tenant.id)
        return await self._wire(item)

    async def _answered(self, agent: Principal, item: Conversation, by: Party) -> None:
        """Who answered when, kept in the item's history like every change: the answer is found by its
        author's id (wschat/agent_data: a deleted agent's name goes from their answers too)."""
        while True:
            try:
                await self._conversations.transition(item, "answer", {}, {"by": by.to_doc()}, self._clock())
                return
            except Superseded:
                item = await self._item(agent, item.id)

    async def _item(self, agent: Principal, item_id: str) -> Conversation:
        item = await self._conversations.get(agent.tenant.id, item_id)
        if item is None or item.origin != Origin.OFFLINE_FORM.value:
            raise NotFound("There is no such offline message.")
        return item

    async def _first(self, item: Conversation) -> str:
        first = await self._messages.store.after(item.tenant_id, item.id, 0, 1, agents=False)
        return first[0].text if first else ""

    async def _wire(self, item: Conversation) -> OfflineItemWire:
        visitor = await self._visitors.by_id(item.tenant_id, item.visitor_id)
        return {
            "id": item.id,
            "created_at": item.created_at.isoformat(),
            "visitor": {"id": item.visitor_id, "display_name": visitor.display_name if visitor else None},
            "email": item.answer_email,
            "lang": item.answer_lang,
            "text": await self._first(item),
            "answer_state": item.answer_state,
            "done_at": item.done_at.isoformat() if item.done_at else None,
            "done_by": item.done_by,
        }

    async def _count_changed(self, tenant_id: str) -> None:
        count = await self._conversations.todo_count(tenant_id)
        payload: OfflineCount = {"open": count}
        await self._publisher.to_agents(tenant_id, Event.OFFLINE_COUNT, payload)


def _item_id(visitor: Visitor, client_id: str | None) -> str:
    """A new item's id; for a form with a ``client_id``, the same id each time it is sent."""
    if client_id is None:
        return new_id("cnv")
    digest = hashlib.sha256(f"{visitor.tenant_id}\x00{visitor.id}\x00{client_id}".encode()).hexdigest()
    return f"cnv_{digest[:24]}"


def _tenant_lang(tenant: Tenant) -> Lang:
    return "de" if tenant.branding.get("language") == "de" else "en"
