"""A mail's two bodies, plain text and HTML, from one generic layout: a title, paragraphs, and optionally
quoted lines (a chat transcript), in the tenant's name and colour and the reader's language.

The HTML carries its styles inline (mail programs drop ``<style>`` blocks and never load style sheets),
and nothing that makes a request when the mail is opened: no image, no web font, no tracking pixel, no
link that counts clicks. Every text is escaped; a colour is used only in the ``#rrggbb`` form.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from wschat.mail.models import Lang

DEFAULT_COLOR = "#0b5fff"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

FOOTER: dict[Lang, str] = {
    "en": "This e-mail was sent by {tenant} through its website chat. Please do not reply to it.",
    "de": "Diese E-Mail wurde von {tenant} über den Chat der Website gesendet. Bitte antworten Sie nicht "
    "darauf.",
}


@dataclass(frozen=True)
class Quoted:
    """One quoted line, such as a chat message: who said it, when (already formatted), what."""

    who: str
    text: str
    at: str | None = None


@dataclass(frozen=True)
class Layout:
    title: str
    paragraphs: tuple[str, ...] = ()
    quoted: tuple[Quoted, ...] = ()
    #: Replaces the default footer (a mail of the tenant's chat), e.g. for the operator's notices.
    footer: str | None = None


@dataclass(frozen=True)
class Look:
    """Whose mail it is: the tenant's name and colours, and the reader's language."""

    tenant_name: str
    color: str
    text_color: str
    lang: Lang


def look_of(tenant_name: str, branding: dict[str, object], lang: Lang) -> Look:
    """The look from a tenant's stored branding; a colour not in ``#rrggbb`` form falls back."""
    color, text_color = branding.get("primary_color"), branding.get("text_color")
    return Look(
        tenant_name=tenant_name,
        color=color if isinstance(color, str) and _COLOR.fullmatch(color) else DEFAULT_COLOR,
        text_color=text_color if isinstance(text_color, str) and _COLOR.fullmatch(text_color) else "#ffffff",
        lang=lang,
    )


def render_text(layout: Layout, look: Look) -> str:
    lines = [look.tenant_name, "", layout.title, "=" * min(len(layout.title), 72), ""]
    for paragraph in layout.paragraphs:
        lines += [paragraph, ""]
    for quoted in layout.quoted:
        when = f" ({quoted.at})" if quoted.at else ""
        lines.append(f"> {quoted.who}{when}:")
        lines += [f">   {line}" for line in quoted.text.splitlines() or [""]]
    if layout.quoted:
        lines.append("")
    lines += ["-- ", layout.footer or FOOTER[look.lang].format(tenant=look.tenant_name)]
    return "\n".join(lines) + "\n"


def render_html(layout: Layout, look: Look) -> str:
    e = html.escape
    body = [
        f'<h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;color:#1a1a1a">{e(layout.title)}</h1>'
    ]
    body += [f'<p style="margin:0 0 12px">{_lines(paragraph)}</p>' for paragraph in layout.paragraphs]
    if layout.quoted:
        body.append(_transcript(layout.quoted, look))
    footer = e(layout.footer or FOOTER[look.lang].format(tenant=look.tenant_name))
    return (
        f'<!DOCTYPE html><html lang="{look.lang}"><head><meta charset="utf-8">'
        f"<title>{e(layout.title)}</title></head>"
        '<body style="margin:0;padding:0;background:#f4f4f5">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5">'
        '<tr><td align="center" style="padding:24px 12px">'
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;'
        "width:100%;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;"
        'font-size:15px;line-height:1.5;color:#1a1a1a">'
        f'<tr><td style="background:{look.color};color:{look.text_color};padding:16px 24px;'
        f'border-radius:8px 8px 0 0;font-size:17px;font-weight:bold">{e(look.tenant_name)}</td></tr>'
        f'<tr><td style="padding:24px">{"".join(body)}</td></tr>'
        f'<tr><td style="padding:12px 24px 20px;font-size:12px;color:#6b6b6b">{footer}</td></tr>'
        "</table></td></tr></table></body></html>"
    )


def _transcript(quoted: tuple[Quoted, ...], look: Look) -> str:
    rows = []
    for line in quoted:
        when = (
            f' <span style="color:#6b6b6b;font-weight:normal">{html.escape(line.at)}</span>'
            if line.at
            else ""
        )
        rows.append(
            f'<div style="margin:0 0 10px"><div style="font-weight:bold">{html.escape(line.who)}{when}</div>'
            f"<div>{_lines(line.text)}</div></div>"
        )
    style = f"border-left:3px solid {look.color};padding:4px 0 4px 12px;margin:16px 0"
    return f'<div style="{style}">{"".join(rows)}</div>'


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines())
