"""The mails of an appointment, in the reader's language and time zone: the confirmation (with the
``.ics`` as ``METHOD:REQUEST``), the cancellation (``METHOD:CANCEL``) and the reminder; each to the
visitor, and the first two to the agent as well when their hours name an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from wschat.appointments.ics import CalendarEvent, Method, Person, calendar
from wschat.appointments.models import Appointment, Kind, Lang
from wschat.mail.models import Attachment
from wschat.mail.render import Layout


class Moment(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    REMINDER = "reminder"


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "booked": "Your appointment is booked: {title}",
        "booked_agent": "New appointment: {title} with {name}",
        "cancelled": "Cancelled: {title}",
        "reminder": "Reminder: {title} tomorrow",
        "when": "When: {when}",
        "video": "A video call in the chat on {tenant}'s website: at the time, your contact calls you there.",
        "video_place": "Video call in the chat of {tenant}",
        "phone_place": "Phone call",
        "phone": "Phone call: we call you at {phone}.",
        "phone_none": "Phone call.",
        "on_site": "Where: {address}",
        "manage": "To cancel it, open {link}",
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
        "reminder": "Erinnerung: {title} morgen",
        "when": "Wann: {when}",
        "video": "Ein Videoanruf im Chat auf der Website von {tenant}: Zur Zeit des Termins ruft Ihre "
        "Ansprechperson Sie dort an.",
        "video_place": "Videoanruf im Chat von {tenant}",
        "phone_place": "Telefonat",
        "phone": "Telefonat: Wir rufen Sie unter {phone} an.",
        "phone_none": "Telefonat.",
        "on_site": "Wo: {address}",
        "manage": "Zum Absagen öffnen Sie {link}",
        "cancelled_text": "Dieser Termin wurde abgesagt; die Zeit ist wieder frei.",
        "who": "Gebucht von {name} ({email}{phone}).",
        "weekdays": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
        "months": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "date": "{weekday}, {day}. {month} {year}",
    },
}


def when(start: datetime, end: datetime, zone_name: str, lang: str) -> str:
    """``Monday, 15 June 2026, 10:00–10:30 (Europe/Berlin, UTC+02:00)`` in ``lang``."""
    words = _WORDS[lang]
    zone = ZoneInfo(zone_name)
    local, until = start.astimezone(zone), end.astimezone(zone)
    day = words["date"].format(
        weekday=words["weekdays"].split()[local.weekday()],
        day=local.day,
        month=words["months"].split()[local.month - 1],
        year=local.year,
    )
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
) -> list[Letter]:
    """The mails ``moment`` sends: the visitor's, and the agent's unless it is a reminder or no address."""
    out = [_letter(appointment, moment, appointment.email, appointment.lang, appointment.time_zone,
                   tenant_name, organizer, manage_link, now, agent=False)]  # fmt: skip
    if agent_email and moment is not Moment.REMINDER:
        out.append(_letter(appointment, moment, agent_email, appointment.lang, agent_zone,
                           tenant_name, organizer, "", now, agent=True))  # fmt: skip
    return out


def _letter(
    appointment: Appointment,
    moment: Moment,
    to: str,
    lang: Lang,
    zone: str,
    tenant_name: str,
    organizer: str,
    manage_link: str,
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
        paragraphs.append(_where(appointment, words, tenant_name))
    if agent:
        phone = f", {appointment.phone}" if appointment.phone else ""
        paragraphs.append(words["who"].format(name=appointment.name, email=appointment.email, phone=phone))
    elif moment is not Moment.CANCELLED:
        paragraphs.append(words["manage"].format(link=manage_link))
    attachments: tuple[Attachment, ...] = ()
    if moment is not Moment.REMINDER:
        method = Method.CANCEL if moment is Moment.CANCELLED else Method.REQUEST
        place = _place(appointment, words, tenant_name)
        attachments = (_ics(appointment, method, tenant_name, organizer, title, place, manage_link, now),)
    return Letter(to, subject, Layout(subject, tuple(paragraphs)), lang, attachments)


def _where(appointment: Appointment, words: dict[str, str], tenant_name: str) -> str:
    if appointment.kind is Kind.VIDEO:
        return words["video"].format(tenant=tenant_name)
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
    link: str,
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
        # The page that shows and cancels it (the visitor's copy only: the agent's has none).
        url=link,
    )
    return Attachment(
        filename="invite.ics" if method is Method.REQUEST else "cancel.ics",
        content_type="text/calendar",
        data=calendar(event, method, now),
    )
