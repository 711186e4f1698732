"""What a sign-up's address and company name become: refused throw-away domains, the admin's login, and
the proposed tenant slug."""

from __future__ import annotations

import re
import unicodedata

from wschat.accounts.models import LOGIN_PATTERN, SLUG_PATTERN

#: Throw-away mail services: a demo's notices (its end, its deletion) must reach a person. A small list of
#: the best-known ones; it stops the casual case, not a determined one (the rate limits do that).
DISPOSABLE_DOMAINS = frozenset(
    {
        "10minutemail.com",
        "33mail.com",
        "dispostable.com",
        "emailondeck.com",
        "fakeinbox.com",
        "getnada.com",
        "guerrillamail.com",
        "guerrillamail.de",
        "guerrillamailblock.com",
        "maildrop.cc",
        "mailinator.com",
        "mailnesia.com",
        "mintemail.com",
        "mohmal.com",
        "mytemp.email",
        "sharklasers.com",
        "spam4.me",
        "temp-mail.org",
        "tempmail.com",
        "tempmail.dev",
        "tempr.email",
        "throwawaymail.com",
        "trashmail.com",
        "trashmail.de",
        "wegwerfmail.de",
        "yopmail.com",
        "yopmail.fr",
    }
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_LOGIN = re.compile(r"[^a-z0-9._@-]+")


def is_disposable(address: str) -> bool:
    """Whether the address is at a throw-away service (or a subdomain of one)."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    parts = domain.split(".")
    return any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1))


def login_of(address: str) -> str:
    """The first admin's login: the address itself, lower-cased, where a login may not hold a character
    (``+``) it becomes ``-``."""
    login = _NOT_LOGIN.sub("-", address.lower())[:64].strip("-._@")
    return login if LOGIN_PATTERN.fullmatch(login) else "admin"


def slug_of(company: str) -> str:
    """A tenant slug proposed from the company's name: ``Müller & Söhne GmbH`` → ``mueller-soehne-gmbh``."""
    text = unicodedata.normalize("NFKD", company.lower().translate(_UMLAUTS))
    text = text.encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", text).strip("-")[:40].strip("-")
    return slug if SLUG_PATTERN.fullmatch(slug) else "demo"
