"""The widget's corporate design per tenant: colours, logo, position, language and texts.

Stored as the tenant's ``branding`` document, holding only what the admin changed; everything else comes
from the defaults here. The logo must live on wsChat itself (a path) or on one of the tenant's own websites
(an allowed origin), so that the widget never makes a request to a third party.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from wschat.wire import WireModel

LANGUAGES = ("en", "de")
TEXT_KEYS = ("title", "greeting", "offline", "queued")

DEFAULT_BRANDING: dict[str, Any] = {
    "primary_color": "#0b5fff",
    "text_color": "#ffffff",
    "position": "right",
    "logo_url": None,
    #: "auto" follows the page's language (German or English); "de" or "en" fixes it.
    "language": "auto",
}

DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Chat with us",
        "greeting": "Hello! How can we help you?",
        "offline": "Nobody is available right now. Leave us a message and we will get back to you.",
        "queued": "Please wait a moment, the next free colleague will be with you shortly.",
    },
    "de": {
        "title": "Chatten Sie mit uns",
        "greeting": "Hallo! Wie können wir Ihnen helfen?",
        "offline": "Gerade ist niemand erreichbar. Hinterlassen Sie uns eine Nachricht, wir melden uns.",
        "queued": "Einen Moment bitte, gleich ist jemand aus unserem Team für Sie da.",
    },
}

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _color(value: str) -> str:
    if not _COLOR.fullmatch(value):
        raise ValueError("must be a colour such as #0b5fff")
    return value.lower()


def _logo(value: str) -> str:
    """A path on wsChat, or an http(s) URL; whether its origin is allowed is checked against the tenant."""
    if value == "":
        return value
    if value.startswith("/") and not value.startswith("//"):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ValueError("must be a path on wsChat or an https URL on one of your allowed websites")
    return value


Color = Annotated[str, Field(max_length=7), AfterValidator(_color)]
Title = Annotated[str, Field(max_length=60)]
Text = Annotated[str, Field(max_length=400)]


class BrandingTexts(WireModel):
    """One language's texts; an empty string goes back to the default text."""

    title: Title | None = None
    greeting: Text | None = None
    offline: Text | None = None
    queued: Text | None = None


class BrandingPatch(WireModel):
    """The fields an admin changes; ``logo_url: ""`` removes the logo."""

    primary_color: Color | None = None
    text_color: Color | None = None
    position: Literal["left", "right"] | None = None
    logo_url: Annotated[str, Field(max_length=500), AfterValidator(_logo)] | None = None
    language: Literal["auto", "en", "de"] | None = None
    texts: dict[Literal["en", "de"], BrandingTexts] | None = None


def logo_origin(logo_url: str) -> str | None:
    """The origin a logo is loaded from; ``None`` for a path on wsChat itself."""
    if logo_url.startswith("/"):
        return None
    parts = urlsplit(logo_url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def changes(patch: BrandingPatch) -> tuple[dict[str, Any], list[str]]:
    """The patch as changes of the stored ``branding``: dotted paths to set, and paths to remove.

    Applied in one update of only these paths, so two admins who change different fields at the same time
    both keep theirs. Defaults are never stored, so they can improve later: an empty text or ``logo_url: ""``
    removes the stored value.
    """
    to_set: dict[str, Any] = {}
    to_unset: list[str] = []
    for key in DEFAULT_BRANDING:
        value = getattr(patch, key)
        if value is None:
            continue
        if key == "logo_url" and value == "":
            to_unset.append("branding.logo_url")
        else:
            to_set[f"branding.{key}"] = value
    for lang, given in (patch.texts or {}).items():
        for key, text in given.model_dump(exclude_none=True).items():
            path = f"branding.texts.{lang}.{key}"
            if text.strip():
                to_set[path] = text.strip()
            else:
                to_unset.append(path)
    return to_set, to_unset


def effective(stored: dict[str, Any], allowed_origins: tuple[str, ...]) -> dict[str, Any]:
    """What the widget shows: the stored values over the defaults, all languages' texts complete.

    A logo whose website is no longer among the allowed origins is left out rather than loaded from a host
    the tenant does not vouch for any more.
    """
    branding = {key: stored.get(key, default) for key, default in DEFAULT_BRANDING.items()}
    logo = branding["logo_url"]
    if logo and (origin := logo_origin(logo)) is not None and origin not in allowed_origins:
        branding["logo_url"] = None
    branding["texts"] = {
        lang: {**defaults, **((stored.get("texts") or {}).get(lang) or {})}
        for lang, defaults in DEFAULT_TEXTS.items()
    }
    return branding
