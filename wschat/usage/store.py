"""What the usage report asks of storage: one tenant's figures, each through an index that leads with the
tenant (the cost grows with that tenant's data, never with the installation's: docs/operations.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Usage:
    #: Users who can sign in (not disabled), by role.
    admins: int
    agents: int
    #: Chats started since the window's start, and the visitors' and agents' messages in them.
    recent_chats: int
    recent_messages: int
    #: Everything stored now: chats and the messages in them (system lines included).
    chats: int
    messages: int
    #: Approximate bytes of the tenant's messages, photos and mails; how depends on the adapter.
    storage_bytes: int


class UsageStore(Protocol):
    async def usage(self, tenant_id: str, since: datetime) -> Usage:
        """The tenant's figures; chats (and their messages) count as recent when started at ``since`` or
        later. An unknown tenant has zeros."""
