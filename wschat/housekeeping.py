"""Housekeeping steps that fail on their own: one failing step never stops the others.

Every few seconds each process runs its housekeeping (the janitor's steps, call expiry, the first-run
password file). A step that raises is logged — with its traceback the first time, in one line while it goes
on failing — and not tried again until its back-off has passed (5 s, doubling, at most 5 minutes), so a
broken step neither floods the log nor hammers a struggling database. The other steps run on. A step that
has been failing for longer than :data:`UNHEALTHY_AFTER` makes the process report not ready (``/readyz``),
so that an operator's monitoring sees it; its first success clears it and says so in the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from wschat.clock import Clock

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(seconds=5)
MAX_BACKOFF = timedelta(minutes=5)
#: A step that takes longer than this many seconds is logged (a database struggling, or too much to do).
SLOW_STEP = 1.0
#: A step failing for this long makes the process not ready.
UNHEALTHY_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Failing:
    step: str
    since: datetime
    failures: int
    retry_at: datetime

    def to_wire(self) -> dict[str, object]:
        return {"step": self.step, "since": self.since.isoformat(), "failures": self.failures}


class Steps:
    """Runs named steps, each isolated, with a back-off per step after a failure."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._failing: dict[str, Failing] = {}

    async def run(self, name: str, step: Callable[[], Awaitable[object]]) -> bool:
        """Run ``step`` unless it is backing off; False if it failed or was skipped."""
        now = self.clock()
        failing = self._failing.get(name)
        if failing is not None and now < failing.retry_at:
            return False
        started = time.monotonic()
        try:
            await step()
        except Exception as error:
            self._failed(name, failing, now, error)
            return False
        took = time.monotonic() - started
        if took > SLOW_STEP:
            log.warning("housekeeping step %s took %.1f s", name, took)
        if failing is not None:
            log.warning("housekeeping step %s works again after %d failures", name, failing.failures)
            del self._failing[name]
        return True

    def unhealthy(self) -> list[Failing]:
        """The steps that have been failing for longer than :data:`UNHEALTHY_AFTER`."""
        now = self.clock()
        return [f for f in self._failing.values() if now - f.since >= UNHEALTHY_AFTER]

    def _failed(self, name: str, before: Failing | None, now: datetime, error: Exception) -> None:
        failures = 1 if before is None else before.failures + 1
        backoff = min(FIRST_BACKOFF * 2 ** (failures - 1), MAX_BACKOFF)
        since = now if before is None else before.since
        self._failing[name] = Failing(name, since, failures, now + backoff)
        if before is None:
            log.exception(
                "housekeeping step %s failed; trying again in %.0f s", name, backoff.total_seconds()
            )
        else:
            log.error(
                "housekeeping step %s failed again (%s; %d times since %s); trying again in %.0f s",
                name,
                type(error).__name__,
                failures,
                since.isoformat(timespec="seconds"),
                backoff.total_seconds(),
            )
