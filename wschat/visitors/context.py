"""An event on a visitor's socket: the socket, and the visitor whose widget session opened it."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.boundary.sockets import SocketContext
from wschat.visitors.models import Visitor


@dataclass(frozen=True, kw_only=True)
class VisitorContext(SocketContext):
    visitor: Visitor
