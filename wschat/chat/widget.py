"""The widget's public configuration: branding, texts, language, whether the chat is online, features.

Only public data: nothing here may name an agent, a login or a setting that is not meant for visitors.
"""

from __future__ import annotations

from typing import Any

from wschat.accounts.models import Tenant

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


def widget_config(tenant: Tenant, *, online: bool, calls: dict[str, bool] | None = None) -> dict[str, Any]:
    stored = dict(tenant.branding)
    texts = {
        lang: {**defaults, **(stored.get("texts", {}).get(lang) or {})}
        for lang, defaults in DEFAULT_TEXTS.items()
    }
    branding = {key: stored.get(key, default) for key, default in DEFAULT_BRANDING.items()}
    return {
        "tenant": {"slug": tenant.slug, "name": tenant.name},
        "online": online,
        "language": branding.pop("language"),
        "branding": branding,
        "texts": texts,
        "features": {
            "contact_form": True,
            "offline_messages": True,
            "end_chat": True,
            # Visitor-started calls and screen sharing, as the tenant's video settings allow.
            "video": False,
            "screen_share": False,
            **(calls or {}),
        },
    }
