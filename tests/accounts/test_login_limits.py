"""Login limits that stop guessing without locking the owner out (issue: security review, item 4), and the
checks that keep other sites from signing a browser in or out (login CSRF, item 5).

The server trusts 127.0.0.1 as a reverse proxy here, so each request's ``X-Forwarded-For`` is its client
address, as behind a real proxy.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import orjson
import pytest

from tests.support import PASSWORD, FakeClock, LiveServer, Reply, start_server
from wschat.accounts.login_limits import MAX_DELAY
from wschat.accounts.models import Role
from wschat.config import Settings

LOGIN = "/api/auth/login"
WRONG = {"tenant": "acme", "login": "anna", "password": "wrong password"}
RIGHT = {**WRONG, "password": PASSWORD}
PER_PAIR = 3
PER_ADDRESS = 6
PER_ACCOUNT = 8


@pytest.fixture
async def proxied(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    auth = replace(
        settings.auth,
        login_failures_per_minute=PER_PAIR,
        login_failures_per_address_per_minute=PER_ADDRESS,
        login_failures_per_account_per_hour=PER_ACCOUNT,
    )
    server_settings = replace(settings.server, trusted_proxies="127.0.0.1")
    async with start_server(replace(settings, auth=auth, server=server_settings), clock, http) as live:
        tenant = await live.make_tenant("acme")
        await live.make_user(tenant, "anna", Role.ADMIN)
        await live.make_user(tenant, "bert")
        yield live
        await live.app.runtime.db.drop()


async def _login(server: LiveServer, body: dict[str, str], address: str, cookie: str | None = None) -> Reply:
    headers = {"X-Forwarded-For": address}
    if cookie:
        headers["Cookie"] = cookie
    return await server.request("POST", LOGIN, json=body, headers=headers)


def _device_cookie(reply: Reply) -> str:
    cookies = [c.split(";")[0] for c in reply.headers.getall("Set-Cookie") if c.startswith("wschat_device=")]
    assert len(cookies) == 1, reply.headers.getall("Set-Cookie")
    return cookies[0]


async def test_guessing_from_one_address_does_not_lock_the_owner_out(proxied: LiveServer) -> None:
    for _ in range(PER_PAIR):
        assert (await _login(proxied, WRONG, "198.51.100.7")).code == "INVALID_CREDENTIALS"
    limited = await _login(proxied, RIGHT, "198.51.100.7")
    assert (limited.status, limited.code) == (429, "RATE_LIMITED")
    assert "Set-Cookie" not in limited.headers
    # The owner, elsewhere, signs in at once.
    assert (await _login(proxied, RIGHT, "192.0.2.20")).status == 200


async def test_an_ipv6_attacker_counts_as_one_64_block(proxied: LiveServer) -> None:
    for i in range(PER_PAIR):
        # A new address of the same /64 for every guess.
        assert (await _login(proxied, WRONG, f"2001:db8:1:2::{i + 1:x}")).code == "INVALID_CREDENTIALS"
    assert (await _login(proxied, RIGHT, "2001:db8:1:2:ffff::9")).code == "RATE_LIMITED"
    assert (await _login(proxied, RIGHT, "2001:db8:1:3::1")).status == 200  # the next /64 is another home


async def test_password_spraying_from_one_address_is_limited(proxied: LiveServer) -> None:
    for i in range(PER_ADDRESS):
        guess = {"tenant": "acme", "login": f"guess{i}", "password": "x"}
        assert (await _login(proxied, guess, "198.51.100.7")).code == "INVALID_CREDENTIALS"
    assert (await _login(proxied, {**RIGHT, "login": "bert"}, "198.51.100.7")).code == "RATE_LIMITED"
    assert (await _login(proxied, {**RIGHT, "login": "bert"}, "198.51.100.8")).status == 200


async def test_guessing_from_many_addresses_slows_down_but_spares_a_known_browser(
    proxied: LiveServer, clock: FakeClock
) -> None:
    owner = _device_cookie(await _login(proxied, RIGHT, "192.0.2.20"))
    # A botnet: every guess from a new address, so no pair or address limit ever applies.
    for i in range(PER_ACCOUNT):
        assert (await _login(proxied, WRONG, f"203.0.113.{i + 1}")).code == "INVALID_CREDENTIALS"
    waits = []
    for i in range(4):
        refused = await _login(proxied, WRONG, f"198.51.100.{i + 1}")
        assert (refused.status, refused.code) == (429, "RATE_LIMITED")
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
        assert (await _login(proxied, WRONG, f"198.51.100.{i + 100}")).code == "INVALID_CREDENTIALS"
    assert waits == [1, 2, 4, 8]  # doubling with every further failure
    # A browser that never signed in to anna waits too, even with the right password ...
    stranger = await _login(proxied, RIGHT, "192.0.2.30")
    assert (stranger.status, stranger.code) == (429, "RATE_LIMITED")
    # ... the owner's browser does not, from any address.
    assert (await _login(proxied, RIGHT, "192.0.2.99", cookie=owner)).status == 200
    # Other accounts are untouched.
    assert (await _login(proxied, {**RIGHT, "login": "bert"}, "192.0.2.30")).status == 200


async def test_the_account_delay_is_capped_and_ends_with_the_window(
    proxied: LiveServer, clock: FakeClock
) -> None:
    waits: list[int] = []
    for i in range(PER_ACCOUNT + 12):  # a patient botnet: waits out every delay, then guesses again
        refused = await _login(proxied, RIGHT, "192.0.2.30")
        if refused.status == 429:
            waits.append(int(refused.headers["Retry-After"]))
            clock.advance(seconds=waits[-1])
        assert (await _login(proxied, WRONG, f"203.0.113.{i + 1}")).code == "INVALID_CREDENTIALS"
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256] + [MAX_DELAY] * 3
    refused = await _login(proxied, RIGHT, "192.0.2.30")
    assert int(refused.headers["Retry-After"]) == MAX_DELAY
    clock.advance(hours=1)
    assert (await _login(proxied, RIGHT, "192.0.2.30")).status == 200


async def test_a_device_cookie_of_another_account_or_an_old_password_does_not_help(
    proxied: LiveServer, clock: FakeClock
) -> None:
    berts = _device_cookie(await _login(proxied, {**RIGHT, "login": "bert"}, "192.0.2.20"))
    annas = _device_cookie(await _login(proxied, RIGHT, "192.0.2.20"))
    tenant = await proxied.accounts.tenant("acme")
    await proxied.accounts.set_password(tenant, "anna", "a brand new passphrase")
    for i in range(PER_ACCOUNT):
        await _login(proxied, WRONG, f"203.0.113.{i + 1}")
    new_right = {**RIGHT, "password": "a brand new passphrase"}
    for cookie in (berts, annas, "wschat_device=forged.token.value"):
        assert (await _login(proxied, new_right, "192.0.2.20", cookie=cookie)).code == "RATE_LIMITED"


async def test_forwarded_for_from_an_untrusted_peer_is_ignored_with_one_warning(
    acme: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "wschat.proxies")
    for i in range(acme.settings.auth.login_failures_per_minute):
        reply = await _login(acme, WRONG, f"203.0.113.{i + 1}")  # the header is not believed
        assert reply.code == "INVALID_CREDENTIALS"
    assert (await _login(acme, RIGHT, "203.0.113.200")).code == "RATE_LIMITED"
    warnings = [r.getMessage() for r in caplog.records if r.name == "wschat.proxies"]
    assert len(warnings) == 1, warnings
    assert "not in WSCHAT_TRUSTED_PROXIES" in warnings[0]
    assert "203.0.113" not in caplog.text


# -- login CSRF and the session endpoints (items 1 and 5) ----------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_login_refuses_bodies_not_sent_as_json(acme: LiveServer, content_type: str | None) -> None:
    """An HTML form on any site can post text/plain without a preflight; its JSON-looking body must not sign
    the victim's browser in to the attacker's account."""
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"tenant": "acme", "login": "anna", "password": "correct horse battery"}'
    async with acme.http.post(acme.url + LOGIN, data=body, headers=headers) as r:
        assert r.status == 415
        assert (await r.json())["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
        assert "Set-Cookie" not in r.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a tenant's meet.example.com beside chat.example.com
    ],
    ids=["foreign-origin", "opaque-origin", "cross-site", "same-site"],
)
async def test_session_endpoints_refuse_other_sites(acme: LiveServer, headers: dict[str, str]) -> None:
    signed_in = await acme.request("POST", LOGIN, json=RIGHT)
    session = signed_in.headers["Set-Cookie"].split(";")[0]
    login = await acme.request("POST", LOGIN, json=RIGHT, headers=headers)
    assert (login.status, login.code) == (403, "FORBIDDEN")
    assert "Set-Cookie" not in login.headers
    token = await acme.request("POST", "/api/auth/token", headers={**headers, "Cookie": session})
    assert (token.status, token.code) == (403, "FORBIDDEN")
    assert "token" not in (token.body or {})
    logout = await acme.request("POST", "/api/auth/logout", headers={**headers, "Cookie": session})
    assert (logout.status, logout.code) == (403, "FORBIDDEN")
    # Nothing changed: the session still works from wsChat's own page.
    own = {"Origin": acme.origin, "Sec-Fetch-Site": "same-origin", "Cookie": session}
    assert (await acme.request("POST", "/api/auth/token", headers=own)).status == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/tenant", {"auto_assign": False}),
        ("POST", "/api/agents", {"login": "mallory", "display_name": "M", "password": "x" * 12}),
        ("PATCH", "/api/tenant/video", {"allow_visitor_calls": True}),
        ("POST", "/api/widget/acme/session", {"token": None}),
    ],
)
async def test_every_json_endpoint_requires_the_json_content_type(
    acme: LiveServer, tokens: dict[str, str], method: str, path: str, body: dict[str, object]
) -> None:
    tenant = await acme.accounts.tenant("acme")
    users = await acme.accounts.users.all(tenant.id)
    video = await acme.app.runtime.video.get(tenant.id)
    headers = {"Authorization": f"Bearer {tokens['admin']}", "Content-Type": "text/plain"}
    async with acme.http.request(
        method, acme.url + path, json=None, data=orjson.dumps(body), headers=headers
    ) as r:
        assert r.status == 415, await r.text()
        assert (await r.json())["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await acme.accounts.tenant("acme") == tenant
    assert await acme.accounts.users.all(tenant.id) == users
    assert await acme.app.runtime.video.get(tenant.id) == video
