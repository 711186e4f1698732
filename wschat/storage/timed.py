"""Every store call timed, for the metrics: either adapter's stores, each wrapped once where the app opens
the database, and only when metrics are on (``wschat.server.metrics``).

A wrapped store hands every attribute on; a coroutine method comes back timed, built on its first use and
kept on the wrapper, so later calls cost one extra coroutine frame and one observation (a few microseconds:
``bench/store_timing.py`` measures it). Async generators and plain methods are handed on untimed. Only the
drivers' errors (:data:`~wschat.storage.DATABASE_ERRORS`) count as failures: ``Superseded`` and the like are
answers, not faults.
"""

from __future__ import annotations

import dataclasses
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

from wschat.storage import DATABASE_ERRORS, Stores


class Operation(Protocol):
    """Where one store method's calls are recorded."""

    def observe(self, seconds: float) -> None: ...

    def failed(self) -> None: ...


#: ``(store, method)`` → where its calls go; called once per method and wrapper.
Recorder = Callable[[str, str], Operation]


def timed_stores(stores: Stores, record: Recorder) -> Stores:
    """``stores`` with every coroutine method of every store timed into ``record``."""
    wrapped = {
        f.name: TimedStore(getattr(stores, f.name), f.name, record) for f in dataclasses.fields(stores)
    }
    return dataclasses.replace(stores, **cast(dict[str, Any], wrapped))


class TimedStore:
    def __init__(self, inner: object, name: str, record: Recorder) -> None:
        self._inner = inner
        self._name = name
        self._record = record

    def __getattr__(self, name: str) -> Any:
        # Called only for names not yet on the wrapper: a timed method is kept on it after its first use.
        found = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(found):
            return found
        timed = _timed(found, self._record(self._name, name))
        setattr(self, name, timed)
        return timed


def _timed(method: Callable[..., Awaitable[Any]], operation: Operation) -> Callable[..., Awaitable[Any]]:
    async def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return await method(*args, **kwargs)
        except DATABASE_ERRORS:
            operation.failed()
            raise
        finally:
            operation.observe(time.perf_counter() - began)

    return timed
