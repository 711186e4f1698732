"""An agent's working hours as wall-clock spans in the tenant's time zone, and where they fall in real time.

A span is ``[start, end)`` in minutes since midnight (``end`` up to 1440, midnight of the next day), on a
five-minute grid. A day's spans are sorted and never overlap. The week holds spans per weekday; an
exception replaces the week's spans of one date (no spans: a day off; other spans: other or extra hours).

Daylight saving time (docs/appointments.md, *Time zones*): a span covers the real time from the first
instant its start names to the last instant its end names. So a wall time inside the spring-forward gap
does not exist (a span starting there starts when the clock jumps; no slot is ever offered inside it), and
in the autumn's repeated hour a span's start is that hour's first occurrence and its end the second: an
agent working 01:00–04:00 that night works four hours, and the repeated hour's slots are offered twice,
once with each offset.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

GRID_MINUTES = 5
DAY_MINUTES = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def wire(self) -> list[str]:
        return [clock_text(self.start), clock_text(self.end)]


def parse_clock(value: str) -> int:
    """``"09:30"`` as minutes since midnight; ``"24:00"`` is the end of the day. Raises ValueError."""
    match = _CLOCK.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a time of day as HH:MM")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > DAY_MINUTES:
        raise ValueError(f"{value!r} is after 24:00")
    if minutes % GRID_MINUTES:
        raise ValueError(f"{value!r} is not on the {GRID_MINUTES}-minute grid")
    return minutes


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    """A day's spans sorted; raises ValueError for a span that ends before it starts, or two that overlap."""
    ordered = sorted(spans)
    for span in ordered:
        if span.end <= span.start:
            raise ValueError(f"{clock_text(span.start)}–{clock_text(span.end)} ends before it starts")
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ValueError(
                f"{clock_text(before.start)}–{clock_text(before.end)} and "
                f"{clock_text(after.start)}–{clock_text(after.end)} overlap"
            )
    return tuple(ordered)


@dataclass(frozen=True)
class AgentHours:
    """One agent's week (weekday 0 = Monday) and the exceptions of single dates."""

    agent_id: str
    week: Mapping[int, tuple[Span, ...]] = field(default_factory=dict)
    exceptions: Mapping[date, tuple[Span, ...]] = field(default_factory=dict)

    def on(self, day: date) -> tuple[Span, ...]:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.week.get(day.weekday(), ())


def instants(day: date, span: Span, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The real (UTC) time a span of ``day`` covers, by the rules of the module's docstring."""
    return _instant(day, span.start, zone, first=True), _instant(day, span.end, zone, first=False)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``."""
    return _instant(day, 0, zone, first=True)


def _instant(day: date, minutes: int, zone: ZoneInfo, *, first: bool) -> datetime:
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early.astimezone(zone).replace(tzinfo=None) != wall:
        # In the spring-forward gap this wall time names no instant: the clock jumps over it at the one
        # instant between the two readings.
        return _jump(min(early, late), max(early, late), zone)
    return early if first else max(early, late)


def _jump(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The instant in ``(low, high]`` at which ``zone``'s offset changes (to the minute)."""
    offset = high.astimezone(zone).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) // 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return high


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ValueError if there is none by that name (no file paths, no
    ``localtime``: only the names the zone database lists)."""
    if name not in _zone_names():
        raise ValueError(f"{name[:60]!r} is not a time zone (an IANA name such as Europe/Berlin)")
    return ZoneInfo(name)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones() - {"localtime", "posixrules", "Factory"} | {"UTC"})
