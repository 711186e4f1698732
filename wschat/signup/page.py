"""The sign-up's two pages, rendered on the server in German or English: the sign-up form, and the
confirmation form the mail's link opens. A small script of wsChat's own (``/signup/signup.js``, built from
``frontend/src/signup/``) sends them as JSON; nothing is loaded from anywhere else.

The consent box's label is :data:`wschat.signup.models.CONSENT`, the very text that is stored when it is
ticked.
"""

from __future__ import annotations

import html
import json

from wschat.mail.models import Lang
from wschat.signup.models import CONSENT

_TEXT: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "Try wsChat for 14 days",
        "intro": "Live chat for your website, hosted by us, without trackers. Tell us who you are; we send "
        "you a link to confirm your e-mail address, and your demo is ready.",
        "name": "Your name",
        "company": "Company",
        "email": "Work e-mail",
        "phone": "Phone (optional)",
        "consent_hint": "Only needed if you give a phone number.",
        "submit": "Send confirmation link",
        "sent": "Almost done: we sent a confirmation link to {email}. It is valid for 24 hours.",
        "privacy": "We keep your details only to run your demo; without a confirmation they are deleted "
        "after 24 hours.",
        "confirm_title": "Set up your demo",
        "confirm_intro": "Hello {name}: choose the address of your demo for {company} and your password.",
        "slug": "Address of your demo (lower-case letters, digits and -)",
        "login": "Your login",
        "password": "Password (at least 10 characters)",
        "create": "Create my demo",
        "created": "Your demo is ready. Taking you to the sign-in …",
        "again": "Sign up again",
        "console": "Go to the sign-in",
        "error": "Something went wrong. Please try again.",
        "lang_other": "Deutsch",
    },
    "de": {
        "title": "wsChat 14 Tage testen",
        "intro": "Live-Chat für Ihre Website, bei uns gehostet, ohne Tracker. Sagen Sie uns, wer Sie sind; "
        "wir senden Ihnen einen Link zur Bestätigung Ihrer E-Mail-Adresse, und Ihre Demo ist bereit.",
        "name": "Ihr Name",
        "company": "Firma",
        "email": "Geschäftliche E-Mail",
        "phone": "Telefon (freiwillig)",
        "consent_hint": "Nur nötig, wenn Sie eine Telefonnummer angeben.",
        "submit": "Bestätigungslink senden",
        "sent": "Fast geschafft: Wir haben einen Bestätigungslink an {email} gesendet. Er gilt 24 Stunden.",
        "privacy": "Wir nutzen Ihre Angaben nur für Ihre Demo; ohne Bestätigung werden sie nach 24 Stunden "
        "gelöscht.",
        "confirm_title": "Ihre Demo einrichten",
        "confirm_intro": "Guten Tag {name}: Wählen Sie die Adresse Ihrer Demo für {company} und Ihr "
        "Passwort.",
        "slug": "Adresse Ihrer Demo (Kleinbuchstaben, Ziffern und -)",
        "login": "Ihr Login",
        "password": "Passwort (mindestens 10 Zeichen)",
        "create": "Demo anlegen",
        "created": "Ihre Demo ist bereit. Weiter zur Anmeldung …",
        "again": "Neu anmelden",
        "console": "Zur Anmeldung",
        "error": "Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.",
        "lang_other": "English",
    },
}

#: The page's words for the codes the API answers with; anything else shows the API's own message.
_ERRORS: dict[Lang, dict[str, str]] = {
    "en": {},
    "de": {
        "VALIDATION_FAILED": "Bitte prüfen Sie die markierten Angaben.",
        "DISPOSABLE_ADDRESS": "Bitte nutzen Sie Ihre geschäftliche Adresse: Wegwerf-Adressen werden "
        "abgelehnt.",
        "SIGNUP_PENDING": "Für diese Adresse wartet schon eine Anmeldung auf ihre Bestätigung: Bitte folgen "
        "Sie dem Link in unserer E-Mail (er gilt 24 Stunden).",
        "RATE_LIMITED": "Zu viele Anmeldungen. Bitte versuchen Sie es in einer Stunde erneut.",
        "LINK_INVALID": "Dieser Bestätigungslink ist ungültig. Bitte kopieren Sie den ganzen Link aus der "
        "E-Mail.",
        "LINK_EXPIRED": "Dieser Bestätigungslink ist abgelaufen (nach 24 Stunden). Bitte melden Sie sich "
        "neu an.",
        "LINK_USED": "Dieser Bestätigungslink wurde schon benutzt: Ihre Demo besteht. Bitte melden Sie sich "
        "an.",
        "CONFLICT": "Diese Adresse ist vergeben; bitte wählen Sie eine andere.",
    },
}

#: What the page says under a field the API refused (its own message is English and technical).
_FIELD_ERRORS: dict[Lang, dict[str, str]] = {
    "en": {
        "name": "Please give your name.",
        "company": "Please give your company's name.",
        "email": "Please give one e-mail address, such as dora@example.com.",
        "phone": "Please give a phone number with digits only, +, spaces, brackets or dashes.",
        "consent": "The box goes with a phone number: tick it when you give one, and only then.",
        "slug": "Please choose another address: lower-case letters, digits and -, not taken yet.",
        "password": "At least 10 characters, please.",
    },
    "de": {
        "name": "Bitte geben Sie Ihren Namen an.",
        "company": "Bitte geben Sie den Namen Ihrer Firma an.",
        "email": "Bitte geben Sie eine E-Mail-Adresse an, etwa dora@example.com.",
        "phone": "Bitte geben Sie eine Telefonnummer nur mit Ziffern, +, Leerzeichen, Klammern oder - an.",
        "consent": "Das Kästchen gehört zur Telefonnummer: Kreuzen Sie es an, wenn Sie eine angeben, sonst "
        "nicht.",
        "slug": "Bitte wählen Sie eine andere Adresse: Kleinbuchstaben, Ziffern und -, noch nicht vergeben.",
        "password": "Bitte mindestens 10 Zeichen.",
    },
}

