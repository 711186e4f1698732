"""The confirmation mail, in German and English."""

from __future__ import annotations

from wschat.mail.models import Lang
from wschat.mail.render import Layout

_WORDS: dict[Lang, dict[str, str]] = {
    "en": {
        "subject": "Confirm your wsChat demo",
        "title": "Please confirm your address",
        "hello": "Hello {name},",
        "body": "you asked for a wsChat demo for {company}. To create it, open this link within 24 hours; "
        "there you choose the address of your demo and your password:",
        "ignore": "If you did not ask for a demo, ignore this e-mail: without a confirmation nothing is "
        "created, and your details are deleted after 24 hours.",
        "footer": "This e-mail was sent by the operator of wsChat because of a sign-up on its website.",
    },
    "de": {
        "subject": "Bestätigen Sie Ihre wsChat-Demo",
        "title": "Bitte bestätigen Sie Ihre Adresse",
        "hello": "Guten Tag {name},",
        "body": "Sie haben eine wsChat-Demo für {company} angefragt. Um sie anzulegen, öffnen Sie innerhalb "
        "von 24 Stunden diesen Link; dort wählen Sie die Adresse Ihrer Demo und Ihr Passwort:",
        "ignore": "Falls Sie keine Demo angefragt haben, ignorieren Sie diese E-Mail: Ohne Bestätigung wird "
        "nichts angelegt, und Ihre Angaben werden nach 24 Stunden gelöscht.",
        "footer": "Diese E-Mail hat der Betreiber von wsChat wegen einer Anmeldung auf seiner Website "
        "gesendet.",
    },
}


def confirmation_mail(name: str, company: str, link: str, lang: Lang) -> tuple[str, Layout]:
    """The subject and body of the mail that carries the confirmation link."""
    words = _WORDS[lang]
    paragraphs = (
        words["hello"].format(name=name),
        words["body"].format(company=company),
        link,
        words["ignore"],
    )
    return words["subject"], Layout(words["title"], paragraphs, footer=words["footer"])
