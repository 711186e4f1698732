"""POST /api/auth/logout ends one session: its cookie, its access tokens and its open sockets, no other."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta

import jwt
import pytest

from tests.support import PASSWORD, LiveServer, Reply, wait_for
from wschat.accounts.models import RevokedSession, User
from wschat.accounts.service import MAX_REVOKED_SESSIONS
from wschat.config import Settings
from wschat.server import realtime
from wschat.server.realtime import AGENT

LOGIN = "/api/auth/login"
LOGOUT = "/api/auth/logout"
RENEW = "/api/auth/token"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Housekeeping runs only when a test says so: a socket that closes did so because of the sign-out."""
    return replace(settings, chat=replace(settings.chat, janitor_interval=3600.0))


@dataclass(frozen=True)
class Session:
    cookie: str
    token: str

    @property
    def session_id(self) -> str:
        session_id: str = jwt.decode(self.token, options={"verify_signature": False})["sid"]
        return session_id


async def _sign_in(server: LiveServer, login: str = "bert", tenant: str = "acme") -> Session:
    reply = await server.request("POST", LOGIN, json={"tenant": tenant, "login": login, "password": PASSWORD})
    assert reply.status == 200, reply.body
    return Session(reply.headers["Set-Cookie"].split(";")[0], reply.body["token"])


async def _logout(server: LiveServer, cookie: str | None) -> None:
    reply = await server.request("POST", LOGOUT, headers={"Cookie": cookie} if cookie is not None else {})
    assert reply.status == 204
    assert "Max-Age=0" in reply.headers["Set-Cookie"], "the cookie is cleared in every case"


async def _renew(server: LiveServer, cookie: str) -> Reply:
    return await server.request("POST", RENEW, headers={"Cookie": cookie})


async def _user(server: LiveServer, login: str = "bert", tenant: str = "acme") -> User:
    user = await server.accounts.users.by_login((await server.accounts.tenant(tenant)).id, login)
    assert user is not None
    return user


def _resigned(server: LiveServer, token: str, audience: str, **changes: object) -> str:
    """The token with some claims changed (None drops one), signed with the server's secret."""
    secret = server.settings.secret_key.reveal()
    claims = jwt.decode(token, secret, algorithms=["HS256"], audience=audience)
    claims = {key: value for key, value in {**claims, **changes}.items() if value is not None}
    return jwt.encode(claims, secret, algorithm="HS256")


async def test_logout_ends_the_session_cookie(acme: LiveServer) -> None:
    session = await _sign_in(acme)
    assert (await _renew(acme, session.cookie)).status == 200
    await _logout(acme, session.cookie)
    renewed = await _renew(acme, session.cookie)
    assert (renewed.status, renewed.code) == (401, "AUTH_INVALID")
    me = await acme.request("GET", "/api/me", headers={"Cookie": session.cookie})
    assert (me.status, me.code) == (401, "AUTH_INVALID")


async def test_renewed_access_tokens_belong_to_the_session(acme: LiveServer) -> None:
    first, second = await _sign_in(acme), await _sign_in(acme)
    assert first.session_id != second.session_id
    renewed = await _renew(acme, first.cookie)
    assert Session(first.cookie, renewed.body["token"]).session_id == first.session_id


async def test_logout_refuses_the_sessions_access_tokens_on_rest_and_new_sockets(acme: LiveServer) -> None:
    session = await _sign_in(acme)
    renewed = (await _renew(acme, session.cookie)).body["token"]
    await _logout(acme, session.cookie)
    for token in (session.token, renewed):
        me = await acme.request("GET", "/api/me", token=token)
        assert (me.status, me.code) == (401, "AUTH_INVALID")
        assert (await acme.refused(AGENT, {"token": token}))["code"] == "AUTH_INVALID"


async def test_logout_disconnects_the_sessions_sockets_at_once(acme: LiveServer) -> None:
    session, other = await _sign_in(acme), await _sign_in(acme)
    first = await acme.agent(session.token)
    renewed = await acme.agent((await _renew(acme, session.cookie)).body["token"])
    elsewhere = await acme.agent(other.token)
    await _logout(acme, session.cookie)
    await wait_for(lambda: not first.client.connected and not renewed.client.connected)
    assert elsewhere.client.connected
    await elsewhere.ok("agents.list")


async def test_logout_keeps_the_users_other_sessions_signed_in(acme: LiveServer) -> None:
    session, other = await _sign_in(acme), await _sign_in(acme)
    await _logout(acme, session.cookie)
    assert (await acme.request("GET", "/api/me", token=other.token)).status == 200
    renewed = await _renew(acme, other.cookie)
    assert renewed.status == 200
    assert (await acme.request("GET", "/api/me", token=renewed.body["token"])).status == 200
    assert (await acme.agent(other.token)).client.connected


