"""The page a confirmation mail's link opens, rendered on the server in the visitor's language, in the
tenant's name: when and where the appointment is, the join link of a video appointment, a form that moves
it to another free time (radio buttons grouped by day, in the visitor's zone) and one that cancels it.
Plain HTML with its styles inline; no script, nothing loaded from anywhere."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from wschat.accounts.models import Tenant
from wschat.appointments.mails import day_name, when
from wschat.appointments.models import Appointment, Kind, Status
from wschat.appointments.payloads import SlotsAck

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your appointment",
        "cancel": "Cancel this appointment",
        "cancelled": "This appointment is cancelled. Its time is free again.",
        "move": "Move it to another time",
        "move_button": "Move to this time",
        "no_slots": "No free time in these days.",
        "later": "Later days",
        "zone": "Times in your time zone ({zone}).",
        "video": "A video call.",
        "join": "Join the video call",
        "join_when": "(the page opens 10 minutes before the start)",
        "phone": "A phone call.",
        "error": "This link cannot be used",
        "your_time": "In your time zone",
        "their_time": "In {tenant}'s time zone",
    },
    "de": {
        "title": "Ihr Termin",
        "cancel": "Diesen Termin absagen",
        "cancelled": "Dieser Termin ist abgesagt. Die Zeit ist wieder frei.",
        "move": "Auf eine andere Zeit verschieben",
        "move_button": "Auf diese Zeit verschieben",
        "no_slots": "In diesen Tagen ist keine Zeit frei.",
        "later": "Spätere Tage",
        "zone": "Zeiten in Ihrer Zeitzone ({zone}).",
        "video": "Ein Videoanruf.",
        "join": "Am Videoanruf teilnehmen",
        "join_when": "(die Seite öffnet 10 Minuten vor Beginn)",
        "phone": "Ein Telefonat.",
        "error": "Dieser Link kann nicht verwendet werden",
        "your_time": "In Ihrer Zeitzone",
        "their_time": "In der Zeitzone von {tenant}",
    },
}

_STYLE = (
    "body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2433;background:#f6f8fb}"
    "main{max-width:34rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px}"
    "button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;background:#b3261e;color:#fff;border:0;"
    "border-radius:4px;cursor:pointer}.done{padding:1rem;background:#e8f5e9;border-radius:4px}"
    ".alert{padding:1rem;background:#fdecea;border-radius:4px}fieldset{border:1px solid #d0d5dd;"
    "border-radius:4px;margin:.5rem 0}fieldset fieldset{border:0;padding:0}legend{font-weight:600}"
    ".times label{display:inline-block;margin:.2rem .8rem .2rem 0;white-space:nowrap}"
    "button.move{background:#0b5fff}a{color:#0b5fff}"
)


#: The page's notice after a move, by the visitor's language.
MOVED = {
    "en": "The appointment is moved. Both of you get the new time by e-mail.",
    "de": "Der Termin ist verschoben. Sie beide erhalten die neue Zeit per E-Mail.",
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Extras:
    """What the page shows besides the appointment: the free times to move to (the next days'), the
    join link (video), a notice (moved) or an alert (the time was just taken)."""

    slots: SlotsAck | None = None
    join_link: str = ""
    notice: str = ""
    alert: str = ""


def manage_page(
    appointment: Appointment, tenant: Tenant, token: str, tenant_zone: str, extras: Extras | None = None
) -> str:
    extras = extras or Extras()
    lang = appointment.lang
    t = _TEXT[lang]
    title = appointment.title.get(lang) or appointment.title["en"]
    start, end = appointment.starts_at, appointment.ends_at
    lines = [
        f"<h1>{_e(t['title'])}: {_e(title)}</h1>",
        f"<p><strong>{_e(tenant.name)}</strong></p>",
        f"<p>{_e(t['your_time'])}: {_e(when(start, end, appointment.time_zone, lang))}</p>",
    ]
    if tenant_zone != appointment.time_zone:
        their = t["their_time"].format(tenant=tenant.name)
        lines.append(f"<p>{_e(their)}: {_e(when(start, end, tenant_zone, lang))}</p>")
    if appointment.kind is Kind.ON_SITE:
        lines.append(f"<p>{_e(appointment.location)}</p>")
    else:
        lines.append(f"<p>{_e(t[appointment.kind.value])}</p>")
    if extras.notice:
        lines.append(f'<p class="done" role="status">{_e(extras.notice)}</p>')
    if extras.alert:
        lines.append(f'<p class="alert" role="alert">{_e(extras.alert)}</p>')
    if appointment.status is Status.CANCELLED:
        lines.append(f'<p class="done" role="status">{_e(t["cancelled"])}</p>')
    else:
        if extras.join_link:
            lines.append(f'<p><a href="{_e(extras.join_link)}">{_e(t["join"])}</a> {_e(t["join_when"])}</p>')
        if extras.slots is not None:
            lines.append(_move_form(extras.slots, token, appointment, t))
        lines.append(
            '<form method="post" action="/appointments/manage/cancel">'
            f'<input type="hidden" name="token" value="{_e(token)}">'
            f'<button type="submit">{_e(t["cancel"])}</button></form>'
        )
    return _document(lang, t["title"], "".join(lines))


def _move_form(slots: SlotsAck, token: str, appointment: Appointment, t: dict[str, str]) -> str:
    """The free times as radio buttons, a group per day; a plain form post, keyboard usable as it is."""
    zone_name, lang = appointment.time_zone, appointment.lang
    zone = ZoneInfo(zone_name)
    own = appointment.starts_at
    days = []
    for day in slots["days"]:
        found = [slot for slot in day["slots"] if datetime.fromisoformat(slot["start"]) != own]
        if not found:
            continue
        times = "".join(
            f'<label><input type="radio" name="slot" value="{_e(slot["start"])}|{_e(slot["end"])}" required>'
            f" {datetime.fromisoformat(slot['start']).astimezone(zone):%H:%M}</label>"
            for slot in found
        )
        heading = day_name(date.fromisoformat(day["date"]), lang)
        days.append(f'<fieldset><legend>{_e(heading)}</legend><div class="times">{times}</div></fieldset>')
    later = f"/appointments/manage?token={quote(token)}&amp;from={quote(slots['next'])}"
    choice = "".join(days) or f"<p>{_e(t['no_slots'])}</p>"
    button = f'<button type="submit" class="move">{_e(t["move_button"])}</button>' if days else ""
    return (
        '<form method="post" action="/appointments/manage/move">'
        f'<input type="hidden" name="token" value="{_e(token)}">'
        f"<fieldset><legend>{_e(t['move'])}</legend><p>{_e(t['zone'].format(zone=zone_name))}</p>"
        f'{choice}{button} <a href="{later}">{_e(t["later"])}</a></fieldset></form>'
    )


def error_page(lang: str, message: str) -> str:
    t = _TEXT["de" if lang == "de" else "en"]
    return _document(lang, t["error"], f'<h1>{_e(t["error"])}</h1><p role="alert">{_e(message)}</p>')


def _document(lang: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )
