"""What one feature tells the others that follow it, without importing them.

A service publishes a small event (``ConversationClosed``, ``TenantSettingsChanged``); the subscribers are
listed in one place, ``wschat.server.subscriptions``, so a reader who sees ``publish(...)`` finds there
everything that happens next. Subscribers run at once, one after the other, inside the publisher's call:
an error in one reaches the publisher as it did before there were events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

E = TypeVar("E")


class DomainEvents:
    def __init__(self) -> None:
        self._subscribers: dict[type, list[Callable[[Any], Awaitable[None]]]] = {}

    def subscribe(self, kind: type[E], subscriber: Callable[[E], Awaitable[None]]) -> None:
        self._subscribers.setdefault(kind, []).append(subscriber)

    async def publish(self, event: object) -> None:
        for subscriber in self._subscribers.get(type(event), ()):
            await subscriber(event)
