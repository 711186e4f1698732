"""What data-subject requests need from storage. Implemented in ``wschat/storage/`` (``sqlite/subjects.py``,
``mongo/subjects.py``).

Every method takes the tenant and filters by it: another tenant's visitor is never found, never changed.
Erasure goes in bounded batches (:data:`BATCH` conversations with their messages, or rows of one table), each
its own transaction, as the deletion of a tenant does (wschat/lifecycle/store.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from wschat.chat.models import Conversation
from wschat.mail.models import OutgoingMail
from wschat.records import Document
from wschat.visitors.models import Visitor

#: Conversations (with everything hanging on them) or other rows per batch.
BATCH = 100


class SubjectStore(Protocol):
    async def find(
        self, tenant_id: str, words: tuple[str, ...], limit: int, *, email: str | None = None
    ) -> list[Visitor]:
        """Visitors whose name, alias or contact data hold every one of ``words`` (plain words, never query
        syntax) and, if given, whose contact address is ``email`` (any case), most recently seen first."""

    async def conversations_of(
        self, tenant_id: str, visitor_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[Conversation]:
        """The visitor's conversations, oldest first, after the keyset ``(created_at, id)``."""

    async def mails_to(
        self, tenant_id: str, recipients: list[str], after: tuple[datetime, str] | None, limit: int
    ) -> list[OutgoingMail]:
        """Mails of the outbox addressed to one of ``recipients`` (exactly as stored), oldest first."""

    async def delete_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        """Delete these conversations with their messages, transitions, transcripts and calls; rows deleted
        per table."""

    async def anonymise_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        """Keep these conversations and their messages, but without a word of them: every message's text
        and data emptied, the visitor's display name removed from messages, closings and calls, the answer
        address removed, the transcripts sent (their recipients) deleted. Rows changed per table."""

    async def delete_mails(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        """Delete these mails of the outbox with their transitions."""

    async def delete_page_views(self, tenant_id: str, visitor_id: str, limit: int) -> int:
        """Delete up to ``limit`` of the visitor's page views; how many went."""

    async def strip_visitor(self, tenant_id: str, visitor_id: str, token_hash: str) -> bool:
        """Remove name, alias, contact data, address, country, user agent and current page from the visitor
        record, and replace its token's hash (the old browser session ends). False if there is none."""

    async def change_visitor(
        self, tenant_id: str, visitor_id: str, changes: dict[str, Any]
    ) -> Visitor | None:
        """Set ``name``, ``alias``, ``contact`` (replaced whole) and ``restricted`` as given (None clears a
        name); the visitor as it is now, None if there is none."""

    async def delete_visitor(self, tenant_id: str, visitor_id: str) -> bool:
        """Delete the visitor record. False if there is none."""

    async def record_request(self, record: Document) -> None:
        """Keep a request of the log (``_id``, ``tenant_id``, ``visitor_id``, ``kind``, ``state``,
        ``received_at``, ``due_at``, ``done_at``, ``by_id``, ``by_name``, ``detail``)."""

    async def requests(
        self, tenant_id: str, before: tuple[datetime, str] | None, limit: int
    ) -> list[Document]:
        """The tenant's requests, newest received first, before the keyset ``(received_at, id)``."""

    async def finish_request(self, tenant_id: str, request_id: str, at: datetime) -> Document | None:
        """Mark an open request done at ``at``; the request as it is now (None if there is no such one;
        one done already stays as it was)."""
