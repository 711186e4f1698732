"""The mail as it goes on the wire: multipart (plain + HTML), the tenant's name and colour, the reader's
language, nothing that loads from elsewhere, and headers that cannot be injected."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default

import pytest

from tests.storage.builders import at, new_mail, new_tenant
from wschat.mail.message import to_mime
from wschat.mail.models import Attachment, Lang
from wschat.mail.render import Layout, Quoted, look_of, render_html, render_text

REMOTE = re.compile(r"(?:https?:)?//|\bsrc\s*=|url\s*\(|<img|<link|<script|<style", re.IGNORECASE)
TRANSCRIPT = Layout(
    "Your chat with ACME",
    ("Here is your chat of today.", "Two lines\nin one paragraph."),
    (Quoted("Sam", "Hello <b>there</b>", "09:30"), Quoted("Anna (ACME)", "How can I help?\nSecond line")),
)


def _wire(lang: Lang, *, attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    tenant = new_tenant("acme", name="ACME & Söhne", branding={"primary_color": "#aa3300"})
    look = look_of(tenant.name, tenant.branding, lang)
    mail = new_mail(
        tenant,
        lang=lang,
        text=render_text(TRANSCRIPT, look),
        html=render_html(TRANSCRIPT, look),
        attachments=attachments,
        created_at=at(0),
    )
    raw = to_mime(mail, "chat@acme.example", tenant.name).as_bytes()
    parsed = email.message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize(
    ("lang", "footer"),
    [("en", "This e-mail was sent by ACME & Söhne"), ("de", "Diese E-Mail wurde von ACME & Söhne")],
)
def test_render_mail_is_plain_and_html_in_the_tenants_look_and_language(lang: Lang, footer: str) -> None:
    message = _wire(lang)

    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert (plain.get_content_type(), rich.get_content_type()) == ("text/plain", "text/html")
    text, html = plain.get_content(), rich.get_content()
    assert "ACME & Söhne" in text
    assert footer in text
    assert "> Sam (09:30):" in text
    assert ">   Second line" in text
    assert "ACME &amp; Söhne" in html
    assert footer.replace("&", "&amp;") in html
    assert "background:#aa3300" in html  # the tenant's colour
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in html  # what people wrote is text, never markup
    assert f'lang="{lang}"' in html
    assert message["Content-Language"] == lang
    assert not REMOTE.search(html), REMOTE.search(html)
    assert "<style" not in html
    assert 'style="' in html


def test_render_headers_say_who_sends_and_are_the_same_on_every_try() -> None:
    first, again = _wire("en"), _wire("en")

    assert first["From"].addresses[0].display_name == "ACME & Söhne"
    assert first["From"].addresses[0].addr_spec == "chat@acme.example"
    assert first["To"] == "sam@example.com"
    assert first["Subject"] == "Your chat with us"
    assert first["Auto-Submitted"] == "auto-generated"
    assert first["Date"] == again["Date"]
    assert first["Message-ID"].startswith("<mai_")
    assert first["Message-ID"].endswith("@chat.example>")


def test_render_attachments_wrap_the_alternative_in_mixed() -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    message = _wire("de", attachments=(Attachment("termin.ics", "text/calendar", ics),))

    assert message.get_content_type() == "multipart/mixed"
    body, attached = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert attached.get_content_type() == "text/calendar"
    assert attached.get_filename() == "termin.ics"
    assert attached.get_payload(decode=True) == ics


def test_render_colour_not_in_hex_form_falls_back() -> None:
    look = look_of("ACME", {"primary_color": "red;background:url(https://x.example/p.gif)"}, "en")
    html = render_html(TRANSCRIPT, look)

    assert look.color == "#0b5fff"
    assert not REMOTE.search(html)


def test_render_a_header_with_a_line_break_is_refused() -> None:
    mail = new_mail(new_tenant("acme"), subject="Hello\r\nBcc: all@example.com")

    with pytest.raises(ValueError, match=r"linefeed|carriage"):
        to_mime(mail, "chat@acme.example", "ACME")