_STYLE = """
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2433;background:#f6f8fb}
main{max-width:34rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px}
label{display:block;margin-top:1rem;font-weight:600}
input[type=text],input[type=email],input[type=tel],input[type=password]{width:100%;box-sizing:border-box;
padding:.5rem;font:inherit;border:1px solid #8a94a6;border-radius:4px}
input[aria-invalid=true]{border-color:#b3261e}
.consent{display:flex;gap:.5rem;align-items:flex-start;font-weight:normal}
.hint{color:#5a6478;font-size:.9rem;margin:.2rem 0 0}
.field-error{color:#b3261e;font-size:.9rem;margin:.2rem 0 0}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;background:#0b5fff;color:#fff;border:0;
border-radius:4px;cursor:pointer}
[role=alert]{color:#b3261e}
.done{padding:1rem;background:#e8f5e9;border-radius:4px}
nav{text-align:right;font-size:.9rem}
"""


def signup_page(lang: Lang) -> str:
    """The sign-up form."""
    t = _TEXT[lang]
    other = "de" if lang == "en" else "en"
    body = (
        f'<nav><a href="/signup?lang={other}" hreflang="{other}">{t["lang_other"]}</a></nav>'
        f"<h1>{_e(t['title'])}</h1><p>{_e(t['intro'])}</p>"
        f'<form id="signup" novalidate data-lang="{lang}" data-sent="{_e(t["sent"])}"'
        f' data-error="{_e(t["error"])}" {_words(lang)}>'
        + _input("name", t["name"], "text", 'required maxlength="80" autocomplete="name"')
        + _input("company", t["company"], "text", 'required maxlength="80" autocomplete="organization"')
        + _input("email", t["email"], "email", 'required maxlength="320" autocomplete="email"')
        + _input("phone", t["phone"], "tel", 'maxlength="40" autocomplete="tel"')
        + '<label class="consent"><input type="checkbox" id="consent" name="consent"'
        ' aria-describedby="consent-hint consent-error">'
        f'<span id="consent-text">{_e(CONSENT[lang])}</span></label>'
        f'<p class="hint" id="consent-hint">{_e(t["consent_hint"])}</p>'
        '<p class="field-error" id="consent-error" hidden></p>'
        f'<button type="submit">{_e(t["submit"])}</button>'
        '<p role="alert" id="form-error"></p>'
        "</form>"
        f'<p class="done" role="status" id="done" hidden></p>'
        f'<p class="hint">{_e(t["privacy"])}</p>'
    )
    return _document(lang, t["title"], body)


def confirm_page(lang: Lang, *, token: str, name: str, company: str, slug: str, login: str) -> str:
    """The confirmation form: the tenant's slug (proposed), the login it gets, the admin's password."""
    t = _TEXT[lang]
    body = (
        f"<h1>{_e(t['confirm_title'])}</h1>"
        f"<p>{_e(t['confirm_intro'].format(name=name, company=company))}</p>"
        f'<form id="confirm" novalidate data-lang="{lang}" data-token="{_e(token)}"'
        f' data-created="{_e(t["created"])}" data-error="{_e(t["error"])}"'
        f" {_words(lang)}>"
        + _input(
            "slug",
            t["slug"],
            "text",
            f'required maxlength="40" pattern="[a-z0-9][a-z0-9-]*" value="{_e(slug)}" autocomplete="off"',
        )
        + f'<label for="login">{_e(t["login"])}</label>'
        f'<input type="text" id="login" name="login" value="{_e(login)}" readonly>'
        + _input("password", t["password"], "password", 'required minlength="10" autocomplete="new-password"')
        + f'<button type="submit">{_e(t["create"])}</button>'
        '<p role="alert" id="form-error"></p>'
        "</form>"
        '<p class="done" role="status" id="done" hidden></p>'
    )
    return _document(lang, t["confirm_title"], body)


def link_error_page(lang: Lang, code: str, message: str) -> str:
    """A confirmation link that does not work (changed, expired, used): what happened and what to do."""
    t = _TEXT[lang]
    shown = _ERRORS[lang].get(code, message)
    action = ("/console/", t["console"]) if code == "LINK_USED" else (f"/signup?lang={lang}", t["again"])
    body = (
        f"<h1>{_e(t['confirm_title'])}</h1>"
        f'<p role="alert" data-code="{_e(code)}">{_e(shown)}</p>'
        f'<p><a href="{action[0]}">{_e(action[1])}</a></p>'
    )
    return _document(lang, t["confirm_title"], body)


def _words(lang: Lang) -> str:
    """The form's attributes with the page's words for the API's error codes and refused fields."""
    codes, fields = json.dumps(_ERRORS[lang]), json.dumps(_FIELD_ERRORS[lang])
    return f'data-errors="{_e(codes)}" data-field-errors="{_e(fields)}"'


def _input(name: str, label: str, kind: str, attributes: str) -> str:
    return (
        f'<label for="{name}">{_e(label)}</label>'
        f'<input type="{kind}" id="{name}" name="{name}" {attributes} aria-describedby="{name}-error">'
        f'<p class="field-error" id="{name}-error" hidden></p>'
    )


def _document(lang: Lang, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" type="image/svg+xml" href="/favicon.svg">'
        f"<title>{_e(title)} — wsChat</title><style>{_STYLE}</style></head><body>"
        f"<main>{body}</main>"
        '<script type="module" src="/signup/signup.js"></script>'
        "</body></html>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
