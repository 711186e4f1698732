"""The demo company website: a few plain pages with the widget embedded, as a customer would embed it.

`/demo` is where `make run` points people. `?tenant=<slug>` picks another tenant's widget and `?lang=de`
renders the pages in German (the widget follows the page's language unless the tenant fixed one).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from wschat.accounts.models import SLUG_PATTERN


@dataclass(frozen=True)
class DemoPage:
    path: str
    title: dict[str, str]
    body: dict[str, str]


PAGES: tuple[DemoPage, ...] = (
    DemoPage(
        "",
        {"en": "Northwind Solar — clean power for your roof", "de": "Northwind Solar — Sonnenstrom vom Dach"},
        {
            "en": "<h1>Clean power for your roof</h1><p>Northwind Solar plans, installs and services solar "
            "systems for homes and small businesses. Questions about a quote? Our team is in the chat.</p>",
            "de": "<h1>Sonnenstrom vom eigenen Dach</h1><p>Northwind Solar plant, installiert und wartet "
            "Solaranlagen für Häuser und kleine Betriebe. Fragen zum Angebot? Unser Team ist im Chat.</p>",
        },
    ),
    DemoPage(
        "pricing",
        {"en": "Pricing — Northwind Solar", "de": "Preise — Northwind Solar"},
        {
            "en": "<h1>Pricing</h1><ul><li>Starter 6 kWp — from 9,900 €</li><li>Family 10 kWp — from "
            "14,500 €</li><li>Business 30 kWp — on request</li></ul>",
            "de": "<h1>Preise</h1><ul><li>Starter 6 kWp — ab 9.900 €</li><li>Familie 10 kWp — ab "
            "14.500 €</li><li>Gewerbe 30 kWp — auf Anfrage</li></ul>",
        },
    ),
    DemoPage(
        "contact",
        {"en": "Contact — Northwind Solar", "de": "Kontakt — Northwind Solar"},
        {
            "en": "<h1>Contact</h1><p>Northwind Solar GmbH, Hafenstraße 1, 20457 Hamburg.</p>"
            "<p>Mon–Fri 8:00–18:00, or right now in the chat.</p>",
            "de": "<h1>Kontakt</h1><p>Northwind Solar GmbH, Hafenstraße 1, 20457 Hamburg.</p>"
            "<p>Mo–Fr 8:00–18:00, oder gleich hier im Chat.</p>",
        },
    ),
)

_NAV = {"en": ("Home", "Pricing", "Contact"), "de": ("Start", "Preise", "Kontakt")}

_STYLE = """
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2433;background:#f6f8fb}
header{background:#12324f;color:#fff;padding:1rem 2rem;display:flex;gap:2rem;align-items:center}
header strong{font-size:1.2rem}header nav a{color:#dbe9ff;margin-right:1.2rem;text-decoration:none}
header nav a[aria-current]{color:#fff;text-decoration:underline}
main{max-width:46rem;margin:2rem auto;padding:0 2rem 6rem}
footer{color:#5a6478;font-size:.85rem;text-align:center;padding:2rem}
"""


def find_page(path: str) -> DemoPage | None:
    return next((page for page in PAGES if page.path == path), None)


def render_page(page: DemoPage, *, tenant: str, lang: str) -> str:
    """The page's HTML. ``tenant`` must already match the slug pattern; it is escaped all the same."""
    query = f"?tenant={tenant}" + ("&lang=de" if lang == "de" else "")
    links = "".join(
        f'<a href="/demo{"/" + p.path if p.path else ""}{html.escape(query)}"'
        f"{' aria-current=page' if p is page else ''}>{label}</a>"
        for p, label in zip(PAGES, _NAV[lang], strict=True)
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" type="image/svg+xml" href="/favicon.svg">'
        f"<title>{html.escape(page.title[lang])}</title><style>{_STYLE}</style></head><body>"
        f"<header><strong>Northwind Solar</strong><nav>{links}</nav></header>"
        f"<main>{page.body[lang]}</main>"
        "<footer>A demo website for wsChat. The chat in the corner is the embedded widget.</footer>"
        f'<script src="/widget.js" data-tenant="{html.escape(tenant)}" async></script>'
        "</body></html>"
    )


def demo_tenant(requested: str | None, default: str) -> str | None:
    """The tenant slug to embed; ``None`` when the requested one is not a well-formed slug."""
    if requested is None:
        return default
    return requested if SLUG_PATTERN.fullmatch(requested) else None
