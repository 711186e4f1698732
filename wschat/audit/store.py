"""What the audit log needs from storage. Implemented in ``wschat/storage/`` (``sqlite/audit.py``,
``mongo/audit.py``).

The log is append-only: there is no method that changes an entry. Entries leave only in bounded batches
older than a date (the log's own retention, :meth:`AuditStore.delete_before`) or with their tenant's data
(wschat/lifecycle). Every method takes the tenant and filters by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wschat.records import Document


@dataclass(frozen=True)
class AuditFilter:
    """One page's question, already checked (``wschat.audit.models.AuditQuery`` is the wire's)."""

    #: One action exactly (``subject.erased``) …
    action: str | None = None
    #: … or every action of a family (``subject`` for ``subject.*``).
    family: str | None = None
    actor_id: str | None = None
    target_id: str | None = None
    #: ``at`` in ``[since, until)``.
    since: datetime | None = None
    until: datetime | None = None
    #: Keyset: only entries that sort after (older than) this ``(at, id)``.
    before: tuple[datetime, str] | None = None


class AuditStore(Protocol):
    async def append(self, entry: Document) -> None:
        """Keep one entry (``wschat.audit.models.AuditEntry.to_doc``)."""

    async def page(self, tenant_id: str, query: AuditFilter, limit: int) -> list[Document]:
        """The tenant's entries matching ``query``, newest first (by ``at``, then id), at most ``limit``."""

    async def delete_before(self, tenant_id: str, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` of the tenant's entries made before ``before``, oldest first, through an
        index; returns how many went (fewer than ``limit``: none older is left)."""
