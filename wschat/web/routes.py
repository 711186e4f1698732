"""Serves the built front end (`make run` / `make test` build it into wschat/static/) and the demo pages.

Content-Security-Policy keeps every page to its own origin: no CDN, no font host, no analytics can load.
"""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Response, request, send_from_directory

from wschat.accounts.bootstrap import DEMO_SLUG
from wschat.errors import NotFound, Unavailable
from wschat.web.pages import demo_tenant, find_page, render_page

STATIC = Path(__file__).resolve().parent.parent / "static"

blueprint = Blueprint("web", __name__)

_PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)
_CONSOLE_CSP = _PAGE_CSP + "; frame-ancestors 'none'"
_DEMO_CSP = _PAGE_CSP


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
    response = await send_from_directory(STATIC / "console", _built("console", "index.html").name)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = _CONSOLE_CSP
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
    response = Response(render_page(found, tenant=tenant, lang=lang), content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = _DEMO_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response
