"""Transcripts by e-mail: the visitor's copy of their conversation, and an agent's forward of one.

A transcript holds what the visitor saw (messages visible to all; agents-only notes never), system
messages as readable lines, in the reader's language and the tenant's look, and goes out through the
mail outbox. Every transcript sent is recorded with its conversation (who, to whom, when, the note), and in
the audit log (who, to the visitor or to another address, how many messages). A visitor may ask for
:data:`VISITOR_TRANSCRIPTS` copies of a conversation; the store keeps that limit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from wschat.accounts.models import Principal, Tenant
from wschat.accounts.store import TenantStore
from wschat.audit.models import Action, Target, TargetKind, actor_of, visitor_actor
from wschat.audit.service import AuditService
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.message_store import MessageStore
from wschat.chat.models import Conversation, Message, SenderKind
from wschat.chat.transcript_store import TranscriptKind, TranscriptRecord, TranscriptStore
from wschat.clock import Clock, new_id
from wschat.errors import Forbidden, MailNotConfigured, NotFound, RateLimited, Restricted, TranscriptLimit
from wschat.limits.counter import HitCounter
from wschat.mail.models import Lang, Note, Subject
from wschat.mail.render import Layout, Quoted
from wschat.mail.service import MailService
from wschat.mail.strings import transcript_words
from wschat.smtp import EmailAddress
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore
from wschat.wire import Id, WireModel

log = logging.getLogger(__name__)

#: Messages read per query while a transcript is put together.
_PAGE = 500
#: Visitors' transcript mails per tenant and hour (over all visitors): however many widget sessions one
#: sender opens, the widget cannot become a relay that sends more than this.
VISITOR_MAILS_PER_TENANT_HOUR = 100
#: Visitors' transcript mails per tenant, address and hour: one sender, however many widget sessions they
#: open, cannot use up the tenant's hourly cap and leave the other visitors without their copies. The
#: address is the visitor's as stored (shortened when the tenant truncates IPs: then the network's share).
VISITOR_MAILS_PER_ADDRESS_HOUR = 10
#: A transcript ends here, however long the chat: a mail body stays a mail body.
MAX_TRANSCRIPT_MESSAGES = 2000


class TranscriptRequest(WireModel):
    """``transcript.request`` (visitor): a copy of their conversation to one address."""

    conversation_id: Id
    email: EmailAddress
    lang: Lang | None = None


class TranscriptForward(WireModel):
    """``POST /api/conversations/{id}/transcript`` (agent): the transcript to one address, with a note."""

    to: EmailAddress
    note: Note | None = None
    subject: Subject | None = None
    lang: Lang | None = None


class TranscriptService:
    def __init__(
        self,
        records: TranscriptStore,
        conversations: ConversationStore,
        messages: MessageStore,
        tenants: TenantStore,
        mail: MailService,
        clock: Clock,
        tenant_mails: HitCounter,
        audit: AuditService,
        visitors: VisitorStore | None = None,
        address_mails: HitCounter | None = None,
    ) -> None:
        self._records = records
        self._audit = audit
        #: Where a forward learns whether the conversation's visitor restricted their data (Art. 18).
        self._visitors = visitors
        self._conversations = conversations
        self._messages = messages
        self._tenants = tenants
        self._mail = mail
        self._clock = clock
        #: Visitors' transcript mails per tenant (VISITOR_MAILS_PER_TENANT_HOUR).
        self._tenant_mails = tenant_mails
        #: Visitors' transcript mails per tenant and address (VISITOR_MAILS_PER_ADDRESS_HOUR).
        self._address_mails = address_mails

    async def request(self, visitor: Visitor, request: TranscriptRequest) -> TranscriptRecord:
        """Queue the visitor's copy of their own conversation. Raises NOT_FOUND (not theirs),
        RESTRICTED (the visitor restricted their data), MAIL_NOT_CONFIGURED, TRANSCRIPT_LIMIT (the 4th copy),
        RATE_LIMITED (the tenant's or the sender address's hourly cap);
        nothing is sent or stored then."""
        conversation = await self._conversations.get(visitor.tenant_id, request.conversation_id)
        if conversation is None or conversation.visitor_id != visitor.id:
            raise NotFound("There is no such conversation.")
        if visitor.restricted:
            raise Restricted()
        tenant = await self._tenants.by_id(visitor.tenant_id)
        if tenant is None:
            raise NotFound("There is no such conversation.")
        lang = request.lang or _tenant_lang(tenant)
        await self._check_mail(tenant)
        if await self._tenant_mails.is_limited(tenant.id):
            raise RateLimited("Too many e-mails were asked for just now. Please try again later.")
        # A visitor whose address is not kept counts on their own (their per-visitor limit holds them).
        sender = f"{tenant.id}:{visitor.ip or visitor.id}"
        if self._address_mails is not None and await self._address_mails.is_limited(sender):
            raise RateLimited("Too many e-mails were asked for from your network. Please try again later.")
        record = TranscriptRecord(
            id="",
            tenant_id=tenant.id,
            conversation_id=conversation.id,
            kind=TranscriptKind.VISITOR,
            recipient=request.email,
            at=self._clock(),
            by_id=visitor.id,
            by_name=visitor.display_name,
        )
        taken = await self._records.take_visitor_slot(record)
        if taken is None:
            raise TranscriptLimit()
        await self._tenant_mails.hit(tenant.id)
        if self._address_mails is not None:
            await self._address_mails.hit(sender)
        words = transcript_words(lang)
        quoted = await self._quoted(conversation, lang, visitor_reads=True)
        layout = Layout(
            words["title"].format(tenant=tenant.name),
            (words["body"].format(date=_date(conversation.created_at)),),
            quoted,
        )
        await self._send(tenant, taken, words["subject"].format(tenant=tenant.name), layout, lang)
        log.info("transcript of conversation %s queued for its visitor", conversation.id)
        target = Target(TargetKind.CONVERSATION, conversation.id)
        details = {"recipient": "visitor", "messages": len(quoted)}
        action = Action.TRANSCRIPT_SENT_TO_VISITOR
        await self._audit.record(tenant.id, visitor_actor(visitor.id), action, target, details)
        return taken

    async def forward(
        self, agent: Principal, conversation_id: str, forward: TranscriptForward
    ) -> TranscriptRecord:
        """Queue the transcript to any address, recorded with the conversation. An agent may forward a
        conversation they hold or held; an admin any of the tenant. Raises NOT_FOUND, FORBIDDEN, RESTRICTED,
        MAIL_NOT_CONFIGURED; nothing is sent or stored then."""
        conversation = await self._conversations.get(agent.tenant.id, conversation_id)
        if conversation is None:
            raise NotFound("There is no such conversation.")
        if not agent.is_admin and not await self._took_part(agent.user.id, conversation):
            raise Forbidden("You may forward only a chat you took part in.")
        visitor = (
            await self._visitors.by_id(conversation.tenant_id, conversation.visitor_id)
            if self._visitors
            else None
        )
        if visitor is not None and visitor.restricted:
            raise Restricted()
        tenant = agent.tenant
        lang = forward.lang or _tenant_lang(tenant)
        await self._check_mail(tenant)
        words = transcript_words(lang)
        who = agent.user.display_name
        paragraphs = [
            words["forward_body"].format(who=who, tenant=tenant.name, date=_date(conversation.created_at))
        ]
        if forward.note:
            paragraphs += [words["note"], forward.note]
        quoted = await self._quoted(conversation, lang, visitor_reads=False)
        layout = Layout(words["forward_title"].format(tenant=tenant.name), tuple(paragraphs), quoted)
        record = TranscriptRecord(
            id=new_id("trs"),
            tenant_id=tenant.id,
            conversation_id=conversation.id,
            kind=TranscriptKind.AGENT,
            recipient=forward.to,
            at=self._clock(),
            by_id=agent.user.id,
            by_name=who,
            note=forward.note or None,
        )
        await self._records.insert(record)
        subject = forward.subject or words["forward_subject"].format(tenant=tenant.name)
        await self._send(tenant, record, subject, layout, lang)
        log.info("transcript of conversation %s forwarded by agent %s", conversation.id, agent.user.id)
        # Never the address itself: whether it is the visitor's own, and how much went.
        theirs = visitor is not None and _is_theirs(forward.to, visitor, conversation)
        details = {"recipient": "visitor" if theirs else "other", "messages": len(quoted)}
        target = Target(TargetKind.CONVERSATION, conversation.id)
        await self._audit.record(tenant.id, actor_of(agent), Action.TRANSCRIPT_FORWARDED, target, details)
        return record

    async def sent_of(self, agent: Principal, conversation_id: str) -> list[TranscriptRecord]:
        """The transcripts sent of a conversation of the agent's tenant. Raises NOT_FOUND."""
        conversation = await self._conversations.get(agent.tenant.id, conversation_id)
        if conversation is None:
            raise NotFound("There is no such conversation.")
        return await self._records.of_conversation(agent.tenant.id, conversation.id)

    async def _check_mail(self, tenant: Tenant) -> None:
        if not await self._mail.can_send(tenant):
            raise MailNotConfigured()

    async def _send(
        self, tenant: Tenant, record: TranscriptRecord, subject: str, layout: Layout, lang: Lang
    ) -> None:
        try:
            await self._mail.enqueue(tenant, record.recipient, subject, layout, lang, mail_id=record.mail_id)
        except Exception:
            # Not queued (the mail server was removed meanwhile, the database failed): the record goes
            # too, so that a visitor's slot is not used up by a mail that was never sent.
            await self._records.remove(record.tenant_id, record.id)
            raise

    async def _took_part(self, user_id: str, conversation: Conversation) -> bool:
        if conversation.agent_id == user_id:
            return True
        for step in await self._conversations.history(conversation.tenant_id, conversation.id):
            state = step.get("state") or {}
            if state.get("agent_id") == user_id or step.get("from_agent_id") == user_id:
                return True
        return False

    async def _quoted(
        self, conversation: Conversation, lang: Lang, *, visitor_reads: bool
    ) -> tuple[Quoted, ...]:
        words = transcript_words(lang)
        quoted: list[Quoted] = []
        after = 0
        while len(quoted) < MAX_TRANSCRIPT_MESSAGES:
            page = await self._messages.after(
                conversation.tenant_id, conversation.id, after, _PAGE, agents=False
            )
            quoted += [q for m in page if (q := _quote(m, words, visitor_reads)) is not None]
            if len(page) < _PAGE:
                break
            after = page[-1].seq
        return tuple(quoted[:MAX_TRANSCRIPT_MESSAGES])


