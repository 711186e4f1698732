"""The words of the mails wsChat writes itself, in English and German."""

from __future__ import annotations

from wschat.mail.models import Lang
from wschat.mail.render import Layout

_CHECK: dict[Lang, dict[str, str]] = {
    "en": {
        "subject": "Test e-mail from {tenant}",
        "title": "Your e-mail works",
        "body": "{who} sent this test e-mail from the chat console of {tenant}. If you can read it, "
        "e-mail from the chat reaches its readers.",
        "note": "Their note:",
    },
    "de": {
        "subject": "Test-E-Mail von {tenant}",
        "title": "Ihr E-Mail-Versand funktioniert",
        "body": "{who} hat diese Test-E-Mail aus der Chat-Konsole von {tenant} gesendet. Wenn Sie sie lesen "
        "können, erreichen E-Mails aus dem Chat ihre Empfänger.",
        "note": "Die Notiz dazu:",
    },
}


def check_mail(tenant: str, who: str, note: str | None, lang: Lang) -> tuple[str, Layout]:
    """The admin's test mail: its subject and layout."""
    words = _CHECK[lang]
    paragraphs = [words["body"].format(who=who, tenant=tenant)]
    if note:
        paragraphs += [words["note"], note]
    return words["subject"].format(tenant=tenant), Layout(words["title"], tuple(paragraphs))


_TRANSCRIPT: dict[Lang, dict[str, str]] = {
    "en": {
        "subject": "Your chat with {tenant}",
        "forward_subject": "Chat transcript from {tenant}",
        "title": "Your conversation with {tenant}",
        "forward_title": "A chat with {tenant}",
        "body": "Here is the conversation of {date} (times in UTC), as you asked for it.",
        "forward_body": "{who} of {tenant} sends you this conversation of {date} (times in UTC).",
        "note": "Their note:",
        "visitor": "You",
        "forward_visitor": "Visitor",
        "system": "Note",
        "empty": "(no messages)",
        # An agent since deleted: the label of their messages, and how a sentence names them.
        "former_agent": "Former agent",
        "a_former_agent": "A former agent",
    },
    "de": {
        "subject": "Ihr Chat mit {tenant}",
        "forward_subject": "Chatverlauf von {tenant}",
        "title": "Ihr Gespräch mit {tenant}",
        "forward_title": "Ein Chat mit {tenant}",
        "body": "Hier ist das Gespräch vom {date} (Zeiten in UTC), wie von Ihnen gewünscht.",
        "forward_body": "{who} von {tenant} sendet Ihnen dieses Gespräch vom {date} (Zeiten in UTC).",
        "note": "Die Notiz dazu:",
        "visitor": "Sie",
        "forward_visitor": "Besucher",
        "system": "Hinweis",
        "empty": "(keine Nachrichten)",
        "former_agent": "Ehemalige Ansprechperson",
        "a_former_agent": "Eine ehemalige Ansprechperson",
    },
}


def transcript_words(lang: Lang) -> dict[str, str]:
    """The words of a transcript mail (the visitor's copy, or an agent's forward)."""
    return _TRANSCRIPT[lang]


_ANSWER: dict[Lang, dict[str, str]] = {
    "en": {
        "subject": "Our answer to your message to {tenant}",
        "title": "Our answer",
        "yours": "Your message of {date}:",
        "you": "You",
    },
    "de": {
        "subject": "Unsere Antwort auf Ihre Nachricht an {tenant}",
        "title": "Unsere Antwort",
        "yours": "Ihre Nachricht vom {date}:",
        "you": "Sie",
    },
}


def answer_words(lang: Lang) -> dict[str, str]:
    """The words of an agent's answer to an offline message."""
    return _ANSWER[lang]
