"""The mails of an appointment, in the reader's language and time zone: the confirmation (with the
``.ics`` as ``METHOD:REQUEST``), the cancellation (``METHOD:CANCEL``) and the reminder; each to the
visitor, and the first two to the agent as well when their hours name an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from wschat.appointments.ics import CalendarEvent, Method, Person, calendar
from wschat.appointments.models import Appointment, Kind, Lang
from wschat.mail.models import Attachment
from wschat.mail.render import Layout


class Moment(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    REMINDER = "reminder"


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "booked": "Your appointment is booked: {title}",
        "booked_agent": "New appointment: {title} with {name}",
        "cancelled": "Cancelled: {title}",
        "moved": "Moved: {title}",
        "moved_text": "This appointment was moved: the time above is the new one.",
        "join": "At the time, join the video call here: {link} (it opens 10 minutes before the start).",
        "video_agent": "A video call in wsChat: start it from the console's Appointments page.",
        "reminder": "Reminder: {title} tomorrow",
        "when": "When: {when}",
        "video": "A video call with {tenant}.",
        "video_place": "Video call in the chat of {tenant}",
        "phone_place": "Phone call",
        "phone": "Phone call: we call you at {phone}.",
        "phone_none": "Phone call.",
        "on_site": "Where: {address}",
        "manage": "To cancel or move it, open {link}",
        "cancelled_text": "This appointment was cancelled; its time is free again.",
        "who": "Booked by {name} ({email}{phone}).",
        "weekdays": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "months": "January February March April May June July August September October November December",
        "date": "{weekday}, {day} {month} {year}",
    },
    "de": {
        "booked": "Ihr Termin ist gebucht: {title}",
        "booked_agent": "Neuer Termin: {title} mit {name}",
        "cancelled": "Abgesagt: {title}",
        "moved": "Verschoben: {title}",
        "moved_text": "Dieser Termin wurde verschoben: Die Zeit oben ist die neue.",
        "join": "Zur Zeit des Termins nehmen Sie hier am Videoanruf teil: {link} (die Seite öffnet 10 "
        "Minuten vor Beginn).",
        "video_agent": "Ein Videoanruf in wsChat: Starten Sie ihn auf der Seite Termine der Konsole.",
        "reminder": "Erinnerung: {title} morgen",
        "when": "Wann: {when}",
        "video": "Ein Videoanruf mit {tenant}.",
        "video_place": "Videoanruf im Chat von {tenant}",
        "phone_place": "Telefonat",
        "phone": "Telefonat: Wir rufen Sie unter {phone} an.",
        "phone_none": "Telefonat.",
        "on_site": "Wo: {address}",
        "manage": "Zum Absagen oder Verschieben öffnen Sie {link}",
        "cancelled_text": "Dieser Termin wurde abgesagt; die Zeit ist wieder frei.",
        "who": "Gebucht von {name} ({email}{phone}).",
        "weekdays": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
        "months": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "date": "{weekday}, {day}. {month} {year}",
    },
}


def day_name(day: date, lang: str) -> str:
    """``Monday, 15 June 2026`` in ``lang``."""
    words = _WORDS[lang]
    return words["date"].format(
        weekday=words["weekdays"].split()[day.weekday()],
        day=day.day,
        month=words["months"].split()[day.month - 1],
        year=day.year,
    )


def when(start: datetime, end: datetime, zone_name: str, lang: str) -> str:
    """``Monday, 15 June 2026, 10:00–10:30 (Europe/Berlin, UTC+02:00)`` in ``lang``."""
    zone = ZoneInfo(zone_name)
    local, until = start.astimezone(zone), end.astimezone(zone)
    day = day_name(local.date(), lang)
    offset = local.strftime("%z")
    return f"{day}, {local:%H:%M}–{until:%H:%M} ({zone_name}, UTC{offset[:3]}:{offset[3:]})"


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    layout: Layout
    lang: Lang
    attachments: tuple[Attachment, ...]


def letters(
    appointment: Appointment,
    moment: Moment,
    *,
    tenant_name: str,
    organizer: str,
    manage_link: str,
    agent_email: str | None,
    agent_zone: str,
    now: datetime,
    join_link: str = "",
    to_visitor: bool = True,
) -> list[Letter]:
    """The mails ``moment`` sends: the visitor's (unless ``to_visitor`` is false), and the agent's unless it
    is a reminder or no address. ``join_link`` (a video appointment's call page) is in the visitor's only."""
    links = _Links(manage_link, join_link if appointment.kind is Kind.VIDEO else "")
    out = []
    if to_visitor:
        out.append(_letter(appointment, moment, appointment.email, appointment.lang, appointment.time_zone,
                           tenant_name, organizer, links, now, agent=False))  # fmt: skip
    if agent_email and moment is not Moment.REMINDER:
        out.append(_letter(appointment, moment, agent_email, appointment.lang, agent_zone,
                           tenant_name, organizer, _Links("", ""), now, agent=True))  # fmt: skip
    return out


@dataclass(frozen=True)
class _Links:
    manage: str
    join: str


def _letter(
    appointment: Appointment,
    moment: Moment,
    to: str,
    lang: Lang,
    zone: str,
    tenant_name: str,
    organizer: str,
    links: _Links,
    now: datetime,
    *,
    agent: bool,
) -> Letter:
    words = _WORDS[lang]
    title = appointment.title.get(lang) or appointment.title["en"]
    key = "booked_agent" if agent and moment is Moment.BOOKED else moment.value
    subject = words[key].format(title=title, name=appointment.name)
    paragraphs = [words["when"].format(when=when(appointment.starts_at, appointment.ends_at, zone, lang))]
    if moment is Moment.CANCELLED:
        paragraphs.append(words["cancelled_text"])
    else:
        if moment is Moment.MOVED:
            paragraphs.append(words["moved_text"])
        paragraphs.append(_where(appointment, words, tenant_name, agent=agent))
        if links.join:
            paragraphs.append(words["join"].format(link=links.join))
    if agent and appointment.email:
        phone = f", {appointment.phone}" if appointment.phone else ""
        paragraphs.append(words["who"].format(name=appointment.name, email=appointment.email, phone=phone))
    elif moment is not Moment.CANCELLED:
        paragraphs.append(words["manage"].format(link=links.manage))
    attachments: tuple[Attachment, ...] = ()
    if moment is not Moment.REMINDER:
        method = Method.CANCEL if moment is Moment.CANCELLED else Method.REQUEST
        # A video appointment's place is its call page (the visitor's copy; the agent starts it in wsChat).
        place = links.join or _place(appointment, words, tenant_name)
        attachments = (_ics(appointment, method, tenant_name, organizer, title, place, links, now),)
    return Letter(to, subject, Layout(subject, tuple(paragraphs)), lang, attachments)


def _where(appointment: Appointment, words: dict[str, str], tenant_name: str, *, agent: bool) -> str:
    if appointment.kind is Kind.VIDEO:
        return words["video_agent"] if agent else words["video"].format(tenant=tenant_name)
    if appointment.kind is Kind.PHONE:
        return words["phone"].format(phone=appointment.phone) if appointment.phone else words["phone_none"]
    return words["on_site"].format(address=appointment.location)


def _place(appointment: Appointment, words: dict[str, str], tenant_name: str) -> str:
    """The calendar entry's ``LOCATION``: the address, or what kind of call it is."""
    if appointment.kind is Kind.ON_SITE:
        return appointment.location
    return words[f"{appointment.kind.value}_place"].format(tenant=tenant_name)


def _ics(
    appointment: Appointment,
    method: Method,
    tenant_name: str,
    organizer: str,
    title: str,
    location: str,
    links: _Links,
    now: datetime,
) -> Attachment:
    event = CalendarEvent(
        uid=f"{appointment.id}@wschat",
        sequence=appointment.sequence,
        start=appointment.starts_at,
        end=appointment.ends_at,
        summary=f"{title} ({tenant_name})",
        organizer=Person(tenant_name, organizer),
        attendee=Person(appointment.name, appointment.email),
        location=location,
        description=links.join,
        # The page that shows, moves and cancels it (the visitor's copy only: the agent's has none).
        url=links.manage,
    )
    return Attachment(
        filename="invite.ics" if method is Method.REQUEST else "cancel.ics",
        content_type="text/calendar",
        data=calendar(event, method, now),
    )
