"""The rules of data-subject requests: who may ask, finding a person, what their export holds, how they are
erased, and the log of requests with their deadlines (docs/privacy.md, "Data-subject requests")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from wschat.accounts.models import Principal, Tenant
from wschat.appointments.store import AppointmentStore
from wschat.archive.words import words_of
from wschat.audit.models import Action, Actor, Target, TargetKind, actor_of, visitor_actor
from wschat.audit.service import AuditService
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.message_store import MessageStore
from wschat.chat.models import Conversation, Message
from wschat.chat.transcript_store import TranscriptRecord, TranscriptStore
from wschat.clock import Clock, new_id
from wschat.cursors import Cursors
from wschat.errors import ChatOpen, Forbidden, NotFound, RateLimited, ValidationFailed, WrongState
from wschat.lifecycle.store import TenantDataStore
from wschat.limits.counter import HitCounter
from wschat.mail.store import OutboxStore
from wschat.signalling.store import CallStore
from wschat.subjects.erasure import Erased, Eraser
from wschat.subjects.export import (
    SubjectExport,
    appointment_part,
    conversation_part,
    mail_part,
    page_part,
    visitor_part,
)
from wschat.subjects.mails import MailTrail, mail_trail
from wschat.subjects.models import (
    FOUND,
    EraseMode,
    FindQuery,
    LogRequest,
    Rectification,
    RequestKind,
    RequestsQuery,
    RequestState,
    SubjectRequest,
    one_month_later,
)
from wschat.subjects.store import BATCH, SubjectStore
from wschat.visitors.models import Visitor
from wschat.visitors.page_store import PageViewStore
from wschat.visitors.store import VisitorStore

#: Messages read per query while an export is put together.
_MESSAGES = 500
#: A visitor's own downloads and erasures per :data:`OWN_WINDOW` seconds.
OWN_REQUESTS = 10
OWN_WINDOW = 600.0
#: Page views in an export at most (the trail a visitor leaves in a year is far shorter).
TRAIL = 10_000


class SubjectService:
    def __init__(
        self,
        subjects: SubjectStore,
        visitors: VisitorStore,
        conversations: ConversationStore,
        messages: MessageStore,
        pages: PageViewStore,
        calls: CallStore,
        transcripts: TranscriptStore,
        tenant_data: TenantDataStore,
        cursors: Cursors,
        clock: Clock,
        *,
        own_requests: HitCounter,
        audit: AuditService,
        outbox: OutboxStore,
        appointments: AppointmentStore,
        eraser: Eraser,
    ) -> None:
        self.subjects = subjects
        self.visitors = visitors
        self.conversations = conversations
        self.messages = messages
        self.pages = pages
        self.calls = calls
        self.transcripts = transcripts
        self.tenant_data = tenant_data
        self.outbox = outbox
        self.appointments = appointments
        self.eraser = eraser
        self.cursors = cursors
        #: Every request answered, and the visitor's own, is recorded there too (wschat/audit).
        self.audit = audit
        self.clock: Callable[[], datetime] = clock
        #: The visitor's own downloads and erasures, per visitor (OWN_REQUESTS per OWN_WINDOW).
        self._own_requests = own_requests

    # -- an admin's requests -------------------------------------------------------------------------------

    async def find(self, admin: Principal, query: FindQuery) -> list[Visitor]:
        """The tenant's visitors that match the one criterion given. Raises Forbidden (not an admin),
        ValidationFailed (a name, address or number without letters or digits)."""
        _require_admin(admin)
        tenant_id = admin.tenant.id
        if query.visitor_id is not None:
            found = await self.visitors.by_id(tenant_id, query.visitor_id)
            return [found] if found else []
        if query.conversation_id is not None:
            conversation = await self.conversations.get(tenant_id, query.conversation_id)
            found = await self.visitors.by_id(tenant_id, conversation.visitor_id) if conversation else None
            return [found] if found else []
        field, value = next((k, v) for k, v in query.model_dump().items() if v is not None)
        words = words_of(value)
        if not words:
            raise ValidationFailed(
                "There is nothing to look for in it.",
                details={"fields": [{"field": field, "message": "no letters or digits to search for"}]},
            )
        email = value.strip() if field == "email" else None
        candidates = await self.subjects.find(tenant_id, words, FOUND, email=email)
        return [v for v in candidates if _matches(v, field, value)]

    async def export(self, admin: Principal, visitor_id: str) -> SubjectExport:
        """Everything stored about the visitor (Art. 15, 20), logged as an access request answered.
        Raises Forbidden, NotFound (no such visitor of this tenant)."""
        _require_admin(admin)
        visitor = await self._visitor(admin.tenant, visitor_id)
        export = await self.gather(admin.tenant, visitor, agents=True)
        await self._log(admin, visitor.id, RequestKind.ACCESS, RequestState.DONE, {})
        await self._audit(visitor, actor_of(admin), Action.SUBJECT_EXPORTED, export.counts())
        return export

    async def erase(self, admin: Principal, visitor_id: str, mode: EraseMode) -> Erased:
        """Erase the visitor (Art. 17), logged as an erasure request answered. Raises Forbidden, NotFound,
        ChatOpen (their chat is not closed yet: an agent may be answering it)."""
        _require_admin(admin)
        _no_legal_hold(admin.tenant)
        visitor = await self._visitor(admin.tenant, visitor_id)
        if await self.conversations.open_of_visitor(visitor.tenant_id, visitor.id) is not None:
            raise ChatOpen()
        erased = await self.erase_visitor(visitor, mode)
        await self._log(admin, visitor.id, RequestKind.ERASURE, RequestState.DONE, {"mode": mode.value})
        await self._audit_erased(visitor, actor_of(admin), erased)
        return erased

    async def rectify(self, admin: Principal, visitor_id: str, change: Rectification) -> Visitor:
        """Correct the person's name, alias or contact data (Art. 16), logged as a rectification request
        answered with the names of the fields changed (never their values). Raises Forbidden, NotFound,
        ValidationFailed (nothing to change)."""
        _require_admin(admin)
        try:
            changes = change.changes()
        except ValueError:
            raise ValidationFailed("Name at least one field to change: name, alias or contact.") from None
        visitor = await self._visitor(admin.tenant, visitor_id)
        changed = await self.subjects.change_visitor(visitor.tenant_id, visitor.id, changes)
        if changed is None:
            raise NotFound("There is no such visitor.")
        fields = sorted(_changed_fields(visitor, changed))
        await self._log(admin, visitor.id, RequestKind.RECTIFICATION, RequestState.DONE, {"fields": fields})
        await self._audit(visitor, actor_of(admin), Action.SUBJECT_RECTIFIED, {"fields": fields})
        return changed

    async def restrict(self, admin: Principal, visitor_id: str, restricted: bool) -> Visitor:
        """Restrict the processing of the person's data (Art. 18) or lift it: while restricted, their chats
        are kept but left out of the archive's lists, search and exports, and no transcript is mailed.
        Logged as a restriction request answered. Raises Forbidden, NotFound."""
        _require_admin(admin)
        visitor = await self._visitor(admin.tenant, visitor_id)
        changed = await self.subjects.change_visitor(
            visitor.tenant_id, visitor.id, {"restricted": restricted}
        )
        if changed is None:
            raise NotFound("There is no such visitor.")
        detail = {"restricted": restricted}
        await self._log(admin, visitor.id, RequestKind.RESTRICTION, RequestState.DONE, detail)
        action = Action.SUBJECT_RESTRICTED if restricted else Action.SUBJECT_UNRESTRICTED
        await self._audit(visitor, actor_of(admin), action, {})
        return changed

    async def requests(
        self, admin: Principal, query: RequestsQuery
    ) -> tuple[list[SubjectRequest], str | None]:
        """One page of the request log, newest first. Raises Forbidden, InvalidCursor."""
        _require_admin(admin)
        before = self.cursors.read("subject-requests", query.cursor) if query.cursor else None
        found = [
            SubjectRequest.from_doc(doc)
            for doc in await self.subjects.requests(admin.tenant.id, before, query.limit)
        ]
        last = found[-1] if len(found) == query.limit else None
        cursor = self.cursors.make("subject-requests", last.received_at, last.id) if last else None
        return found, cursor

    async def log_request(self, admin: Principal, request: LogRequest) -> SubjectRequest:
        """Keep a request received, open until it is marked done. Raises Forbidden, NotFound."""
        _require_admin(admin)
        visitor = await self._visitor(admin.tenant, request.visitor_id)
        detail = {"note": request.note} if request.note else {}
        logged = await self._log(admin, visitor.id, request.kind, RequestState.OPEN, detail)
        # The note stays in the request log (it may name people); the audit log says what was asked for.
        details = {"kind": request.kind.value, "request_id": logged.id}
        await self._audit(visitor, actor_of(admin), Action.SUBJECT_REQUEST_LOGGED, details)
        return logged

    async def finish_request(self, admin: Principal, request_id: str) -> SubjectRequest:
        """Mark a request done. Raises Forbidden, NotFound."""
        _require_admin(admin)
        now = self.clock()
        doc = await self.subjects.finish_request(admin.tenant.id, request_id, now)
        if doc is None:
            raise NotFound("There is no such request.")
        done = SubjectRequest.from_doc(doc)
        if done.done_at == now:  # marked now, not done before
            details = {"kind": done.kind.value, "request_id": done.id}
            target = Target(TargetKind.VISITOR, done.visitor_id)
            action = Action.SUBJECT_REQUEST_DONE
            await self.audit.record(done.tenant_id, actor_of(admin), action, target, details)
        return done

    # -- the visitor's own ---------------------------------------------------------------------------------

    async def check_own(self, visitor: Visitor) -> None:
        """Count one of the visitor's own requests. Raises RateLimited past OWN_REQUESTS."""
        if await self._own_requests.is_limited(visitor.id):
            raise RateLimited("Too many requests for your data just now. Please try again in a few minutes.")
        await self._own_requests.hit(visitor.id)

    def check_erasable(self, tenant: Tenant) -> None:
        """Raises WrongState while a legal hold is set on the tenant (before an open chat is ended)."""
        _no_legal_hold(tenant)

    async def own_export(self, tenant: Tenant, visitor: Visitor) -> SubjectExport:
        """What the visitor may download of themselves: as an admin's export, without agents' notes."""
        export = await self.gather(tenant, visitor, agents=False)
        await self._audit(visitor, visitor_actor(visitor.id), Action.SUBJECT_EXPORTED, export.counts())
        return export

    async def own_erase(self, tenant: Tenant, visitor: Visitor) -> Erased:
        """Delete the visitor and everything of theirs. Raises ChatOpen (their chat must be ended first),
        WrongState (a legal hold is set on the tenant)."""
        _no_legal_hold(tenant)
        if await self.conversations.open_of_visitor(visitor.tenant_id, visitor.id) is not None:
            raise ChatOpen()
        erased = await self.erase_visitor(visitor, EraseMode.DELETE)
        await self._audit_erased(visitor, visitor_actor(visitor.id), erased)
        return erased

    # -- the work ------------------------------------------------------------------------------------------

    async def gather(self, tenant: Tenant, visitor: Visitor, *, agents: bool) -> SubjectExport:
        """The export document (``agents``: with the notes only agents see)."""
        tenant_id = visitor.tenant_id
        conversations = []
        transcripts: list[tuple[Conversation, list[TranscriptRecord]]] = []
        async for conversation in self._conversations(visitor):
            messages = await self._messages(conversation, agents=agents)
            calls = await self.calls.of_conversation(tenant_id, conversation.id)
            sent = await self.transcripts.of_conversation(tenant_id, conversation.id)
            conversations.append(conversation_part(conversation, messages, calls, sent))
            transcripts.append((conversation, sent))
        trail = await self.pages.trail(tenant_id, visitor.id, TRAIL)
        booked = await self.appointments.of_visitor(tenant_id, visitor.id)
        mails = []
        sent_about = mail_trail(visitor, transcripts, [a["email"] for a in booked])
        after: tuple[datetime, str] | None = None
        while batch := await self.subjects.mails_to(tenant_id, sent_about.recipients, after, BATCH):
            mails += [mail_part(mail) for mail in batch]
            after = (batch[-1].created_at, batch[-1].id)
        for mail_id in sent_about.forwards:
            if (forward := await self.outbox.get(tenant_id, mail_id)) is not None:
                mails.append(mail_part(forward))
        return SubjectExport(
            tenant=tenant.name,
            lang=_lang(tenant, visitor, conversations),
            made_at=self.clock(),
            visitor=visitor_part(visitor),
            conversations=conversations,
            pages=[page_part(view) for view in trail],
            mails=mails,
            appointments=[appointment_part(doc) for doc in booked],
        )

    async def erase_visitor(self, visitor: Visitor, mode: EraseMode) -> Erased:
        """Delete (or anonymise) everything of the visitor (wschat/subjects/erasure.py)."""
        trail = await self._mail_trail(visitor)
        return await self.eraser.erase(visitor, mode, trail.recipients, trail.forwards)

    async def _visitor(self, tenant: Tenant, visitor_id: str) -> Visitor:
        visitor = await self.visitors.by_id(tenant.id, visitor_id)
        if visitor is None:
            raise NotFound("There is no such visitor.")
        return visitor

    async def _conversations(self, visitor: Visitor) -> AsyncIterator[Conversation]:
        after: tuple[datetime, str] | None = None
        while batch := await self.subjects.conversations_of(visitor.tenant_id, visitor.id, after, BATCH):
            for conversation in batch:
                yield conversation
            after = (batch[-1].created_at, batch[-1].id)

    async def _messages(self, conversation: Conversation, *, agents: bool) -> list[Message]:
        found: list[Message] = []
        after = 0
        while True:
            batch = await self.messages.after(
                conversation.tenant_id, conversation.id, after, _MESSAGES, agents=agents
            )
            found += batch
            if len(batch) < _MESSAGES:
                return found
            after = batch[-1].seq

    async def _mail_trail(self, visitor: Visitor) -> MailTrail:
        """:func:`mail_trail` of the visitor's conversations, read for it."""
        transcripts = [
            (conversation, await self.transcripts.of_conversation(visitor.tenant_id, conversation.id))
            async for conversation in self._conversations(visitor)
        ]
        booked = await self.appointments.of_visitor(visitor.tenant_id, visitor.id)
        return mail_trail(visitor, transcripts, [a["email"] for a in booked])

    async def _audit(self, visitor: Visitor, actor: Actor, action: Action, details: dict[str, Any]) -> None:
        target = Target(TargetKind.VISITOR, visitor.id)
        await self.audit.record(visitor.tenant_id, actor, action, target, details)

    async def _audit_erased(self, visitor: Visitor, actor: Actor, erased: Erased) -> None:
        action = Action.SUBJECT_ERASED if erased.mode is EraseMode.DELETE else Action.SUBJECT_ANONYMISED
        await self._audit(visitor, actor, action, {"counts": dict(sorted(erased.counts.items()))})

    async def _log(
        self,
        admin: Principal,
        visitor_id: str,
        kind: RequestKind,
        state: RequestState,
        detail: dict[str, Any],
    ) -> SubjectRequest:
        now = self.clock()
        request = SubjectRequest(
            id=new_id("dsr"),
            tenant_id=admin.tenant.id,
            visitor_id=visitor_id,
            kind=kind,
            state=state,
            received_at=now,
            due_at=one_month_later(now),
            by_id=admin.user.id,
            by_name=admin.user.display_name,
            done_at=now if state is RequestState.DONE else None,
            detail=detail,
        )
        await self.subjects.record_request(request.to_doc())
        return request