async def test_housekeeping_closes_sockets_of_a_session_signed_out_elsewhere(acme: LiveServer) -> None:
    """A sign-out stored by another process reaches this process's listening sockets at the next pass."""
    session, other = await _sign_in(acme), await _sign_in(acme)
    signed_out = await acme.connect(AGENT, {"token": session.token})
    elsewhere = await acme.connect(AGENT, {"token": other.token})
    # What another process's sign-out leaves in the database, without this process's help.
    until = acme.clock() + timedelta(days=1)
    assert await acme.accounts.users.set_revoked_sessions(
        await _user(acme), [RevokedSession(session.session_id, until)]
    )
    assert signed_out.connected
    await acme.app.runtime.janitor.run_once()
    await wait_for(lambda: not signed_out.connected)
    assert elsewhere.connected


async def test_an_event_on_a_socket_of_a_signed_out_session_is_refused(
    acme: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-socket re-check (every RECHECK seconds, here on every event) sees the sign-out too."""
    monkeypatch.setattr(realtime, "RECHECK", 0.0)
    session, other = await _sign_in(acme), await _sign_in(acme)
    signed_out, elsewhere = await acme.agent(session.token), await acme.agent(other.token)
    until = acme.clock() + timedelta(days=1)
    assert await acme.accounts.users.set_revoked_sessions(
        await _user(acme), [RevokedSession(session.session_id, until)]
    )
    assert await signed_out.error("agents.list") == "AUTH_INVALID"
    await wait_for(lambda: not signed_out.client.connected)
    await elsewhere.ok("agents.list")


@pytest.mark.parametrize(
    "cookie",
    ["none", "empty", "garbage", "access-token", "other-secret", "other-tenant", "unknown-user"],
)
async def test_logout_without_a_valid_cookie_changes_nothing(acme: LiveServer, cookie: str) -> None:
    session = await _sign_in(acme)
    socket = await acme.connect(AGENT, {"token": session.token})
    globex = await acme.make_tenant("globex")
    value = session.cookie.partition("=")[2]
    sent = {
        "none": None,
        "empty": "wschat_session=",
        "garbage": "wschat_session=not.a.token",
        "access-token": f"wschat_session={session.token}",
        "other-secret": "wschat_session="
        + jwt.encode(
            jwt.decode(value, options={"verify_signature": False}),
            "another secret that is long enough!!",
            algorithm="HS256",
        ),
        "other-tenant": f"wschat_session={_resigned(acme, value, 'wschat-session', tid=globex.id)}",
        "unknown-user": f"wschat_session={_resigned(acme, value, 'wschat-session', sub='usr_nobody')}",
    }[cookie]
    before = await _user(acme)
    await _logout(acme, sent)
    assert await _user(acme) == before
    assert (await _renew(acme, session.cookie)).status == 200
    assert (await acme.request("GET", "/api/me", token=session.token)).status == 200
    assert socket.connected


async def test_logout_with_an_expired_cookie_changes_nothing(acme: LiveServer) -> None:
    old = await _sign_in(acme)
    acme.clock.advance(seconds=acme.settings.auth.session_ttl - 60)
    current = await _sign_in(acme)
    acme.clock.advance(seconds=61)
    before = await _user(acme)
    await _logout(acme, old.cookie)
    assert await _user(acme) == before
    assert (await _renew(acme, current.cookie)).status == 200


async def test_logout_twice_is_the_same_as_once(acme: LiveServer) -> None:
    session = await _sign_in(acme)
    await _logout(acme, session.cookie)
    once = await _user(acme)
    assert [s.session_id for s in once.revoked_sessions] == [session.session_id]
    await _logout(acme, session.cookie)
    assert await _user(acme) == once


async def test_sign_outs_at_the_same_time_are_all_kept(acme: LiveServer) -> None:
    sessions = [await _sign_in(acme) for _ in range(3)]
    stale = await _user(acme)
    await asyncio.gather(*(_logout(acme, session.cookie) for session in sessions[:2]))
    # A writer that read the list before those sign-outs must not overwrite them.
    assert not await acme.accounts.users.set_revoked_sessions(
        stale, [RevokedSession(sessions[2].session_id, acme.clock() + timedelta(days=1))]
    )
    await _logout(acme, sessions[2].cookie)
    kept = {s.session_id for s in (await _user(acme)).revoked_sessions}
    assert kept == {session.session_id for session in sessions}


async def test_logout_in_one_tenant_leaves_the_same_login_elsewhere_alone(acme: LiveServer) -> None:
    globex = await acme.make_tenant("globex")
    await acme.make_user(globex, "bert")
    here, there = await _sign_in(acme), await _sign_in(acme, tenant="globex")
    await _logout(acme, here.cookie)
    assert (await _user(acme, tenant="globex")).revoked_sessions == ()
    assert (await _renew(acme, there.cookie)).status == 200
    assert (await acme.request("GET", "/api/me", token=there.token)).status == 200


async def test_tokens_without_a_session_id_live_until_they_expire(acme: LiveServer) -> None:
    """Tokens issued before sessions had ids: accepted, and signing out with such a cookie only clears it."""
    session = await _sign_in(acme)
    cookie = f"wschat_session={_resigned(acme, session.cookie.partition('=')[2], 'wschat-session', sid=None)}"
    token = _resigned(acme, session.token, "wschat-access", sid=None)
    assert (await acme.request("GET", "/api/me", token=token)).status == 200
    socket = await acme.connect(AGENT, {"token": token})
    renewed = await _renew(acme, cookie)
    assert renewed.status == 200
    assert "sid" not in jwt.decode(renewed.body["token"], options={"verify_signature": False})
    before = await _user(acme)
    await _logout(acme, cookie)
    assert await _user(acme) == before
    assert (await _renew(acme, cookie)).status == 200
    assert socket.connected


async def test_password_change_still_ends_every_session(acme: LiveServer) -> None:
    session, other = await _sign_in(acme), await _sign_in(acme)
    await _logout(acme, session.cookie)
    admin = await acme.login("acme", "anna")
    bert = await _user(acme)
    reply = await acme.request(
        "PATCH", f"/api/agents/{bert.id}", json={"password": "a brand new password"}, token=admin
    )
    assert reply.status == 200
    assert (await _renew(acme, other.cookie)).code == "AUTH_INVALID"
    assert (await _renew(acme, session.cookie)).code == "AUTH_INVALID"


async def test_a_signed_out_session_stays_refused_while_any_of_its_tokens_lives(acme: LiveServer) -> None:
    ttl = acme.settings.auth
    session = await _sign_in(acme)
    acme.clock.advance(seconds=ttl.session_ttl - 1)
    last = (await _renew(acme, session.cookie)).body["token"]  # outlives the cookie by almost token_ttl
    await _logout(acme, session.cookie)
    acme.clock.advance(seconds=ttl.token_ttl - 2)  # the cookie has expired, the last access token not yet
    another = await _sign_in(acme)
    await _logout(acme, another.cookie)  # forgets the signed-out sessions whose tokens have all expired
    me = await acme.request("GET", "/api/me", token=last)
    assert (me.status, me.code) == (401, "AUTH_INVALID")


async def test_signed_out_sessions_are_forgotten_once_their_tokens_expired(acme: LiveServer) -> None:
    ttl = acme.settings.auth
    first = await _sign_in(acme)
    await _logout(acme, first.cookie)
    acme.clock.advance(seconds=ttl.session_ttl + ttl.token_ttl - 1)
    second = await _sign_in(acme)
    await _logout(acme, second.cookie)
    kept = [s.session_id for s in (await _user(acme)).revoked_sessions]
    assert kept == [first.session_id, second.session_id]
    acme.clock.advance(seconds=1)  # now every token of the first session has expired
    third = await _sign_in(acme)
    await _logout(acme, third.cookie)
    kept = [s.session_id for s in (await _user(acme)).revoked_sessions]
    assert kept == [second.session_id, third.session_id]


async def test_too_many_signed_out_sessions_end_all_of_the_users_sessions(acme: LiveServer) -> None:
    """The list stays bounded without bringing a signed-out session back: one more ends them all."""
    keeper = await _sign_in(acme)
    socket = await acme.connect(AGENT, {"token": keeper.token})
    signed_out = []
    for _ in range(MAX_REVOKED_SESSIONS):
        session = await _sign_in(acme)
        await _logout(acme, session.cookie)
        signed_out.append(session)
    before = await _user(acme)
    assert len(before.revoked_sessions) == MAX_REVOKED_SESSIONS
    assert (await _renew(acme, keeper.cookie)).status == 200
    one_more = await _sign_in(acme)
    await _logout(acme, one_more.cookie)
    after = await _user(acme)
    assert after.revoked_sessions == ()
    assert after.password_version != before.password_version
    await wait_for(lambda: not socket.connected)
    for session in (keeper, one_more, *signed_out):
        assert (await _renew(acme, session.cookie)).code == "AUTH_INVALID"
    assert (await _sign_in(acme)).token
