"""Free slots, as pure functions of the type's rules, the agents' hours, what they have booked, and now.

A slot of a type starts every :data:`STEP` from the start of an agent's span (in real time, so that the
daylight-saving rules of ``hours.py`` hold) and must end inside the span. It is free for an agent when the
time it blocks — the meeting with the type's buffers before and after — meets none of the agent's blocked
time. Booked time is kept as :data:`CELL`-long cells (``cells``): the store holds one claim per cell under
a unique key, so two bookings that would overlap cannot both be stored, whoever comes first.

Offered are the slots starting no earlier than now plus the type's minimum notice, and on a date (in the
tenant's zone) no later than today plus the type's horizon in days.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from wschat.appointments.hours import AgentHours, day_start, instants

STEP = timedelta(minutes=15)
CELL = timedelta(minutes=5)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Rules:
    """What of an appointment type decides its slots."""

    duration: timedelta
    buffer_before: timedelta = timedelta()
    buffer_after: timedelta = timedelta()
    min_notice: timedelta = timedelta()
    horizon_days: int = 30

    def blocked(self, start: datetime) -> tuple[datetime, datetime]:
        """The time a meeting starting at ``start`` keeps its agent from others."""
        return start - self.buffer_before, start + self.duration + self.buffer_after


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    #: The agents free for it, in the order they were given.
    agents: tuple[str, ...]


def cells(start: datetime, end: datetime) -> list[datetime]:
    """The cells ``[start, end)`` touches, each by its start (on the grid counted from the epoch)."""
    first = _EPOCH + (start - _EPOCH) // CELL * CELL
    out = []
    cell = first
    while cell < end:
        out.append(cell)
        cell += CELL
    return out


def window(rules: Rules, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The instants a slot's start may take: from now plus the notice to the end of the horizon's last day."""
    today = now.astimezone(zone).date()
    last = today + timedelta(days=rules.horizon_days)
    return now + rules.min_notice, day_start(last + timedelta(days=1), zone)


def free_slots(
    rules: Rules,
    zone: ZoneInfo,
    hours: Sequence[AgentHours],
    taken: Mapping[str, Iterable[datetime]],
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Slot]:
    """Every slot offered now whose start lies in ``[since, until)`` (both optional), by start; ``taken``
    holds each agent's booked cells."""
    low, high = window(rules, zone, now)
    low = max(low, since) if since is not None else low
    high = min(high, until) if until is not None else high
    found: dict[datetime, list[str]] = {}
    for agent in hours:
        busy = sorted(taken.get(agent.agent_id, ()))
        for start in _starts(rules, zone, agent, low, high):
            if _is_free(busy, *rules.blocked(start)):
                found.setdefault(start, []).append(agent.agent_id)
    return [Slot(start, start + rules.duration, tuple(found[start])) for start in sorted(found)]


def _starts(
    rules: Rules, zone: ZoneInfo, agent: AgentHours, low: datetime, high: datetime
) -> Iterator[datetime]:
    """The starts in ``[low, high)`` that fit one of the agent's spans, by day."""
    # The days a start in [low, high) can fall on, with a day's margin for spans that run past midnight.
    day = low.astimezone(zone).date() - timedelta(days=1)
    last = high.astimezone(zone).date()
    while day <= last:
        for span in agent.on(day):
            begin, end = instants(day, span, zone)
            start = begin
            while start + rules.duration <= end:
                if low <= start < high:
                    yield start
                start += STEP
        day += timedelta(days=1)


def _is_free(busy: Sequence[datetime], start: datetime, end: datetime) -> bool:
    """Whether no busy cell meets ``[start, end)``."""
    first = _EPOCH + (start - _EPOCH) // CELL * CELL
    at = bisect_left(busy, first)
    return at == len(busy) or busy[at] >= end


def by_day(slots: Iterable[Slot], zone: ZoneInfo) -> list[tuple[date, list[Slot]]]:
    """Slots grouped by their start's date in ``zone`` (the visitor's), in order."""
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    return sorted(days.items())
