"""Records a process keeps in memory, forgotten the moment they change, in this process or another.

The message path reads the same two records for every message: the visitor who sends and the conversation
it goes to. Both change rarely (a transition, a read marker, contact data) and are read thousands of times a
second, so each process keeps the ones in use (:class:`RecordCache`, least recently used first out) and
the stores forget a record whenever they change it (wschat.storage.cached). Other processes hear of it
through :class:`Caches` (the Redis manager carries the order, wschat.server.redis_manager); when the process
may have missed such an order (Redis lost), it forgets everything.

A read that raced with a change must not put the old state back: :meth:`RecordCache.fill` stores a loaded
record only if nothing was forgotten since the load began (:meth:`RecordCache.mark`). Under many changes
this costs hits, never correctness.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")

#: Records kept per cache: far more than the open chats and visitors on line of one process.
CAPACITY = 20_000

#: What a forget order for other processes looks like: the cache's name, record keys, group keys.
Order = dict[str, Any]


class RecordCache(Generic[R]):
    """Records by key, at most ``capacity``; each may belong to a group (a conversation to its visitor) so
    that a change to the whole group forgets them all."""

    def __init__(
        self, name: str, capacity: int = CAPACITY, group: Callable[[R], Hashable] | None = None
    ) -> None:
        self.name = name
        self._capacity = capacity
        self._group = group
        self._items: OrderedDict[Hashable, R] = OrderedDict()
        self._groups: dict[Hashable, set[Hashable]] = {}
        #: Counts every forget: a load that began before the last one may have read what it forgot.
        self._epoch = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> R | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item

    def mark(self) -> int:
        """Before a load: the moment :meth:`fill` compares with."""
        return self._epoch

    def fill(self, key: Hashable, item: R, mark: int) -> None:
        """Keep a loaded record, unless anything was forgotten since ``mark`` (it may be this one)."""
        if mark != self._epoch:
            return
        self._drop(key)
        self._items[key] = item
        if self._group is not None:
            self._groups.setdefault(self._group(item), set()).add(key)
        while len(self._items) > self._capacity:
            self._drop(next(iter(self._items)))

    def forget(self, keys: Iterable[Hashable] = (), groups: Iterable[Hashable] = ()) -> None:
        self._epoch += 1
        for key in keys:
            self._drop(key)
        for group in groups:
            for key in list(self._groups.get(group, ())):
                self._drop(key)

    def clear(self) -> None:
        self._epoch += 1
        self._items.clear()
        self._groups.clear()

    def _drop(self, key: Hashable) -> None:
        item = self._items.pop(key, None)
        if item is None or self._group is None:
            return
        group = self._group(item)
        members = self._groups.get(group)
        if members is not None:
            members.discard(key)
            if not members:
                del self._groups[group]


class Caches:
    """This process's record caches, and the way their forget orders reach the other processes."""

    def __init__(self) -> None:
        self._caches: dict[str, RecordCache[Any]] = {}
        #: Set by the Redis manager when there are other processes: sends an order to them.
        self.publish: Callable[[Order], Awaitable[None]] | None = None

    def add(self, cache: RecordCache[R]) -> RecordCache[R]:
        self._caches[cache.name] = cache
        return cache

    async def forget(self, name: str, keys: Iterable[str] = (), groups: Iterable[str] = ()) -> None:
        """Forget here, then tell the other processes."""
        order = {"cache": name, "keys": list(keys), "groups": list(groups)}
        self.apply(order)
        if self.publish is not None:
            await self.publish(order)

    async def forget_all(self) -> None:
        """After a change nobody can name record by record (a tenant's data deleted)."""
        self.clear()
        if self.publish is not None:
            await self.publish({"cache": "*", "keys": [], "groups": []})

    def apply(self, order: Order) -> None:
        """An order from this process or another; anything malformed clears everything (safe, not fast)."""
        name, keys, groups = order.get("cache"), order.get("keys"), order.get("groups")
        cache = self._caches.get(name) if isinstance(name, str) else None
        if cache is None or not isinstance(keys, list) or not isinstance(groups, list):
            if name != "*":
                log.warning("a cache order could not be read; forgetting every cached record")
            self.clear()
            return
        cache.forget(keys, groups)

    def clear(self) -> None:
        for cache in self._caches.values():
            cache.clear()

    def stats(self) -> dict[str, dict[str, int]]:
        return {
            name: {"records": len(cache), "hits": cache.hits, "misses": cache.misses}
            for name, cache in self._caches.items()
        }
