"""A data subject's export: one JSON document with everything stored about them, and the same as a
readable, self-contained HTML page in their language (no external resource, every value escaped), or both
in one ZIP file (GDPR Art. 15 and 20)."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from wschat.chat.models import Conversation, Message
from wschat.chat.transcript_store import TranscriptRecord
from wschat.mail.models import OutgoingMail
from wschat.signalling.models import Call
from wschat.visitors.models import Visitor

FORMAT = "wschat-subject-export/1"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def visitor_part(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.id,
        "name": visitor.name,
        "alias": visitor.alias,
        "contact": visitor.contact_wire(),
        "ip": visitor.ip,
        "country": visitor.country,
        "user_agent": visitor.user_agent,
        "restricted": visitor.restricted,
        "first_seen": _iso(visitor.first_seen),
        "last_seen": _iso(visitor.last_seen),
    }


def conversation_part(
    conversation: Conversation, messages: list[Message], calls: list[Call], sent: list[TranscriptRecord]
) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "origin": conversation.origin,
        "status": conversation.status.value,
        "created_at": _iso(conversation.created_at),
        "closed_at": _iso(conversation.closed_at),
        "answer_email": conversation.answer_email,
        "language": conversation.answer_lang,
        "messages": [
            {
                "seq": m.seq,
                "at": _iso(m.created_at),
                "from": m.sender.kind.value,
                "name": m.sender.display_name,
                "kind": m.kind.value,
                "text": m.text,
                "visibility": m.visibility.value,
            }
            for m in messages
        ],
        "calls": [
            {
                "kind": c.kind.value,
                "started_at": _iso(c.started_at),
                "ended_at": _iso(c.ended_at),
                "duration": c.duration,
                "recorded": False,
            }
            for c in calls
        ],
        "transcripts_sent": [
            {"kind": t.kind.value, "to": t.recipient, "at": _iso(t.at), "by": t.by_name} for t in sent
        ],
    }


def page_part(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": view.get("url"),
        "title": view.get("title"),
        "referrer": view.get("referrer"),
        "entered_at": _iso(view.get("entered_at")),
        "left_at": _iso(view.get("left_at")),
    }


def mail_part(mail: OutgoingMail) -> dict[str, Any]:
    return {
        "to": mail.to,
        "subject": mail.subject,
        "text": mail.text,
        "status": mail.status.value,
        "created_at": _iso(mail.created_at),
        "sent_at": _iso(mail.sent_at),
    }


def appointment_part(doc: dict[str, Any]) -> dict[str, Any]:
    """An appointment as booked (wschat/appointments): when, what, with which name and address."""
    return {
        "id": doc["_id"],
        "title": doc["title"],
        "kind": doc["kind"],
        "start": _iso(doc["starts_at"]),
        "end": _iso(doc["ends_at"]),
        "status": doc["status"],
        "name": doc["name"],
        "email": doc["email"],
        "phone": doc.get("phone"),
        "location": doc.get("location") or "",
        "conversation_id": doc.get("conversation_id"),
        "booked_at": _iso(doc["created_at"]),
    }


@dataclass(frozen=True)
class SubjectExport:
    tenant: str
    #: ``de`` or ``en``: the language of the page.
    lang: str
    made_at: datetime
    visitor: dict[str, Any]
    conversations: list[dict[str, Any]]
    pages: list[dict[str, Any]]
    mails: list[dict[str, Any]]
    appointments: list[dict[str, Any]] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "controller": self.tenant,
            "made_at": self.made_at.isoformat(),
            "language": self.lang,
            "visitor": self.visitor,
            "conversations": self.conversations,
            "pages": self.pages,
            "mails": self.mails,
            "appointments": self.appointments,
        }

    def counts(self) -> dict[str, int]:
        """How much the export holds (what the audit log keeps of it: counts, never content)."""
        return {
            "conversations": len(self.conversations),
            "messages": sum(len(c.get("messages") or ()) for c in self.conversations),
            "pages": len(self.pages),
            "mails": len(self.mails),
            "appointments": len(self.appointments),
        }

    def json_bytes(self) -> bytes:
        return orjson.dumps(self.to_wire(), option=orjson.OPT_INDENT_2)

    def html_page(self) -> str:
        return render_html(self)

    def zip_bytes(self) -> bytes:
        """``data.json`` and ``index.html`` in one file (call in a thread: it compresses)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", self.json_bytes())
            archive.writestr("index.html", self.html_page())
        return buffer.getvalue()


