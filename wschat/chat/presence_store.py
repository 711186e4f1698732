"""What presence needs from storage: agent status, open sockets and the server processes (nodes) that
hold them. Implemented in ``wschat/storage/``.

Keeping sockets in the database (not only in a process's memory) is what lets several processes agree on
whether an agent or a visitor is still connected; a process that dies stops its heartbeat, and the
janitor of any other process forgets its sockets.

A socket record is a :class:`~wschat.records.Document`: ``_id`` (the sid), ``tenant_id``, ``owner_id``,
``kind`` (``agent``/``visitor``), ``password_version``, ``session_id``, ``node_id``, ``at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wschat.chat.models import AgentStatus
from wschat.records import Document


@dataclass(frozen=True)
class Presence:
    user_id: str
    tenant_id: str
    status: AgentStatus
    changed_at: datetime | None
    #: When the agent's last socket closed (None while one is open); offline after the grace period.
    disconnected_at: datetime | None = None
    #: When the agent last got a chat: the one idle longest gets the next.
    last_assigned_at: datetime | None = None


#: The fields :meth:`PresenceStore.update` may set.
PRESENCE_FIELDS = frozenset({"status", "changed_at", "disconnected_at", "last_assigned_at"})


class PresenceStore(Protocol):
    # -- agent status --------------------------------------------------------------------------------------

    async def get(self, tenant_id: str, user_id: str) -> Presence | None: ...

    async def of_tenant(self, tenant_id: str) -> list[Presence]: ...

    async def update(self, tenant_id: str, user_id: str, values: dict[str, object]) -> Presence:
        """Sets fields of :data:`PRESENCE_FIELDS` (status as its string), creating the record if needed."""

    async def online_disconnected_before(self, before: datetime) -> list[Presence]:
        """Across tenants: agents not offline whose last socket closed before ``before``."""

    # -- sockets -------------------------------------------------------------------------------------------

    async def add_socket(
        self,
        sid: str,
        tenant_id: str,
        owner_id: str,
        kind: str,
        node_id: str,
        now: datetime,
        *,
        password_version: str | None = None,
        session_id: str | None = None,
    ) -> None:
        """An open socket; an agent's carries the password version and session of the token it showed."""

    async def remove_socket(self, sid: str) -> Document | None:
        """Removes the record and returns it (None if there was none)."""

    async def sockets_of_node(self, node_id: str, kind: str | None = None) -> list[Document]: ...

    async def socket_count(self, tenant_id: str, owner_id: str) -> int: ...

    async def sockets_of(self, owner_id: str, kind: str, *, session_id: str | None = None) -> list[str]:
        """The ids of the owner's sockets; only those of one console session when ``session_id`` is given."""

    async def live_sockets(self, sids: list[str]) -> set[str]:
        """Which of these sids have a socket record."""

    async def announced(self, tenant_id: str) -> bool | None:
        """The online state last announced to the tenant's visitors, by any process."""

    async def set_announced(self, tenant_id: str, online: bool) -> None: ...

    async def connected_owners(self, tenant_id: str, kind: str) -> set[str]: ...

    # -- nodes ---------------------------------------------------------------------------------------------

    async def heartbeat(self, node_id: str, now: datetime) -> bool:
        """Records that the process is alive; whether its record was still there (False the first time, and
        after another process took it for dead and forgot it)."""

    async def forget_node(self, node_id: str) -> list[Document]:
        """Remove a node and its sockets; returns the sockets it held."""

    async def dead_nodes(self, before: datetime) -> list[str]: ...
