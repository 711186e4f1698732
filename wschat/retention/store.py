"""What retention needs from storage: one bounded batch of one category's due rows at a time. Implemented
in ``wschat/storage/`` (``sqlite/retention.py``, ``mongo/retention.py``).

Each call takes up to ``limit`` rows of one tenant that are due (through an index that leads with the
tenant, so that a run's cost follows what is due, not what is kept), deletes or changes them with what
hangs on them in one transaction (SQLite; MongoDB: children before parents), and says what it did. The next
call finds the rest, so a run cut short is resumed by the next. A restricted visitor's records (GDPR
Art. 18, wschat/subjects) are kept whatever their age: restriction is asked for to keep them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

#: Conversations (with everything on them), visitors, or other rows per batch.
BATCH = 100


@dataclass(frozen=True)
class Swept:
    """One batch: how many due rows it took (0: nothing more is due), the rows deleted or changed per
    table, and the visitors and conversations it deleted or changed (the record cache forgets them)."""

    taken: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    visitors: tuple[str, ...] = ()
    conversations: tuple[str, ...] = ()


class RetentionStore(Protocol):
    async def delete_chats(self, tenant_id: str, closed_before: datetime, limit: int = BATCH) -> Swept:
        """Closed conversations closed before ``closed_before`` with their messages, transitions,
        transcripts records and calls (and on SQLite their full-text rows). Never an open conversation,
        nor an offline message still to answer, nor a restricted visitor's."""

    async def delete_visitors(self, tenant_id: str, seen_before: datetime, limit: int = BATCH) -> Swept:
        """Visitors who chatted or left contact data, have no conversation left, no page open and were
        last seen before ``seen_before``, with their page trail. (Visitors who never chatted go a day
        after their visit, by housekeeping: wschat/visitors/store.py ``delete_idle``.)"""

    async def age_addresses(
        self,
        tenant_id: str,
        stored_before: datetime,
        aged: Callable[[str], str | None],
        limit: int = BATCH,
    ) -> Swept:
        """Visitors whose address was stored before ``stored_before`` and has not been aged yet: the
        address becomes ``aged(address)`` (None deletes it), and the visitor is never taken again."""

    async def delete_mails(self, tenant_id: str, created_before: datetime, limit: int = BATCH) -> Swept:
        """Sent and finally failed mails created before ``created_before``, with their transitions; never
        a mail still queued or being sent."""
