"""The call page a video appointment's join link opens: wsChat's own page in the tenant's design (the
widget's colours, name and logo), with the appointment's time and the widget opened on it in appointment
mode (``data-appointment``: the join token, with which it connects as the appointment's visitor). No
request elsewhere: the script is wsChat's widget, a logo only when it lives on wsChat itself."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from wschat.accounts.models import Tenant
from wschat.appointments.mails import when
from wschat.appointments.models import Appointment

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Video call",
        "how": "At the time, {tenant} starts the call: accept it below.",
        "early": "The call opens 10 minutes before the appointment. Please come back then: "
        "from {opens} (your time).",
    },
    "de": {
        "title": "Videoanruf",
        "how": "Zur Zeit des Termins startet {tenant} den Anruf: Nehmen Sie ihn unten an.",
        "early": "Der Anruf öffnet 10 Minuten vor dem Termin. Bitte kommen Sie dann wieder: "
        "ab {opens} (Ihre Zeit).",
        "error": "Dieser Link kann nicht verwendet werden",
    },
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def join_page(appointment: Appointment, tenant: Tenant, branding: dict[str, Any], token: str) -> str:
    """The open call page: the details, and the widget in appointment mode."""
    lang = appointment.lang
    t = _TEXT[lang]
    body = (
        _details(appointment, tenant, t)
        + f"<p>{_e(t['how'].format(tenant=tenant.name))}</p>"
        + f'<script src="/widget.js" data-tenant="{_e(tenant.slug)}" data-lang="{_e(lang)}" '
        f'data-appointment="{_e(token)}" async></script>'
    )
    return _document(lang, tenant, branding, t["title"], body)


def early_page(appointment: Appointment, tenant: Tenant, branding: dict[str, Any], opens: datetime) -> str:
    """Too early: when to come back (in the visitor's zone)."""
    lang = appointment.lang
    t = _TEXT[lang]
    local = when(opens, opens, appointment.time_zone, lang).split("–")[0]
    body = _details(appointment, tenant, t) + f'<p role="status">{_e(t["early"].format(opens=local))}</p>'
    return _document(lang, tenant, branding, t["title"], body)


def _details(appointment: Appointment, tenant: Tenant, t: dict[str, str]) -> str:
    lang = appointment.lang
    title = appointment.title.get(lang) or appointment.title["en"]
    start, end = appointment.starts_at, appointment.ends_at
    return f"<h1>{_e(t['title'])}: {_e(title)}</h1><p>{_e(when(start, end, appointment.time_zone, lang))}</p>"


def _document(lang: str, tenant: Tenant, branding: dict[str, Any], title: str, body: str) -> str:
    # Checked #rrggbb values (wschat.accounts.branding); the logo only from wsChat itself.
    primary, on_primary = branding["primary_color"], branding["text_color"]
    logo = branding.get("logo_url") or ""
    image = f'<img src="{_e(logo)}" alt="">' if logo.startswith("/") and not logo.startswith("//") else ""
    style = (
        "body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2433;background:#f6f8fb}"
        f"header{{background:{primary};color:{on_primary};padding:.8rem 1.5rem;display:flex;gap:1rem;"
        "align-items:center}header img{max-height:36px;max-width:120px}header strong{font-size:1.15rem}"
        "main{max-width:45rem;margin:0 auto;padding:.5rem 1.5rem}h1{font-size:1.3rem;margin:.5rem 0}"
        "main p{margin:.3rem 0}"
    )
    return (
        f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} · {_e(tenant.name)}</title><style>{style}</style></head><body>"
        f"<header>{image}<strong>{_e(tenant.name)}</strong></header><main>{body}</main></body></html>"
    )
