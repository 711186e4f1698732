"""What the transcript rules need from storage: a record of every copy of a conversation that left wsChat —
a transcript mailed to the visitor, one forwarded by an agent, the conversation exported in a file.

A visitor may ask for at most :data:`VISITOR_TRANSCRIPTS` copies of one conversation. Each request takes
one of that many numbered slots (``<conversation id>:visitor:<n>``) by inserting it, so the primary key,
not a count read before a write, keeps the limit: of two requests at once for the last slot, one wins.
An agent's forwards are not limited and take a random id. Implemented in ``wschat/storage/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypedDict

#: Copies a visitor may ask for of one conversation.
VISITOR_TRANSCRIPTS = 3


class TranscriptKind(StrEnum):
    #: The visitor asked for a copy.
    VISITOR = "visitor"
    #: An agent (or admin) forwarded the transcript.
    AGENT = "agent"
    #: An admin (or the operator) exported it with the archive's filter: ``recipient`` is the file's format
    #: (``csv``, ``jsonl``). No mail; the export's entry in the audit log says which filter.
    EXPORT = "export"


@dataclass(frozen=True)
class TranscriptRecord:
    """One transcript sent: of which conversation, to whom, by whom, when, with what note."""

    id: str
    tenant_id: str
    conversation_id: str
    kind: TranscriptKind
    recipient: str
    at: datetime
    by_id: str | None = None
    by_name: str = ""
    note: str | None = None

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "tenant_id": self.tenant_id,
            "conversation_id": self.conversation_id,
            "kind": self.kind.value,
            "recipient": self.recipient,
            "at": self.at,
            "by_id": self.by_id,
            "by_name": self.by_name,
            "note": self.note,
        }

    def to_wire(self) -> TranscriptWire:
        """What agents see with the conversation: who sent it to whom, when, with which note."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "to": self.recipient,
            "at": self.at.isoformat(),
            "by": {"id": self.by_id, "display_name": self.by_name},
            "note": self.note,
        }

    @property
    def mail_id(self) -> str:
        """The id of the mail that carried this transcript (derived, so that the mail is found from the
        record: a person's erasure deletes a forward of their chat to any address). Records made before
        mails were named so point at no mail."""
        return "mai_" + hashlib.sha256(self.id.encode()).hexdigest()[:24]

    @property
    def remaining(self) -> int:
        """For a visitor's copy: how many more they may ask for."""
        n = int(self.id.rsplit(":", 1)[-1]) if self.kind is TranscriptKind.VISITOR else 0
        return max(0, VISITOR_TRANSCRIPTS - n)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TranscriptRecord:
        return cls(
            id=doc["_id"],
            tenant_id=doc["tenant_id"],
            conversation_id=doc["conversation_id"],
            kind=TranscriptKind(doc["kind"]),
            recipient=doc["recipient"],
            at=doc["at"],
            by_id=doc.get("by_id"),
            by_name=doc.get("by_name") or "",
            note=doc.get("note"),
        )


class ByWire(TypedDict):
    id: str | None
    display_name: str


class TranscriptWire(TypedDict):
    id: str
    kind: str
    to: str
    at: str
    by: ByWire
    note: str | None


def visitor_slot(conversation_id: str, n: int) -> str:
    return f"{conversation_id}:visitor:{n}"


class TranscriptStore(Protocol):
    async def take_visitor_slot(self, record: TranscriptRecord) -> TranscriptRecord | None:
        """Store ``record`` under the first free visitor slot of its conversation (its id is replaced);
        None if all :data:`VISITOR_TRANSCRIPTS` are taken. Atomic: concurrent callers never exceed it."""

    async def insert(self, record: TranscriptRecord) -> None:
        """Store an agent's forward (its id is new)."""

    async def insert_many(self, records: list[TranscriptRecord]) -> None:
        """Store several records at once (an export's page of conversations); their ids are new."""

    async def remove(self, tenant_id: str, record_id: str) -> None:
        """Forget a record whose mail could not be queued, so that its slot is free again."""

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[TranscriptRecord]:
        """Every copy made of the conversation (mailed, forwarded, exported), oldest first."""
