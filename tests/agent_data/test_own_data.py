"""An agent downloads their own data (``GET /api/me/data``): account, photo, own canned replies, sign-in
data, every message they wrote; never anyone else's, never without signing in."""

from __future__ import annotations

import base64

import pytest

from tests.agent_data.conftest import XAVER, office
from tests.support import LiveServer, stored
from wschat.accounts.models import Role
from wschat.agent_data import download

URL = "/api/me/data"


@pytest.mark.both_backends
async def test_own_data_holds_account_photo_replies_sign_in_and_every_message_written(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = await office(server)
    # One message, one conversation per read: the paging is what a long history goes through.
    monkeypatch.setattr(download, "MESSAGE_PAGE", 1)
    server.app.runtime.own_data.chats.page_size = 1
    replies = [("personal", "mine", here.tokens["q.xaver"]), ("shared", "ours", here.tokens["anna"])]
    for scope, shortcut, token in replies:
        body = {"scope": scope, "title": shortcut, "shortcut": shortcut, "text": {"de": f"Text {shortcut}"}}
        made = await server.request("POST", "/api/canned-replies", json=body, token=token)
        assert made.status == 201, made.body

    reply = await server.request("GET", URL, token=here.tokens["q.xaver"])

    assert reply.status == 200, reply.body
    assert reply.headers["Content-Disposition"] == 'attachment; filename="wschat-my-data-acme-q.xaver.json"'
    assert reply.headers["Cache-Control"] == "no-store"
    data = reply.body
    assert data["format"] == "wschat-agent-data/1"
    account = data["account"]
    assert (account["login"], account["alias"], account["role"]) == (XAVER[1], XAVER[0], "agent")
    assert account["settings"]["max_chats"] == here.xaver.max_chats
    assert account["created_at"] == here.xaver.created_at.isoformat()
    [photo] = await stored(server.app.runtime.db, "photos", owner_id=here.xaver.id)
    assert data["photo"]["media_type"] == "image/webp"
    assert base64.b64decode(data["photo"]["base64"]) == bytes(photo["variants"]["256"])
    assert [(r["shortcut"], r["text"]) for r in data["canned_replies"]] == [("mine", {"de": "Text mine"})]
    assert data["sign_in"]["presence"]["status"] == "offline"
    assert "password" not in str(data["sign_in"]).replace("password_changed_at", "")
    written = [(m["conversation_id"], m["text"]) for m in data["messages"]]
    chats = here.chats
    assert sorted(written) == sorted(
        [
            (chats[0], "Antwort 1"),
            (chats[1], "Antwort 2"),
            (chats[1], "Stammkundin"),  # the note of his transfer, for agents only
            (chats[2], "Antwort 3"),
            (chats[3], "Antwort 4"),
            (chats[5], "Wir rufen zurück"),  # his answer to the offline message
        ]
    )
    assert len(written) == len(set(written)), "a message twice"
    seen = str(data)
    for other in ("Frage", "Kollege hier", "Text ours", "Besucherin", "olga@example.org"):
        assert other not in seen, f"someone else's data in the download: {other}"


async def test_own_data_is_the_signed_in_users_own_only(server: LiveServer) -> None:
    here = await office(server)
    colleague = await server.request("GET", URL, token=here.tokens["q.xavier"])
    assert colleague.status == 200
    assert [m["text"] for m in colleague.body["messages"]] == ["Kollege hier"]
    assert colleague.body["photo"] is None
    # A parameter naming someone else changes nothing: there is only one's own.
    asked = await server.request("GET", f"{URL}?user_id={here.xaver.id}", token=here.tokens["q.xavier"])
    assert asked.body["account"]["login"] == "q.xavier"
    assert "Antwort" not in str(asked.body)


async def test_own_data_needs_a_signed_in_user(server: LiveServer) -> None:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    bert = await server.make_user(tenant, "bert")
    token = await server.login("acme", "bert")
    widget = await server.request("POST", "/api/widget/acme/session", json={"token": None})
    refusals = {
        "nobody": await server.request("GET", URL),
        "a visitor's token": await server.request("GET", URL, token=widget.body["token"]),
        "garbage": await server.request("GET", URL, headers={"Authorization": "Bearer not-a-token"}),
        "not bearer": await server.request("GET", URL, headers={"Authorization": f"Basic {token}"}),
    }
    for who, reply in refusals.items():
        assert (reply.status, reply.code) == (401, "AUTH_INVALID"), who
    assert (await server.request("GET", URL, token=token)).status == 200
    admin = await server.login("acme", "anna")
    assert (await server.request("DELETE", f"/api/agents/{bert.id}", token=admin)).status == 204
    gone = await server.request("GET", URL, token=token)
    assert (gone.status, gone.code) == (401, "AUTH_INVALID"), "a deleted user's token still opens the data"
