"""The running app's services, one per type, for the handlers of every feature.

The wiring (wschat.server.runtime) adds each service once the app serves; a handler asks for the one it
calls (``services.get(ChatService)``), so a feature's handlers reach their service without importing the
wiring, and the wiring stays the only place that knows how the services are built.
"""

from __future__ import annotations

from typing import TypeVar

from wschat.errors import Unavailable

T = TypeVar("T")


class Services:
    def __init__(self, *services: object) -> None:
        self._by_type: dict[type, object] = {type(service): service for service in services}

    def get(self, kind: type[T]) -> T:
        """The service of exactly this type; Unavailable while the server starts or stops (none yet)."""
        service = self._by_type.get(kind)
        if not isinstance(service, kind):
            raise Unavailable("The server is starting or stopping.")
        return service
