"""Serves the built front end (`make run` / `make test` build it into wschat/static/) and the demo pages.

Content-Security-Policy keeps every page to its own origin: no CDN, no font host, no analytics can load.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from quart import Blueprint, Response, request, send_from_directory

from wschat.accounts.bootstrap import DEMO_SLUG
from wschat.accounts.models import SLUG_PATTERN
from wschat.accounts.service import AccountService
from wschat.boundary.http import service
from wschat.errors import NotFound, Unavailable
from wschat.video.service import VideoSettingsService
from wschat.web.csp import page_csp
from wschat.web.pages import demo_tenant, find_page, render_page

STATIC = Path(__file__).resolve().parent.parent / "static"
#: Set by the console after signing in: the tenant slug whose Jitsi host the console's policy must allow.
CONSOLE_TENANT_COOKIE = "wschat_tenant"
FAVICON = (Path(__file__).resolve().parent / "assets" / "favicon.svg").read_bytes()
#: The widget's modules under /widget/: the widget proper and the chunks it loads on first use, each named by
#: the build after its content (docs/widget.md, "Size").
WIDGET_MODULE = re.compile(r"[A-Za-z0-9_-]{1,100}\.js")

blueprint = Blueprint("web", __name__)


def _built(*parts: str) -> Path:
    path = STATIC.joinpath(*parts)
    if not path.is_file():
        raise Unavailable("The front end is not built yet: run `make run` or `make setup`.")
    return path


@blueprint.get("/widget.js")
async def widget_js() -> Response:
    _built("widget.js")
    response = await send_from_directory(STATIC, "widget.js", mimetype="text/javascript")
    # Sites embed this URL unversioned: cache briefly, revalidate by ETag.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@blueprint.get("/widget/<name>")
async def widget_module(name: str) -> Response:
    if not WIDGET_MODULE.fullmatch(name) or not (STATIC / "widget" / name).is_file():
        raise NotFound()
    response = await send_from_directory(STATIC / "widget", name, mimetype="text/javascript")
    # A file's name changes with its content: cache for good. widget.js imports these as ES modules from the
    # tenant's site, a cross-origin request in CORS mode (without credentials).
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@blueprint.get("/favicon.svg")
async def favicon() -> Response:
    response = Response(FAVICON, content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Content-Security-Policy"] = "default-src 'none'"  # an image: nothing to load or run
    return response


@blueprint.get("/console")
async def console_redirect() -> Response:
    return Response("", status=308, headers={"Location": "/console/"})


@blueprint.get("/console/")
@blueprint.get("/console/<path:path>")
async def console(path: str = "") -> Response:
    if path.startswith("assets/"):
        _built("console", path)
        response = await send_from_directory(STATIC / "console", path)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
    # Every other path is a view of the single-page app.
    # A few hundred bytes: read whole, so that no file stays open when the browser goes away early.
    page = await asyncio.to_thread(_built("console", "index.html").read_bytes)
    # The policy names the Jitsi host of one tenant only, as a frame (never a script source): the one this
    # browser signs in to, as the console remembers it in a cookie. It never lists other tenants' hosts (which
    # would name the operator's customers to anyone who loads the page). The page says which tenant it was
    # made for; after signing in to another one the console loads itself again (docs/console.md).
    slug = request.cookies.get(CONSOLE_TENANT_COOKIE, "")
    slug = slug if SLUG_PATTERN.fullmatch(slug) else ""
    hosts = await _jitsi_host_of(slug) if slug else []
    page = page.replace(b"<head>", f'<head><meta name="wschat-tenant" content="{slug}">'.encode(), 1)
    response = _html(page, page_csp(hosts, embeddable=False))
    response.headers["X-Frame-Options"] = "DENY"
    return response


@blueprint.get("/")
async def root() -> Response:
    return Response("", status=302, headers={"Location": "/demo"})


@blueprint.get("/demo")
@blueprint.get("/demo/<page>")
async def demo(page: str = "") -> Response:
    found = find_page(page)
    tenant = demo_tenant(request.args.get("tenant"), DEMO_SLUG)
    if found is None or tenant is None:
        raise NotFound()
    lang = "de" if request.args.get("lang") == "de" else "en"
    return _html(render_page(found, tenant=tenant, lang=lang), page_csp(await _jitsi_host_of(tenant)))


def _html(page: str | bytes, csp: str) -> Response:
    response = Response(page, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-cache"
    return response


async def _jitsi_host_of(slug: str) -> list[str]:
    """The tenant's Jitsi host, if it has one: the page (its widget, or the console) may frame its meeting."""
    try:
        tenant = await service(AccountService).tenant(slug)
    except NotFound:
        return []
    domain = (await service(VideoSettingsService).get(tenant.id)).jitsi.domain
    return [domain] if domain else []
