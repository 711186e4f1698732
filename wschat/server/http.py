"""The app's HTTP glue: every error as a JSON answer, and the security headers on every response."""

from __future__ import annotations

import logging

from quart import Quart, Response, request
from werkzeug.exceptions import HTTPException

from wschat.boundary.http import error_response
from wschat.errors import (
    MethodNotAllowed,
    NotFound,
    TooLarge,
    Unavailable,
    ValidationFailed,
    WsChatError,
)
from wschat.storage import DATABASE_ERRORS

log = logging.getLogger(__name__)


def install_error_handlers(app: Quart) -> None:
    """Every error becomes JSON ``{"error": {"code", "message"}}``: never an HTML page or a stack trace."""

    @app.errorhandler(WsChatError)
    async def _wschat_error(error: WsChatError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    async def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        mapped: WsChatError
        if status == 404:
            mapped = NotFound()
        elif status == 405:
            mapped = MethodNotAllowed()
        elif status == 413:
            mapped = TooLarge()
        elif 400 <= status < 500:
            mapped = ValidationFailed("The request could not be understood.")
        else:
            log.error("HTTP error %s on %s %s", status, request.method, request.path)
            mapped = WsChatError()
        response = error_response(mapped)
        if status == 405 and isinstance(error.get_headers(), list):
            allow = dict(error.get_headers()).get("Allow")
            if allow:
                response.headers["Allow"] = allow
        return response

    for database_error in DATABASE_ERRORS:

        @app.errorhandler(database_error)
        async def _database_error(error: Exception) -> Response:
            log.error("database error on %s %s: %s", request.method, request.path, type(error).__name__)
            return error_response(Unavailable())

    @app.errorhandler(Exception)
    async def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(WsChatError())


def install_security_headers(app: Quart) -> None:
    @app.after_request
    async def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
