"""The page a confirmation mail's link opens, rendered on the server in the visitor's language, in the
tenant's name: when and where the appointment is, and a form that cancels it. Plain HTML with its styles
inline; no script, nothing loaded from anywhere."""

from __future__ import annotations

import html

from wschat.accounts.models import Tenant
from wschat.appointments.mails import when
from wschat.appointments.models import Appointment, Kind, Status

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your appointment",
        "cancel": "Cancel this appointment",
        "cancelled": "This appointment is cancelled. Its time is free again.",
        "move": "To move it, cancel it and book a new time in the chat.",
        "video": "A video call in the chat on the website: at the time, your contact calls you there.",
        "phone": "A phone call.",
        "error": "This link cannot be used",
        "your_time": "In your time zone",
        "their_time": "In {tenant}'s time zone",
    },
    "de": {
        "title": "Ihr Termin",
        "cancel": "Diesen Termin absagen",
        "cancelled": "Dieser Termin ist abgesagt. Die Zeit ist wieder frei.",
        "move": "Zum Verschieben sagen Sie ihn ab und buchen im Chat eine neue Zeit.",
        "video": "Ein Videoanruf im Chat auf der Website: Zur Zeit des Termins ruft Ihre Ansprechperson Sie "
        "dort an.",
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
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def manage_page(appointment: Appointment, tenant: Tenant, token: str, tenant_zone: str) -> str:
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
    if appointment.status is Status.CANCELLED:
        lines.append(f'<p class="done" role="status">{_e(t["cancelled"])}</p>')
    else:
        lines.append(
            '<form method="post" action="/appointments/manage/cancel">'
            f'<input type="hidden" name="token" value="{_e(token)}">'
            f'<button type="submit">{_e(t["cancel"])}</button></form>'
            f"<p>{_e(t['move'])}</p>"
        )
    return _document(lang, t["title"], "".join(lines))


def error_page(lang: str, message: str) -> str:
    t = _TEXT["de" if lang == "de" else "en"]
    return _document(lang, t["error"], f'<h1>{_e(t["error"])}</h1><p role="alert">{_e(message)}</p>')


def _document(lang: str, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )
