"""The mails about a person (their data-subject export lists them, their erasure deletes them): found by the
addresses the person gave and by the transcripts of their chats."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.chat.models import Conversation
from wschat.chat.transcript_store import TranscriptKind, TranscriptRecord
from wschat.visitors.models import Visitor


def mail_trail(visitor: Visitor, transcripts: list[tuple[Conversation, list[TranscriptRecord]]]) -> MailTrail:
    """The mails about this person: those to their addresses (their contact address, an offline message's
    answer address, the addresses they had their transcripts sent to; as typed, and in lower case), and the
    transcripts of their chats (each conversation with its transcript records) that agents forwarded to
    anybody (by the mail's id)."""
    found = {visitor.contact.get("email") or ""}
    forwards: list[str] = []
    for conversation, records in transcripts:
        found.add(conversation.answer_email or "")
        for sent in records:
            if sent.kind is TranscriptKind.VISITOR:
                found.add(sent.recipient)
            elif sent.kind is TranscriptKind.AGENT:
                forwards.append(sent.mail_id)
    found |= {address.lower() for address in found}
    return MailTrail(sorted(address for address in found if address), forwards)


@dataclass(frozen=True)
class MailTrail:
    """Where mails about a person went (:meth:`SubjectService._mail_trail`)."""

    recipients: list[str]
    #: The ids of their chats' transcripts forwarded by agents.
    forwards: list[str]
