"""The .ics builder, read back by a real iCalendar parser (the ``icalendar`` package)."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from wschat.appointments.ics import CalendarEvent, Method, Person, calendar, fold

START = datetime(2026, 3, 29, 1, 45, tzinfo=UTC)
EVENT = CalendarEvent(
    uid="apt_0123456789abcdef01234567@chat.example",
    sequence=0,
    start=START,
    end=datetime(2026, 3, 29, 2, 15, tzinfo=UTC),
    summary="Beratung, Videoanruf; mit Ümläuten \\ und mehr",
    organizer=Person('ACME "GmbH"', "appointments@acme.example"),
    attendee=Person("Dora Dörfler", "dora@example.org"),
    location="Hauptstraße 1, 20095 Hamburg\nEingang B",
    description="x" * 200,
)


def test_the_calendar_parses_with_the_instant_and_method() -> None:
    parsed = icalendar.Calendar.from_ical(calendar(EVENT, Method.REQUEST, START))
    event = parsed.walk("VEVENT")[0]

    assert str(parsed["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == datetime(2026, 3, 29, 2, 15, tzinfo=UTC)
    assert str(event["UID"]) == EVENT.uid
    assert str(event["SUMMARY"]) == EVENT.summary
    assert str(event["LOCATION"]) == EVENT.location
    assert str(event["ORGANIZER"]) == "mailto:appointments@acme.example"
    assert event["ORGANIZER"].params["CN"] == "ACME 'GmbH'"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTAMP") == START


def test_a_cancel_names_the_same_uid_with_a_higher_sequence() -> None:
    cancelled = CalendarEvent(**{**EVENT.__dict__, "sequence": 1})
    parsed = icalendar.Calendar.from_ical(calendar(cancelled, Method.CANCEL, START))
    event = parsed.walk("VEVENT")[0]

    assert str(parsed["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == EVENT.uid
    assert int(event["SEQUENCE"]) == 1


def test_lines_end_in_crlf_and_are_folded_at_75_octets() -> None:
    body = calendar(EVENT, Method.REQUEST, START)

    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines), "the long description is folded"
    for line in lines:
        line.decode()  # no UTF-8 sequence is cut by a fold


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "SUMMARY:" + "ü" * 100
    folded = fold(line)
    pieces = folded.split("\r\n ")
    assert "".join(pieces) == line
    assert all(len(piece.encode()) <= 75 for piece in pieces[:1])
    assert all(len(piece.encode()) <= 74 for piece in pieces[1:])