def _quote(message: Message, words: dict[str, str], visitor_reads: bool) -> Quoted | None:
    at = message.created_at.strftime("%H:%M")
    match message.sender.kind:
        case SenderKind.SYSTEM:
            text = system_text(message, words)
            return Quoted(words["system"], text, at) if text else None
        case SenderKind.VISITOR:
            who = (
                words["visitor"]
                if visitor_reads
                else (message.sender.display_name or words["forward_visitor"])
            )
            return Quoted(who, message.text, at)
        case _:  # an agent; one since deleted has no name any more
            return Quoted(message.sender.display_name or words["former_agent"], message.text, at)


_SYSTEM_DE = {
    "assigned": "{agent} ist dem Chat beigetreten.",
    "transferred": "{to} hat den Chat übernommen.",
    "requeued": "Der Chat wartet auf die nächste freie Person.",
    "ended_by_visitor": "Der Chat wurde vom Besucher beendet.",
    "closed_by_agent": "{agent} hat den Chat beendet.",
    "visitor_gone": "Der Chat wurde nach längerer Inaktivität geschlossen.",
    "call_started": "Ein Anruf hat begonnen.",
    "call_ended": "Der Anruf wurde beendet.",
}


def system_text(message: Message, words: dict[str, str]) -> str:
    """A system message as one readable line in the reader's language (German for the events wsChat
    writes; the stored English text otherwise)."""
    if words is transcript_words("de") and message.event in _SYSTEM_DE:
        # An empty name is an agent's since deleted (wschat/agent_data/former.py).
        data = {
            k: str(v) or words["a_former_agent"] for k, v in message.data.items() if isinstance(v, str | int)
        }
        try:
            return _SYSTEM_DE[message.event].format(**data)
        except KeyError:
            return message.text
    return message.text


def _is_theirs(address: str, visitor: Visitor, conversation: Conversation) -> bool:
    """Whether ``address`` is one the visitor gave: their contact address, or their offline message's."""
    theirs = {visitor.contact.get("email") or "", conversation.answer_email or ""}
    return address.strip().lower() in {known.strip().lower() for known in theirs if known}


def _tenant_lang(tenant: Tenant) -> Lang:
    return "de" if tenant.branding.get("language") == "de" else "en"


def _date(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")
