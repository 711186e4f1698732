"""What an agent's own data needs from storage. Implemented in ``wschat/storage/`` (``sqlite/agent_data.py``,
``mongo/agent_data.py``).

Every method takes the tenant and filters by it. The records that name an agent are found by the agent's
id, never by a name, through indexes that lead with the tenant and the id, so that a walk costs the
agent's own records, however many chats the tenant has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from wschat.records import Document


class Way(StrEnum):
    """How a walk finds the conversations an agent is named in (each through an index of its own)."""

    #: Transitions that gave them the chat (assigned, accepted, transferred to them).
    HELD = "held"
    #: Transitions they made (``by``): closing or handing on a chat they did not hold, answering an offline
    #: message.
    ACTED = "acted"
    #: Transcripts they forwarded.
    FORWARDED = "forwarded"


@dataclass(frozen=True)
class Trace:
    """One record that names the agent, as a walk finds it."""

    #: Where the walk goes on after this record (the adapter's own keyset value).
    cursor: str
    #: The transition's or transcript's id.
    record_id: str
    conversation_id: str


@dataclass(frozen=True)
class ConversationRecords:
    """A conversation's records besides its messages (few, whatever the length of the chat)."""

    conversation: Document | None
    transitions: list[Document] = field(default_factory=list)
    calls: list[Document] = field(default_factory=list)
    call_transitions: list[Document] = field(default_factory=list)
    transcripts: list[Document] = field(default_factory=list)


#: The tables whose records a :class:`Change` may change.
REWRITABLE = frozenset(
    {"conversations", "transitions", "messages", "calls", "call_transitions", "transcripts"}
)


@dataclass(frozen=True)
class Change:
    """Top-level fields of one record set anew (the other fields stay as they are)."""

    table: str
    record_id: str
    fields: dict[str, Any]


class Stage(StrEnum):
    """Where the work for a deleted agent stands; the ways first, in order."""

    HELD = Way.HELD.value
    ACTED = Way.ACTED.value
    FORWARDED = Way.FORWARDED.value
    #: The export and request logs that name them (as who exported, who answered).
    RECORDS = "records"
    #: SQLite's full-text index rid of the texts that named them (a no-op on MongoDB).
    SEARCH = "search"


@dataclass(frozen=True)
class FormerAgent:
    """A deleted agent whose name is not yet out of every record: the durable to-do of one deletion. It
    holds no name (the records are found by the id), and is deleted when the work is done."""

    id: str
    tenant_id: str
    user_id: str
    created_at: datetime
    stage: Stage = Stage.HELD
    #: The walk's position within the stage (see :class:`Trace`); None at its start.
    after: str | None = None

    def to_doc(self) -> Document:
        return {
            "_id": self.id,
            "tenant_id": self.tenant_id,
            "user_id": self.user_id,
            "created_at": self.created_at,
            "stage": self.stage.value,
            "after": self.after,
        }

    @classmethod
    def from_doc(cls, doc: Document) -> FormerAgent:
        return cls(
            doc["_id"],
            doc["tenant_id"],
            doc["user_id"],
            doc["created_at"],
            Stage(doc["stage"]),
            doc.get("after"),
        )


class AgentDataStore(Protocol):
    async def traces(
        self, tenant_id: str, user_id: str, way: Way, after: str | None, limit: int
    ) -> list[Trace]:
        """Up to ``limit`` records naming the agent in this ``way``, after the cursor ``after``, in the
        cursor's order (a conversation may come more than once)."""

    async def records_of(self, tenant_id: str, conversation_id: str) -> ConversationRecords:
        """The conversation with its transitions, calls (and theirs) and transcripts."""

    async def rewrite(self, tenant_id: str, changes: list[Change]) -> dict[str, int]:
        """Apply the changes (tables of :data:`REWRITABLE`) in one transaction where the adapter has them;
        a record of another tenant, or one that is gone, is left alone. Records changed per table."""

    async def unname_records(self, tenant_id: str, user_id: str, limit: int) -> int:
        """Empty the name of up to ``limit`` export and data-subject request records that name the user
        (as who exported, who answered); how many changed (fewer than ``limit``: none is left)."""

    async def add_former(self, former: FormerAgent) -> None: ...

    async def formers(self, created_before: datetime, limit: int) -> list[FormerAgent]:
        """The to-dos created before ``created_before``, oldest first, of every tenant."""

    async def save_progress(self, former: FormerAgent) -> None:
        """Store the to-do's stage and cursor (nothing if it is gone: its tenant was deleted)."""

    async def finish(self, former_id: str) -> None:
        """Delete the to-do: the work is done."""
