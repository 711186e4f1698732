"""The sign-up's pages (``/signup``, ``/signup/confirm``) and API (``POST /api/signup``,
``POST /api/signup/confirm``); with ``WSCHAT_SIGNUP`` off none of them exists (404)."""

from __future__ import annotations

import asyncio

from quart import Blueprint, Response, request

from wschat.boundary.http import client_ip, json_response, read_json, require_own_origin, service
from wschat.config import Settings
from wschat.errors import NotFound, Unavailable, WsChatError
from wschat.mail.models import Lang
from wschat.signup.models import ConfirmRequest, SignupRequest
from wschat.signup.page import confirm_page, link_error_page, signup_page
from wschat.signup.service import SignupService
from wschat.web.csp import page_csp
from wschat.web.routes import STATIC

#: The pages' script, built from frontend/src/signup/ (``npm run build``) as the console is.
SCRIPT = STATIC / "signup" / "signup.js"
#: Where the new admin signs in.
SIGN_IN = "/console/"

blueprint = Blueprint("signup", __name__)


@blueprint.before_request
async def switched_on() -> None:
    """The operator's switch: no such pages or API unless ``WSCHAT_SIGNUP=on``."""
    if not service(Settings).signup:
        raise NotFound()


@blueprint.get("/signup")
async def page() -> Response:
    """The sign-up form."""
    return _html(signup_page(_lang()))


@blueprint.get("/signup/confirm")
async def confirm_form() -> Response:
    """The page the mail's link opens: the confirmation form, or what is wrong with the link."""
    lang = _lang()
    try:
        signup, slug, login = await service(SignupService).pending(request.args.get("token", ""))
    except WsChatError as e:
        return _html(link_error_page(lang, e.code.value, e.message), e.status)
    lang = _lang(signup.lang)
    token = request.args.get("token", "")
    return _html(
        confirm_page(lang, token=token, name=signup.name, company=signup.company, slug=slug, login=login)
    )


@blueprint.get("/signup/signup.js")
async def script() -> Response:
    if not SCRIPT.is_file():
        raise Unavailable("The front end is not built yet: run `make run` or `make setup`.")
    # A few kilobytes: read whole, so that no file stays open when the browser goes away early.
    response = Response(
        await asyncio.to_thread(SCRIPT.read_bytes), content_type="text/javascript; charset=utf-8"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.post("/api/signup")
async def sign_up() -> Response:
    """Ask for a demo: the confirmation link is mailed (WSCHAT_SIGNUP=on only)."""
    require_own_origin()
    await service(SignupService).sign_up(await read_json(SignupRequest), client_ip())
    return json_response({"status": "confirmation_sent"}, 202)


@blueprint.post("/api/signup/confirm")
async def confirm() -> Response:
    """Confirm a sign-up: the demo tenant and its first admin are created (WSCHAT_SIGNUP=on only)."""
    require_own_origin()
    tenant, admin = await service(SignupService).confirm(await read_json(ConfirmRequest))
    return json_response({"tenant": tenant.slug, "login": admin.login, "sign_in": SIGN_IN}, 201)


def _lang(default: str | None = None) -> Lang:
    """``?lang=``, else the given default, else the browser's first choice of German or English."""
    asked = request.args.get("lang") or default
    if asked in ("de", "en"):
        return "de" if asked == "de" else "en"
    best = request.accept_languages.best_match(["en", "de"], default="en")
    return "de" if best == "de" else "en"


def _html(page: str, status: int = 200) -> Response:
    response = Response(page, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = page_csp(embeddable=False)
    response.headers["Cache-Control"] = "no-store"  # the confirmation page holds the link's token
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response
