"""What the lifecycle needs from storage: a tenant's data deleted in batches. Implemented in
``wschat/storage/`` (``sqlite/lifecycle.py``, ``mongo/lifecycle.py``).

Each call deletes one bounded batch and says what it deleted, so that a deletion of millions of rows
neither holds the database for long nor starts over after a crash: it is resumed by calling again.
"""

from __future__ import annotations

from typing import Protocol

#: Conversations (with their messages, transitions, transcripts and calls) or other parent rows per batch.
BATCH = 100


class TenantDataStore(Protocol):
    async def delete_batch(self, tenant_id: str, limit: int = BATCH) -> dict[str, int]:
        """Delete up to ``limit`` parent rows of the tenant's data with everything that hangs on them:
        conversations, visitors, calls, mails, audit records, agents and their photos and replies,
        presence and sockets — everything but the tenant's own record. Returns the rows deleted per
        table (an empty map once nothing is left)."""

    async def delete_tenant(self, tenant_id: str) -> bool:
        """Delete the tenant's own record (call when :meth:`delete_batch` finds nothing left)."""

    async def compact(self) -> int:
        """After a deletion: rewrite what still holds deleted text outside its rows (SQLite's full-text
        indexes keep a deleted entry until their segments are merged), in bounded steps, each its own
        transaction. Returns the steps taken; a no-op where there is nothing such (MongoDB)."""
