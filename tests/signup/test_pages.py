"""The sign-up's pages: first-party only under the strict policy, German and English, the consent text
shown being the one stored; and the operator's switch (off: no page, no API)."""

from __future__ import annotations

import re
from dataclasses import replace

import aiohttp
import pytest

from tests.signup.conftest import form
from tests.support import FakeClock, LiveServer, start_server, stored
from wschat.config import Settings
from wschat.signup.models import CONSENT
from wschat.signup.routes import SCRIPT

URL = re.compile(r"""(?:src|href|action)=["']([^"']+)["']""")


async def _get(
    server: LiveServer, path: str, **headers: str
) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
    async with server.http.get(server.url + path, headers=headers) as response:
        return response.status, await response.text(), response.headers


@pytest.mark.parametrize(
    ("query", "accept", "lang"), [("", "de-DE,de;q=0.9", "de"), ("?lang=en", "de", "en"), ("", "fr", "en")]
)
async def test_signup_page_is_first_party_in_the_readers_language(
    server: LiveServer, query: str, accept: str, lang: str
) -> None:
    status, page, headers = await _get(server, "/signup" + query, **{"Accept-Language": accept})
    assert status == 200
    assert f'<html lang="{lang}">' in page
    assert CONSENT[lang] in page, "the consent text shown is the one stored"
    assert 'type="checkbox" id="consent"' in page
    assert "checked" not in page, "the consent box starts unticked"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "<script>" not in page, "no inline script (the policy would block it)"
    for url in URL.findall(page):
        assert url.startswith("/"), f"{url} is not wsChat's own"
    for field in ("name", "company", "email", "phone"):
        assert f'<label for="{field}">' in page, f"{field} has a label"
    assert 'role="alert"' in page


async def test_signup_script_is_served_from_wschat_itself(server: LiveServer) -> None:
    status, script, headers = await _get(server, "/signup/signup.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    assert script.encode() == SCRIPT.read_bytes()
    assert "http" not in script, "it talks to no host but its own"


async def test_with_the_switch_off_neither_page_nor_api_exist(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    assert settings.signup is False, "off unless the operator turns it on"
    async with start_server(settings, clock, http) as live:
        for path in ("/signup", "/signup/confirm?token=x", "/signup/signup.js"):
            async with http.get(live.url + path) as response:
                assert response.status == 404, path
        for path, body in (("/api/signup", form()), ("/api/signup/confirm", {"token": "x"})):
            reply = await live.request("POST", path, json=body)
            assert (reply.status, reply.code) == (404, "NOT_FOUND"), path
        assert await stored(live.app.runtime.db, "signups") == []


async def test_signup_from_another_site_is_refused(server: LiveServer) -> None:
    reply = await server.request(
        "POST", "/api/signup", json=form(), headers={"Origin": "https://evil.example"}
    )
    assert (reply.status, reply.code) == (403, "FORBIDDEN")
    assert await stored(server.app.runtime.db, "signups") == []


async def test_signup_without_a_mail_server_is_refused_and_stores_nothing(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    """Settings made in code (not read from the environment, which refuses this) with no mail server."""
    async with start_server(replace(settings, signup=True), clock, http) as live:
        reply = await live.request("POST", "/api/signup", json=form())
        assert (reply.status, reply.code) == (409, "MAIL_NOT_CONFIGURED")
        assert await stored(live.app.runtime.db, "signups") == []
