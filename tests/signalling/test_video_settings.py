"""``GET``/``PATCH /api/tenant/video``: admins only, validated, secrets never returned. Widget features."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.signalling.conftest import Chat
from wschat.config import Secret
from wschat.sealing import Sealer, is_sealed
from wschat.video.store import VideoSettingsStore

JITSI_SECRET = "j" * 40
TURN_SECRET = "turn-shared-secret-1234"


async def _patch(team: Team, body: Any, who: str = "anna") -> Any:
    return await team.server.request("PATCH", "/api/tenant/video", json=body, token=team.tokens[who])


async def test_defaults_are_p2p_with_no_third_party_servers(team: Team) -> None:
    reply = await team.server.request("GET", "/api/tenant/video", token=team.tokens["anna"])
    assert reply.status == 200
    assert reply.body["video"] == {
        "mode": "p2p", "stun_urls": [], "turn_urls": [], "turn_secret_set": False, "turn_ttl_seconds": 3600,
        "allow_visitor_calls": False, "allow_visitor_screen_share": False, "invite_timeout_seconds": 60,
        "jitsi": {"domain": None, "app_id": None, "secret_set": False, "audience": "jitsi",
                  "sub": "meet.jitsi", "token_ttl_seconds": 600},
    }  # fmt: skip


async def test_secrets_go_in_and_never_come_out(team: Team) -> None:
    body = {
        "turn_urls": ["turn:turn.acme.eu:3478?transport=udp"], "turn_secret": TURN_SECRET,
        "stun_urls": ["stun:turn.acme.eu:3478"],
        "jitsi": {"domain": "meet.acme.eu", "app_id": "wschat-acme", "secret": JITSI_SECRET},
    }  # fmt: skip
    reply = await _patch(team, body)
    assert reply.status == 200, reply.body
    video = reply.body["video"]
    assert video["mode"] == "jitsi"
    assert video["jitsi"]["secret_set"]
    assert video["turn_secret_set"]
    again = await team.server.request("GET", "/api/tenant/video", token=team.tokens["anna"])
    for answer in (reply.body, again.body):
        text = json.dumps(answer)
        assert JITSI_SECRET not in text
        assert TURN_SECRET not in text
    me = await team.server.request("GET", "/api/tenant", token=team.tokens["anna"])
    assert JITSI_SECRET not in json.dumps(me.body)
    cleared = await _patch(team, {"jitsi": {"secret": None}})
    assert cleared.body["video"]["mode"] == "p2p"
    assert cleared.body["video"]["jitsi"]["domain"] == "meet.acme.eu"


async def test_agents_may_not_see_or_change_video_settings(team: Team) -> None:
    assert (
        await team.server.request("GET", "/api/tenant/video", token=team.tokens["bert"])
    ).code == "FORBIDDEN"
    assert (await _patch(team, {"allow_visitor_calls": True}, "bert")).code == "FORBIDDEN"
    assert (await team.server.request("GET", "/api/tenant/video")).code == "AUTH_INVALID"
    video = (await team.server.request("GET", "/api/tenant/video", token=team.tokens["anna"])).body
    assert video["video"]["allow_visitor_calls"] is False


async def test_bad_video_settings_are_refused_and_change_nothing(team: Team) -> None:
    before = (await team.server.request("GET", "/api/tenant/video", token=team.tokens["anna"])).body
    bad: list[dict[str, Any]] = [
        {"jitsi": {"secret": "x" * 31}},  # under 32 bytes
        {"jitsi": {"domain": "https://meet.acme.eu/"}},
        {"jitsi": {"app_id": "*"}},
        {"jitsi": {"room": "*"}},
        {"jitsi": {"token_ttl_seconds": 86400 * 365}},
        {"stun_urls": ["http://stun.example.com"]},
        {"turn_urls": ["stun:stun.example.com"]},
        {"turn_secret": "short"},
        {"invite_timeout_seconds": 0},
        {"allow_visitor_calls": "yes"},
        {"video": {"$set": 1}},
    ]
    for body in bad:
        reply = await _patch(team, body)
        assert (reply.status, reply.code) == (400, "VALIDATION_FAILED"), body
    after = (await team.server.request("GET", "/api/tenant/video", token=team.tokens["anna"])).body
    assert after == before


async def test_turn_credentials_follow_the_turn_rest_convention(chat: Chat) -> None:
    await chat.video(
        stun_urls=["stun:turn.acme.eu:3478"], turn_urls=["turns:turn.acme.eu:5349"], turn_secret=TURN_SECRET
    )
    started = await chat.start_call()
    turn, stun = started["ice_servers"]
    assert stun == {"urls": ["stun:turn.acme.eu:3478"]}
    expiry, user_id = turn["username"].split(":")
    assert user_id == chat.team.bert.id
    assert int(expiry) == int(chat.team.server.clock().timestamp()) + 3600
    digest = hmac.new(TURN_SECRET.encode(), turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
    invite = await chat.visitor.wait("call.invite")
    conversation = await chat.team.server.app.runtime.conversations.get(
        chat.team.tenant.id, chat.conversation_id
    )
    assert conversation is not None
    assert invite["ice_servers"][0]["username"].endswith(f":{conversation.visitor_id}")


async def test_the_widget_shows_video_features_as_the_tenant_allows(chat: Chat) -> None:
    s = chat.team.server
    features = (await s.request("GET", "/api/widget/acme")).body["features"]
    assert (features["video"], features["screen_share"]) == (False, False)
    await chat.video(allow_visitor_calls=True, allow_visitor_screen_share=True)
    features = (await s.request("GET", "/api/widget/acme")).body["features"]
    assert (features["video"], features["screen_share"]) == (True, True)


async def test_secrets_are_sealed_in_the_database(chat: Chat) -> None:
    """A copy of the database alone reveals neither secret; wsChat still signs with them (the ICE answer)."""
    await chat.video(
        turn_urls=["turn:turn.acme.eu:3478"],
        turn_secret=TURN_SECRET,
        jitsi={"domain": "meet.acme.eu", "app_id": "wschat-acme", "secret": JITSI_SECRET},
    )
    raw = await _raw_video(chat.team)
    dump = json.dumps(raw)
    for secret in (JITSI_SECRET, TURN_SECRET):
        assert secret not in dump
        assert base64.b64encode(secret.encode()).decode() not in dump
    assert is_sealed(raw["turn_secret"])
    assert is_sealed(raw["jitsi"]["secret"])
    await chat.video(jitsi={"secret": None})  # back to p2p: TURN credentials signed with the sealed secret
    turn = (await chat.start_call())["ice_servers"][0]
    digest = hmac.new(TURN_SECRET.encode(), turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()


async def test_a_secret_stored_as_plain_text_is_sealed_when_read(team: Team) -> None:
    """Video settings written before secrets were sealed: read as they are, and sealed in place at once."""
    records = team.server.app.runtime.db.stores.video
    await records.update(team.tenant.id, {"turn_secret": TURN_SECRET, "jitsi": {"secret": JITSI_SECRET}})
    video = await team.server.app.runtime.calls.video.get(team.tenant.id)
    assert video.turn_secret == Secret(TURN_SECRET)
    assert video.jitsi.secret == Secret(JITSI_SECRET)
    raw = await _raw_video(team)
    assert is_sealed(raw["turn_secret"])
    assert is_sealed(raw["jitsi"]["secret"])
    assert TURN_SECRET not in json.dumps(raw)
    again = await team.server.app.runtime.calls.video.get(team.tenant.id)
    assert again.turn_secret == video.turn_secret


async def test_a_sealed_secret_opens_only_in_its_tenant_and_with_this_server_key(
    team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    """A sealed secret copied into another tenant, or read with another server key, counts as not set."""
    reply = await _patch(team, {"turn_urls": ["turn:turn.acme.eu:3478"], "turn_secret": TURN_SECRET})
    assert reply.body["video"]["turn_secret_set"]
    sealed = (await _raw_video(team))["turn_secret"]
    runtime = team.server.app.runtime
    other = await team.server.make_tenant("globex")
    await runtime.db.stores.video.update(other.id, {"turn_secret": sealed})
    with caplog.at_level(logging.WARNING, logger="wschat.video.store"):
        assert (await runtime.calls.video.get(other.id)).turn_secret is None
        assert (await runtime.calls.video.get(other.id)).turn_secret is None
        elsewhere = VideoSettingsStore(
            runtime.db.stores.video, Sealer(Secret("another-server-key-" + "x" * 40))
        )
        assert (await elsewhere.get(team.tenant.id)).turn_secret is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, "one warning per secret and process, not one per read"
    assert all("does not open with this server's secret key" in w for w in warnings)
    assert not any(TURN_SECRET in w or sealed["data"] in w for w in warnings)
    assert (await _raw_video(team))["turn_secret"] == sealed  # nothing was overwritten
    assert (await runtime.calls.video.get(team.tenant.id)).turn_secret == Secret(TURN_SECRET)


async def _raw_video(team: Team) -> dict[str, Any]:
    return await team.server.app.runtime.db.stores.video.get(team.tenant.id)
