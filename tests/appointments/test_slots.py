"""Free slots as pure functions: both daylight-saving changes of Europe/Berlin, a visitor in another zone,
the horizon's edge, buffers, minimum notice and exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wschat.appointments.hours import AgentHours, Span, check_spans, instants, parse_clock, zone_of
from wschat.appointments.slots import CELL, Rules, Slot, by_day, cells, free_slots

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SUNDAY = 6
MINUTES = timedelta(minutes=1)


def hm(text: str) -> int:
    return parse_clock(text)


def walls(slots: list[Slot], zone: ZoneInfo = BERLIN) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%H:%M%z") for slot in slots]


def on_day(
    rules: Rules, hours: AgentHours, day: date, now: datetime, taken: dict | None = None
) -> list[Slot]:
    low = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=4)
    return free_slots(rules, BERLIN, [hours], taken or {}, now, low, low + timedelta(hours=27))


def test_slots_in_the_spring_forward_gap_do_not_exist() -> None:
    # 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST.
    hours = AgentHours("usr_a", {SUNDAY: (Span(hm("01:00"), hm("04:00")),)})
    rules = Rules(timedelta(minutes=30), horizon_days=60)

    slots = on_day(rules, hours, date(2026, 3, 29), datetime(2026, 3, 1, tzinfo=UTC))

    assert walls(slots) == [
        "01:00+0100", "01:15+0100", "01:30+0100", "01:45+0100",
        "03:00+0200", "03:15+0200", "03:30+0200",
    ]  # fmt: skip
    # The 01:45 slot runs over the jump: 30 real minutes, ending at 03:15 CEST.
    assert slots[3].end - slots[3].start == timedelta(minutes=30)


def test_a_span_starting_in_the_gap_starts_when_the_clock_jumps() -> None:
    start, end = instants(date(2026, 3, 29), Span(hm("02:30"), hm("04:00")), BERLIN)
    assert start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    start, end = instants(date(2026, 3, 29), Span(hm("00:00"), hm("02:30")), BERLIN)
    assert end == datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "a span ending in the gap ends at the jump"


def test_the_repeated_autumn_hour_is_offered_once_per_offset() -> None:
    # 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET; 02:00–03:00 happens twice.
    hours = AgentHours("usr_a", {SUNDAY: (Span(hm("01:00"), hm("04:00")),)})
    rules = Rules(timedelta(minutes=60), horizon_days=300)

    slots = on_day(rules, hours, date(2026, 10, 25), datetime(2026, 3, 1, tzinfo=UTC))

    assert walls(slots) == [
        "01:00+0200", "01:15+0200", "01:30+0200", "01:45+0200",
        "02:00+0200", "02:15+0200", "02:30+0200", "02:45+0200",
        "02:00+0100", "02:15+0100", "02:30+0100", "02:45+0100", "03:00+0100",
    ]  # fmt: skip
    # The span is four real hours long: its start the first 01:00, its end the one 04:00 (after the repeat).
    assert slots[-1].end == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert len({slot.start for slot in slots}) == len(slots)


def test_a_span_ending_in_the_repeated_hour_ends_at_its_second_occurrence() -> None:
    start, end = instants(date(2026, 10, 25), Span(hm("00:00"), hm("02:30")), BERLIN)
    assert start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_a_visitor_in_another_zone_sees_the_slots_on_their_own_dates() -> None:
    # 09:00–11:00 Berlin on Monday 2026-06-15 is 03:00–05:00 in New York; 00:00–01:00 Berlin is the
    # evening before there.
    hours = AgentHours("usr_a", {0: (Span(hm("00:00"), hm("01:00")), Span(hm("09:00"), hm("11:00")))})
    rules = Rules(timedelta(minutes=60), horizon_days=30)

    slots = on_day(rules, hours, date(2026, 6, 15), datetime(2026, 6, 1, tzinfo=UTC))
    days = by_day(slots, NEW_YORK)

    assert [d for d, _ in days] == [date(2026, 6, 14), date(2026, 6, 15)]
    assert walls(days[0][1], NEW_YORK) == ["18:00-0400"]
    assert walls(days[1][1], NEW_YORK) == [
        "03:00-0400",
        "03:15-0400",
        "03:30-0400",
        "03:45-0400",
        "04:00-0400",
    ]


def test_the_horizon_ends_with_its_last_day_in_the_tenants_zone() -> None:
    hours = AgentHours("usr_a", {d: (Span(hm("09:00"), hm("10:00")),) for d in range(7)})
    rules = Rules(timedelta(minutes=60), horizon_days=3)
    # 23:30 UTC on 2026-06-01 is already 2026-06-02 in Berlin: "today" is the 2nd, the last day the 5th.
    now = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)

    slots = free_slots(rules, BERLIN, [hours], {}, now)

    assert [s.start.astimezone(BERLIN).date() for s in slots] == [date(2026, 6, d) for d in (2, 3, 4, 5)]


def test_minimum_notice_hides_slots_that_start_too_soon() -> None:
    hours = AgentHours("usr_a", {0: (Span(hm("09:00"), hm("12:00")),)})
    rules = Rules(timedelta(minutes=30), min_notice=timedelta(minutes=90), horizon_days=1)
    now = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Berlin

    slots = free_slots(rules, BERLIN, [hours], {}, now)

    assert walls(slots)[0] == "10:30+0200"
    assert walls(free_slots(rules, BERLIN, [hours], {}, now - MINUTES))[0] == "10:30+0200"
    assert walls(free_slots(rules, BERLIN, [hours], {}, now - 16 * MINUTES))[0] == "10:15+0200"


def test_buffers_keep_the_time_around_a_booking_free() -> None:
    hours = AgentHours("usr_a", {0: (Span(hm("09:00"), hm("12:00")),)})
    rules = Rules(timedelta(minutes=30), timedelta(minutes=15), timedelta(minutes=15), horizon_days=30)
    # Booked 10:00–10:30 with its buffers: 09:45–10:45 blocked.
    booked = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    taken = {"usr_a": cells(*rules.blocked(booked))}

    slots = on_day(rules, hours, date(2026, 6, 15), datetime(2026, 6, 1, tzinfo=UTC), taken)

    # A slot's own buffers must not meet the blocked time either: 09:00 (08:45–09:45) fits, 09:15 does not.
    assert walls(slots) == ["09:00+0200", "11:00+0200", "11:15+0200", "11:30+0200"]


def test_a_slot_with_buffers_may_reach_past_the_hours_but_the_meeting_may_not() -> None:
    hours = AgentHours("usr_a", {0: (Span(hm("09:00"), hm("10:00")),)})
    rules = Rules(timedelta(minutes=30), timedelta(minutes=30), timedelta(minutes=30), horizon_days=30)

    slots = on_day(rules, hours, date(2026, 6, 15), datetime(2026, 6, 1, tzinfo=UTC))

    assert walls(slots) == ["09:00+0200", "09:15+0200", "09:30+0200"]


def test_an_exception_replaces_the_weeks_hours_of_its_date() -> None:
    week = {0: (Span(hm("09:00"), hm("10:00")),)}
    rules = Rules(timedelta(minutes=60), horizon_days=60)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    day_off = AgentHours("usr_a", week, {date(2026, 6, 15): ()})
    other_hours = AgentHours("usr_a", week, {date(2026, 6, 15): (Span(hm("14:00"), hm("15:00")),)})
    saturday = AgentHours("usr_a", week, {date(2026, 6, 20): (Span(hm("10:00"), hm("11:00")),)})

    assert on_day(rules, day_off, date(2026, 6, 15), now) == []
    assert walls(on_day(rules, other_hours, date(2026, 6, 15), now)) == ["14:00+0200"]
    assert walls(on_day(rules, day_off, date(2026, 6, 22), now)) == ["09:00+0200"]
    assert walls(on_day(rules, saturday, date(2026, 6, 20), now)) == ["10:00+0200"]


def test_a_slot_is_offered_once_with_every_agent_free_for_it() -> None:
    span = {0: (Span(hm("09:00"), hm("10:00")),)}
    a, b = AgentHours("usr_a", span), AgentHours("usr_b", span)
    rules = Rules(timedelta(minutes=60), horizon_days=30)
    taken = {"usr_a": cells(datetime(2026, 6, 15, 7, tzinfo=UTC), datetime(2026, 6, 15, 8, tzinfo=UTC))}

    slots = free_slots(rules, BERLIN, [a, b], taken, datetime(2026, 6, 14, tzinfo=UTC))

    assert slots[0].agents == ("usr_b",)
    assert slots[1].agents == ("usr_a", "usr_b")


def test_cells_cover_the_blocked_time_on_the_grid() -> None:
    start = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    got = cells(start - timedelta(minutes=3), start + timedelta(minutes=11))
    assert got[0] == start - CELL
    assert got[-1] == start + 2 * CELL
    assert len(got) == 4


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([("10:00", "09:00")], "ends before it starts"),
        ([("10:00", "10:00")], "ends before it starts"),
        ([("09:00", "12:00"), ("11:00", "13:00")], "overlap"),
    ],
)
def test_hours_that_end_before_they_start_or_overlap_are_refused(spans: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_spans(Span(parse_clock(a), parse_clock(b)) for a, b in spans)


@pytest.mark.parametrize("text", ["9:00", "25:00", "24:05", "09:03", "ab:cd", "09:00:00"])
def test_times_of_day_off_the_grid_or_not_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM|grid|after 24:00"):
        parse_clock(text)


@pytest.mark.parametrize("name", ["Europe/Atlantis", "../../etc/passwd", "localtime", "", "Europe/berlin"])
def test_a_time_zone_that_does_not_exist_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a time zone"):
        zone_of(name)
