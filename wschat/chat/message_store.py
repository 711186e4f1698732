"""What the chat services need from storage for messages. Implemented in ``wschat/storage/``.

``seq`` numbers a conversation's messages 1, 2, 3 … without gaps or duplicates, however many processes
append at once; ``client_id`` makes a resent message a no-op. Each adapter keeps both rules with a
constraint, never with a read-modify-write that two writers could interleave.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from wschat.chat.models import Message


class MessageStore(Protocol):
    async def append(
        self, tenant_id: str, conversation_id: str, client_id: str, build: Callable[[int], Message]
    ) -> tuple[Message, bool]:
        """Store ``build(next seq)``: (it, True); for a known client_id: (the earlier one, False).

        The message is stored (committed) when this returns: the caller may acknowledge it.
        """

    async def by_client_id(self, tenant_id: str, conversation_id: str, client_id: str) -> Message | None: ...

    async def after(
        self, tenant_id: str, conversation_id: str, after_seq: int, limit: int, *, agents: bool
    ) -> list[Message]:
        """Up to ``limit`` messages with a seq above ``after_seq``, oldest first (agents-only notes only
        for ``agents``)."""

    async def before(
        self, tenant_id: str, conversation_id: str, before_seq: int | None, limit: int, *, agents: bool
    ) -> list[Message]:
        """Up to ``limit`` messages with a seq below ``before_seq`` (None: any), newest first."""

    async def last_seq(self, tenant_id: str, conversation_id: str) -> int: ...
