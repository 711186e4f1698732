"""Jitsi tokens as Prosody checks them: decoded with PyJWT, explicit algorithm, ``aud`` and ``iss``."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt
import pytest

from tests.signalling.conftest import Chat
from tests.support import FakeClock
from wschat.config import Secret
from wschat.jitsi.rooms import ROOM_PATTERN, new_room
from wschat.jitsi.tokens import JitsiUser, TokenRejected, issue_token, verify_like_prosody
from wschat.video.models import JitsiSettings

SECRET = "k" * 24 + "-wschat-jitsi-secret"  # 44 bytes
JITSI = {"domain": "meet.example.com", "app_id": "wschat-acme", "secret": SECRET, "audience": "jitsi"}
SETTINGS = JitsiSettings("meet.example.com", "wschat-acme", Secret(SECRET))
AGENT = JitsiUser("usr_1", "Anna", "https://chat.example.eu/media/photos/p1-256.webp", True, True)


def _decode(token: str) -> dict[str, Any]:
    """How Prosody reads it: HS256 only, audience and issuer required and checked."""
    claims: dict[str, Any] = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience="jitsi", issuer="wschat-acme",
        options={"require": ["exp", "nbf", "iss", "aud"]},
    )  # fmt: skip
    return claims


def _verify(token: str, room: str, clock: FakeClock) -> dict[str, Any]:
    return verify_like_prosody(
        token, secret=SECRET, issuer="wschat-acme", audience="jitsi", room=room, now=clock()
    )


async def test_call_tokens_name_the_room_and_say_nothing_is_recorded(chat: Chat) -> None:
    await chat.video(jitsi=JITSI)
    started = await chat.start_call()
    call = started["call"]
    assert call["mode"] == "jitsi"
    assert ROOM_PATTERN.fullmatch(call["room"])
    assert set(started["jitsi"]) == {"domain", "room", "jwt"}
    assert "ice_servers" not in started
    assert started["jitsi"]["domain"] == "meet.example.com"
    assert started["jitsi"]["room"] == call["room"]
    invite = (await chat.visitor.wait("call.invite"))["jitsi"]
    joined = (await chat.visitor.ok("call.join", {"call_id": call["id"]}))["jitsi"]
    clock = chat.team.server.clock
    now = int(clock().timestamp())
    agent_claims = _decode(started["jitsi"]["jwt"])
    for token in (started["jitsi"]["jwt"], invite["jwt"], joined["jwt"]):
        assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
        claims = _verify(token, call["room"], clock)
        assert claims == _decode(token)
        assert claims["room"] == call["room"]
        assert claims["sub"] == "meet.jitsi"
        assert type(claims["exp"]) is int
        assert type(claims["nbf"]) is int
        assert claims["exp"] - now == 600, "seconds, not milliseconds"
        assert 0 < now - claims["nbf"] <= 30
        assert claims["context"]["features"] == {
            "recording": False, "livestreaming": False, "transcription": False, "outbound-call": False,
            "screen-sharing": claims is agent_claims or claims["context"]["user"]["affiliation"] == "owner",
        }  # fmt: skip
        assert all(isinstance(value, str) for value in claims["context"]["user"].values())
    assert agent_claims["context"]["user"]["affiliation"] == "owner"
    assert agent_claims["context"]["user"]["name"] == "Bert"
    assert agent_claims["context"]["user"]["avatar"].startswith(chat.team.server.url + "/media/")
    visitor_claims = _decode(joined["jwt"])
    assert visitor_claims["context"]["user"] == {"id": _decode(invite["jwt"])["context"]["user"]["id"],
                                                 "name": "Sam", "affiliation": "member"}  # fmt: skip
    assert visitor_claims["context"]["features"]["screen-sharing"] is False


async def test_visitors_may_share_their_screen_when_the_tenant_allows(chat: Chat) -> None:
    await chat.video(jitsi=JITSI, allow_visitor_screen_share=True)
    call = (await chat.start_call())["call"]
    token = (await chat.visitor.ok("call.join", {"call_id": call["id"]}))["jitsi"]["jwt"]
    claims = _decode(token)
    assert claims["context"]["features"]["screen-sharing"] is True
    assert claims["context"]["user"]["affiliation"] != "owner"


def test_the_verifier_refuses_what_prosody_refuses() -> None:
    clock = FakeClock()
    room = new_room()
    good = issue_token(SETTINGS, room, AGENT, clock())
    assert _verify(good, room, clock)["room"] == room
    claims = _decode(good)

    def signed(changes: dict[str, Any], secret: str = SECRET, **headers: Any) -> str:
        return jwt.encode({**claims, **changes}, secret, algorithm="HS256", headers=headers or None)

    refused = {
        "Invalid signature": signed({}, "another-secret-of-at-least-32-bytes!!"),
        "Invalid or incorrect alg": jwt.encode(claims, None, algorithm="none"),
        "Invalid typ": signed({}, typ="JWS"),
        "room-mismatch": issue_token(SETTINGS, new_room(), AGENT, clock()),
        "wildcard room": signed({"room": "*"}),
        "no room": jwt.encode({k: v for k, v in claims.items() if k != "room"}, SECRET, algorithm="HS256"),
        "audience list": signed({"aud": ["jitsi", "other"]}),
        "wrong audience": signed({"aud": "other"}),
        "wrong issuer": signed({"iss": "someone"}),
        "milliseconds": signed({"exp": claims["exp"] * 1000, "nbf": claims["nbf"] * 1000}),
        "exp as text": signed({"exp": str(claims["exp"])}),
        "not yet": signed({"nbf": int(clock().timestamp()) + 60}),
        "no sub": jwt.encode({k: v for k, v in claims.items() if k != "sub"}, SECRET, algorithm="HS256"),
    }
    for why, token in refused.items():
        try:
            _verify(token, room, clock)
        except TokenRejected:
            continue
        pytest.fail(f"accepted: {why}")
    clock.advance(seconds=601)
    with pytest.raises(TokenRejected, match="exp"):
        _verify(good, room, clock)


def test_tokens_are_issued_in_seconds_from_the_given_time() -> None:
    clock = FakeClock()
    clock.now -= timedelta(days=3)  # a token issued in the past has its times in the past
    token = issue_token(SETTINGS, new_room(), AGENT, clock())
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] == int(clock().timestamp()) + 600
    assert claims["exp"] < time.time() < 10**10


def test_room_names_are_unguessable_lowercase_ascii() -> None:
    rooms = {new_room() for _ in range(1000)}
    assert len(rooms) == 1000
    for room in rooms:
        assert ROOM_PATTERN.fullmatch(room)
        assert room == room.lower()
        assert room.isascii()


async def test_joining_after_the_jitsi_settings_were_removed_changes_nothing(chat: Chat) -> None:
    await chat.video(jitsi=JITSI)
    call = (await chat.start_call())["call"]
    await chat.video(jitsi={"secret": None})
    assert await chat.visitor.error("call.join", {"call_id": call["id"]}) == "CONFLICT"
    current = (await chat.visitor.ok("call.current", {"conversation_id": chat.conversation_id}))["call"]
    assert current["status"] == "ringing"
    assert len(current["participants"]) == 1
    await chat.bert.ok("call.end", {"call_id": call["id"]})
    assert (await chat.start_call())["call"]["mode"] == "p2p"
