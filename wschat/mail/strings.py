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
