"""The stores with the hot records cached (wschat.storage.record_cache): either adapter, wrapped.

``with_caches`` wraps the visitor and conversation stores, which read through a per-process cache, and every
store that changes visitors or conversations, which forgets what it changed. Each wrapper overrides the
reads it caches and every method that changes a cached record; every other method is handed on unchanged
and is listed in the wrapper's ``HANDED_ON`` (a test holds each store's methods against both, so that a new
method that changes a record cannot slip past the cache).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar, cast

from wschat.agent_data.store import AgentDataStore, Change
from wschat.chat.conversation_store import ConversationStore, Superseded
from wschat.chat.models import Conversation
from wschat.lifecycle.store import BATCH as LIFECYCLE_BATCH
from wschat.lifecycle.store import TenantDataStore
from wschat.records import Document
from wschat.retention.store import BATCH as RETENTION_BATCH
from wschat.retention.store import RetentionStore, Swept
from wschat.storage import Stores
from wschat.storage.record_cache import Caches, RecordCache
from wschat.subjects.store import SubjectStore
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore

VISITORS = "visitors"
CONVERSATIONS = "conversations"


def with_caches(stores: Stores, caches: Caches) -> Stores:
    visitors = caches.add(RecordCache[Visitor](VISITORS))
    conversations = caches.add(RecordCache[Conversation](CONVERSATIONS, group=lambda c: c.visitor_id))
    return dataclasses.replace(
        stores,
        visitors=cast(VisitorStore, CachedVisitors(stores.visitors, visitors, caches)),
        conversations=cast(
            ConversationStore, CachedConversations(stores.conversations, conversations, caches)
        ),
        subjects=cast(SubjectStore, ForgettingSubjects(stores.subjects, caches)),
        tenant_data=cast(TenantDataStore, ForgettingTenantData(stores.tenant_data, caches)),
        retention=cast(RetentionStore, ForgettingRetention(stores.retention, caches)),
        agent_data=cast(AgentDataStore, ForgettingAgentData(stores.agent_data, caches)),
    )


Record = TypeVar("Record", Visitor, Conversation)


async def _read_through(
    cache: RecordCache[Record],
    tenant_id: str,
    key: str,
    load: Callable[[str, str], Awaitable[Record | None]],
) -> Record | None:
    """The record from the cache, else loaded and kept. A hit is checked for the tenant as the store's query
    would: another tenant's id is unknown here too."""
    cached = cache.get(key)
    if cached is not None:
        return cached if cached.tenant_id == tenant_id else None
    mark = cache.mark()
    record = await load(tenant_id, key)
    if record is not None:
        cache.fill(key, record, mark)
    return record


class _Wrapper:
    #: The wrapped store's methods handed on as they are: none of them changes a cached record.
    HANDED_ON: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, inner: Any, caches: Caches) -> None:
        self._inner = inner
        self._caches = caches

    def __getattr__(self, name: str) -> Any:
        if name not in self.HANDED_ON:
            raise AttributeError(f"{type(self).__name__} does not hand on {name!r}")
        return getattr(self._inner, name)


class CachedVisitors(_Wrapper):
    HANDED_ON = frozenset({"insert", "by_token_hash", "on_site"})  # a new visitor is in no cache

    def __init__(self, inner: VisitorStore, cache: RecordCache[Visitor], caches: Caches) -> None:
        super().__init__(inner, caches)
        self._cache = cache

    async def by_id(self, tenant_id: str, visitor_id: str) -> Visitor | None:
        return await _read_through(self._cache, tenant_id, visitor_id, self._inner.by_id)

    async def set_profile(self, tenant_id: str, visitor_id: str, **values: str | None) -> Visitor | None:
        return await self._changed(visitor_id, await self._inner.set_profile(tenant_id, visitor_id, **values))

    async def set_contact(self, tenant_id: str, visitor_id: str, contact: dict[str, str]) -> Visitor | None:
        return await self._changed(visitor_id, await self._inner.set_contact(tenant_id, visitor_id, contact))

    async def mark_engaged(self, tenant_id: str, visitor_id: str) -> None:
        await self._inner.mark_engaged(tenant_id, visitor_id)
        await self._caches.forget(VISITORS, [visitor_id])

    async def delete_idle(self, last_seen_before: datetime, limit: int) -> list[str]:
        gone: list[str] = await self._inner.delete_idle(last_seen_before, limit)
        if gone:
            await self._caches.forget(VISITORS, gone)
        return gone

    async def set_current_page(self, tenant_id: str, visitor_id: str, page: Document) -> Visitor | None:
        return await self._changed(
            visitor_id, await self._inner.set_current_page(tenant_id, visitor_id, page)
        )

    async def clear_current_page(self, tenant_id: str, visitor_id: str, view_id: str) -> Visitor | None:
        changed = await self._inner.clear_current_page(tenant_id, visitor_id, view_id)
        return await self._changed(visitor_id, changed)

    async def touch(self, tenant_id: str, visitor_id: str, now: datetime) -> Visitor | None:
        return await self._changed(visitor_id, await self._inner.touch(tenant_id, visitor_id, now))

    async def _changed(self, visitor_id: str, visitor: Visitor | None) -> Visitor | None:
        await self._caches.forget(VISITORS, [visitor_id])
        return visitor