_WORDS = {
    "en": {
        "title": "Your data",
        "intro": "Everything {tenant} stores about you in its website chat, as of {made}.",
        "person": "You",
        "name": "Name",
        "alias": "Alias",
        "contact_name": "Contact name",
        "email": "E-mail",
        "phone": "Phone",
        "ip": "IP address",
        "country": "Country",
        "user_agent": "Browser",
        "first_seen": "First seen",
        "last_seen": "Last seen",
        "conversations": "Conversations",
        "conversation": "Conversation of {at}",
        "none": "None.",
        "calls": "Calls (no recording is ever made)",
        "transcripts": "Transcripts sent by e-mail",
        "appointments": "Appointments",
        "pages": "Pages you visited",
        "mails": "E-mails to you",
        "visitor": "You",
        "agent": "Agent",
        "system": "Chat",
        "note": "(note for agents)",
    },
    "de": {
        "title": "Ihre Daten",
        "intro": "Alles, was {tenant} im Website-Chat über Sie speichert, Stand {made}.",
        "person": "Sie",
        "name": "Name",
        "alias": "Alias",
        "contact_name": "Kontaktname",
        "email": "E-Mail",
        "phone": "Telefon",
        "ip": "IP-Adresse",
        "country": "Land",
        "user_agent": "Browser",
        "first_seen": "Zuerst gesehen",
        "last_seen": "Zuletzt gesehen",
        "conversations": "Gespräche",
        "conversation": "Gespräch vom {at}",
        "none": "Keine.",
        "calls": "Anrufe (es wird nie etwas aufgezeichnet)",
        "transcripts": "Per E-Mail versandte Verläufe",
        "appointments": "Termine",
        "pages": "Besuchte Seiten",
        "mails": "E-Mails an Sie",
        "visitor": "Sie",
        "agent": "Mitarbeiter",
        "system": "Chat",
        "note": "(Notiz für Mitarbeiter)",
    },
}
_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top}"
    "th{font-weight:600}.m{margin:.3rem 0}.who{font-weight:600}.at{color:#666;font-size:.85em}"
    "pre{white-space:pre-wrap;font:inherit;margin:0}"
)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_html(export: SubjectExport) -> str:
    """The export as one page: inline style only, no script, no link, every stored value escaped."""
    w = _WORDS.get(export.lang, _WORDS["en"])
    none = f"<p>{_e(w['none'])}</p>"
    out = [
        f'<!doctype html><html lang="{_e(export.lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(w['title'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(w['title'])}</h1>",
        f"<p>{_e(w['intro'].format(tenant=export.tenant, made=export.made_at.isoformat()))}</p>",
        f"<h2>{_e(w['person'])}</h2>",
        _person_html(export.visitor, w),
        f"<h2>{_e(w['conversations'])}</h2>",
        *(_conversation_html(c, w) for c in export.conversations),
        "" if export.conversations else none,
        f"<h2>{_e(w['pages'])}</h2>",
        _list(f"{_e(p['entered_at'])}: {_e(p['title'])} <code>{_e(p['url'])}</code>" for p in export.pages)
        if export.pages
        else none,
        f"<h2>{_e(w['mails'])}</h2>",
        *(_mail_html(mail) for mail in export.mails),
        "" if export.mails else none,
        f"<h2>{_e(w['appointments'])}</h2>",
        _list(
            f"{_e(a['start'])} – {_e(a['end'])}: {_e(a['title'].get(export.lang) or a['title']['en'])}"
            f" ({_e(a['status'])}; {_e(a['name'])}, {_e(a['email'])})"
            for a in export.appointments
        )
        if export.appointments
        else none,
        "</body></html>",
    ]
    return "\n".join(part for part in out if part)


def _person_html(v: dict[str, Any], w: dict[str, str]) -> str:
    contact = v.get("contact") or {}
    rows = [
        (w["name"], v.get("name")),
        (w["alias"], v.get("alias")),
        (w["contact_name"], contact.get("name")),
        (w["email"], contact.get("email")),
        (w["phone"], contact.get("phone")),
        (w["ip"], v.get("ip")),
        (w["country"], v.get("country")),
        (w["user_agent"], v.get("user_agent")),
        (w["first_seen"], v.get("first_seen")),
        (w["last_seen"], v.get("last_seen")),
    ]
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(val)}</td></tr>" for k, val in rows if val)
    return f"<table>{cells}</table>"


def _conversation_html(c: dict[str, Any], w: dict[str, str]) -> str:
    out = [f"<section><h3>{_e(w['conversation'].format(at=c['created_at']))}</h3>"]
    for m in c["messages"]:
        who = m["name"] or w.get(m["from"], m["from"])
        note = f" {_e(w['note'])}" if m["visibility"] != "all" else ""
        out.append(
            f'<div class="m"><span class="who">{_e(who)}</span> <span class="at">{_e(m["at"])}'
            f"{note}</span><pre>{_e(m['text'])}</pre></div>"
        )
    if c["calls"]:
        out.append(f"<h4>{_e(w['calls'])}</h4>")
        out.append(_list(f"{_e(x['kind'])}: {_e(x['started_at'])} – {_e(x['ended_at'])}" for x in c["calls"]))
    if c["transcripts_sent"]:
        out.append(f"<h4>{_e(w['transcripts'])}</h4>")
        out.append(_list(f"{_e(t['to'])}, {_e(t['at'])}" for t in c["transcripts_sent"]))
    return "".join(out) + "</section>"


def _mail_html(mail: dict[str, Any]) -> str:
    return (
        f'<section><h3>{_e(mail["subject"])}</h3><p class="at">{_e(mail["to"])}, {_e(mail["created_at"])}'
        f"</p><pre>{_e(mail['text'])}</pre></section>"
    )


def _list(items: Iterable[str]) -> str:
    """Items already escaped."""
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
