"""An event on an agent's socket: the socket, and the user signed in on it (checked again every 30 s)."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.accounts.models import Principal
from wschat.boundary.sockets import SocketContext


@dataclass(frozen=True, kw_only=True)
class AgentContext(SocketContext):
    principal: Principal