def _changed_fields(before: Visitor, after: Visitor) -> set[str]:
    fields = {key for key in ("name", "alias") if getattr(before, key) != getattr(after, key)}
    keys = set(before.contact) | set(after.contact)
    return fields | {f"contact.{key}" for key in keys if before.contact.get(key) != after.contact.get(key)}


def _no_legal_hold(tenant: Tenant) -> None:
    """A legal hold keeps everything of the tenant (Art. 17 (3) (e)): no erasure until it is released."""
    if tenant.lifecycle.legal_hold is not None:
        raise WrongState("A legal hold is set on this account: nothing may be erased until it is released.")


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may answer data-subject requests.")


def _matches(visitor: Visitor, field: str, value: str) -> bool:
    """The full-text hit holds the words; this keeps only the person asked for."""
    contact = visitor.contact
    if field == "email":
        return (contact.get("email") or "").lower() == value.strip().lower()
    if field == "phone":
        return _digits(contact.get("phone") or "") == _digits(value) != ""
    return True  # a name: every word in the name, alias or contact name is what was asked for


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _lang(tenant: Tenant, visitor: Visitor, conversations: list[dict[str, Any]]) -> str:
    """The visitor's language: the one of their last offline message if they left one, else the widget's."""
    for part in reversed(conversations):
        if part.get("language") in ("de", "en"):
            return str(part["language"])
    return "de" if tenant.branding.get("language") == "de" else "en"
