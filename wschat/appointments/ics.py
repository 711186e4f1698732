"""An appointment as an iCalendar object (RFC 5545) with an iTIP method (RFC 5546): ``REQUEST`` when it is
booked (or moved), ``CANCEL`` when it is cancelled, both for the same ``UID`` with a higher ``SEQUENCE``.

Pure text: content lines end in CRLF and are folded at 75 octets (3.1), never inside a UTF-8 sequence;
TEXT values escape backslash, semicolon, comma and line breaks (3.3.11); parameter values are quoted and
lose what a quoted value cannot hold (3.1, ``param-value``). Times are UTC (``…Z``, 3.3.5 form #2), so no
``VTIMEZONE`` is needed and every calendar shows the meeting at its instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

_LIMIT = 75
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    organizer: Person
    attendee: Person
    #: An address (on site), a phone number, or the link to join the call.
    location: str = ""
    description: str = ""
    url: str = ""


def calendar(event: CalendarEvent, method: Method, stamp: datetime) -> bytes:
    """The ``text/calendar`` body for ``event`` sent with ``method`` at ``stamp`` (its ``DTSTAMP``)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//wsChat//Appointments//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method.value}",
        "BEGIN:VEVENT",
        f"UID:{text(event.uid)}",
        f"DTSTAMP:{utc(stamp)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.end)}",
        f"SUMMARY:{text(event.summary)}",
        f"ORGANIZER;CN={param(event.organizer.name)}:mailto:{event.organizer.email}",
    ]
    if event.attendee.email:  # none: the person was erased (their cancellation names nobody)
        lines.append(
            f"ATTENDEE;CN={param(event.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:"
            f"mailto:{event.attendee.email}"
        )
    lines.append(f"STATUS:{'CANCELLED' if method is Method.CANCEL else 'CONFIRMED'}")
    if event.location:
        lines.append(f"LOCATION:{text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines).encode()


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def text(value: str) -> str:
    """A TEXT value (3.3.11): line breaks as ``\\n``, the rest of the control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def param(value: str) -> str:
    """A quoted parameter value: no DQUOTE and no control character can be inside one."""
    return '"' + _CONTROL.sub("", value.replace("\n", " ").replace("\r", " ")).replace('"', "'") + '"'


def fold(line: str) -> str:
    """``line`` folded into pieces of at most 75 octets, each after the first led by one space (3.1)."""
    data = line.encode()
    if len(data) <= _LIMIT:
        return line
    pieces: list[str] = []
    current = ""
    size = 0
    limit = _LIMIT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, _LIMIT - 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)