class CachedConversations(_Wrapper):
    HANDED_ON = frozenset(
        {
            "insert",  # a new conversation is in no cache
            "open_of_visitor",
            "open_of_visitors",
            "todo",
            "todo_count",
            "queued",
            "active_of_agent",
            "open_load",
            "abandoned",
            "agents_with_active",
            "tenants_with_queue",
            "unfinished",
            "history",
        }
    )

    def __init__(self, inner: ConversationStore, cache: RecordCache[Conversation], caches: Caches) -> None:
        super().__init__(inner, caches)
        self._cache = cache

    async def get(self, tenant_id: str, conversation_id: str) -> Conversation | None:
        return await _read_through(self._cache, tenant_id, conversation_id, self._inner.get)

    async def transition(
        self,
        conversation: Conversation,
        kind: str,
        state: dict[str, Any],
        record: dict[str, Any],
        now: datetime,
    ) -> Conversation:
        try:
            changed: Conversation = await self._inner.transition(conversation, kind, state, record, now)
        except Superseded:
            # What this process holds is older than the stored conversation: the caller reads it again.
            await self._caches.forget(CONVERSATIONS, [conversation.id])
            raise
        await self._caches.forget(CONVERSATIONS, [conversation.id])
        return changed

    async def raise_read_marker(self, tenant_id: str, conversation_id: str, side: str, seq: int) -> None:
        await self._inner.raise_read_marker(tenant_id, conversation_id, side, seq)
        await self._caches.forget(CONVERSATIONS, [conversation_id])

    async def set_visitor_left(self, tenant_id: str, visitor_id: str, at: datetime | None) -> None:
        await self._inner.set_visitor_left(tenant_id, visitor_id, at)
        await self._caches.forget(CONVERSATIONS, groups=[visitor_id])


class ForgettingSubjects(_Wrapper):
    """Data-subject requests change visitors and their conversations outside their own stores."""

    HANDED_ON = frozenset(
        {
            "find",
            "conversations_of",
            "mails_to",
            "delete_mails",  # mails are in no cache
            "record_request",
            "requests",
            "finish_request",
        }
    )

    async def delete_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        return await self._conversations(ids, await self._inner.delete_conversations(tenant_id, ids))

    async def anonymise_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        return await self._conversations(ids, await self._inner.anonymise_conversations(tenant_id, ids))

    async def delete_page_views(self, tenant_id: str, visitor_id: str, limit: int) -> int:
        deleted: int = await self._inner.delete_page_views(tenant_id, visitor_id, limit)
        await self._visitor(visitor_id)
        return deleted

    async def strip_visitor(self, tenant_id: str, visitor_id: str, token_hash: str) -> bool:
        stripped: bool = await self._inner.strip_visitor(tenant_id, visitor_id, token_hash)
        await self._visitor(visitor_id)
        return stripped

    async def change_visitor(
        self, tenant_id: str, visitor_id: str, changes: dict[str, Any]
    ) -> Visitor | None:
        changed: Visitor | None = await self._inner.change_visitor(tenant_id, visitor_id, changes)
        await self._visitor(visitor_id)
        return changed

    async def delete_visitor(self, tenant_id: str, visitor_id: str) -> bool:
        deleted: bool = await self._inner.delete_visitor(tenant_id, visitor_id)
        await self._visitor(visitor_id)
        return deleted

    async def _conversations(self, ids: list[str], counts: dict[str, int]) -> dict[str, int]:
        await self._caches.forget(CONVERSATIONS, ids)
        return counts

    async def _visitor(self, visitor_id: str) -> None:
        await self._caches.forget(VISITORS, [visitor_id])
        await self._caches.forget(CONVERSATIONS, groups=[visitor_id])


class ForgettingTenantData(_Wrapper):
    """The lifecycle deletes a tenant's data in batches nobody names record by record."""

    HANDED_ON = frozenset({"compact"})

    async def delete_batch(self, tenant_id: str, limit: int = LIFECYCLE_BATCH) -> dict[str, int]:
        deleted: dict[str, int] = await self._inner.delete_batch(tenant_id, limit)
        if any(deleted.values()):
            await self._caches.forget_all()
        return deleted

    async def delete_tenant(self, tenant_id: str) -> bool:
        deleted: bool = await self._inner.delete_tenant(tenant_id)
        await self._caches.forget_all()
        return deleted


class ForgettingRetention(_Wrapper):
    """Retention deletes conversations and visitors and ages visitors' addresses, batch by batch; each
    batch names what it deleted or changed."""

    HANDED_ON = frozenset({"delete_mails"})  # mails are in no cache

    async def delete_chats(
        self, tenant_id: str, closed_before: datetime, limit: int = RETENTION_BATCH
    ) -> Swept:
        return await self._forget(await self._inner.delete_chats(tenant_id, closed_before, limit))

    async def delete_visitors(
        self, tenant_id: str, seen_before: datetime, limit: int = RETENTION_BATCH
    ) -> Swept:
        return await self._forget(await self._inner.delete_visitors(tenant_id, seen_before, limit))

    async def age_addresses(
        self,
        tenant_id: str,
        stored_before: datetime,
        aged: Callable[[str], str | None],
        limit: int = RETENTION_BATCH,
    ) -> Swept:
        return await self._forget(await self._inner.age_addresses(tenant_id, stored_before, aged, limit))

    async def _forget(self, swept: Swept) -> Swept:
        if swept.conversations:
            await self._caches.forget(CONVERSATIONS, swept.conversations)
        if swept.visitors:
            await self._caches.forget(VISITORS, swept.visitors)
        return swept


class ForgettingAgentData(_Wrapper):
    """A deleted agent's name goes from the conversations that show it (their ``closed_by``)."""

    HANDED_ON = frozenset(
        {"traces", "records_of", "unname_records", "add_former", "formers", "save_progress", "finish"}
    )

    async def rewrite(self, tenant_id: str, changes: list[Change]) -> dict[str, int]:
        changed: dict[str, int] = await self._inner.rewrite(tenant_id, changes)
        ids = [c.record_id for c in changes if c.table == CONVERSATIONS]
        if ids:
            await self._caches.forget(CONVERSATIONS, ids)
        return changed
