"""Canned replies over HTTP against a live wsChat: who may keep which replies, and every bad input refused
with its stable code while nothing changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support import LiveServer
from wschat.accounts.models import Role
from wschat.canned.models import MAX_PERSONAL

URL = "/api/canned-replies"


@dataclass
class Office:
    server: LiveServer
    anna: str  # admin of acme
    bert: str  # agent of acme
    carl: str  # agent of acme
    gina: str  # admin of globex

    async def call(self, token: str, method: str, path: str = URL, json: Any = None) -> Any:
        return await self.server.request(method, path, json=json, token=token)

    async def create(
        self, token: str, shortcut: str, scope: str = "personal", **extra: Any
    ) -> dict[str, Any]:
        body = {"scope": scope, "title": f"T {shortcut}", "shortcut": shortcut, "text": {"en": "Hi"}} | extra
        reply = await self.call(token, "POST", json=body)
        assert reply.status == 201, reply.body
        created: dict[str, Any] = reply.body["reply"]
        return created

    async def listed(self, token: str) -> list[dict[str, Any]]:
        reply = await self.call(token, "GET")
        assert reply.status == 200, reply.body
        replies: list[dict[str, Any]] = reply.body["replies"]
        return replies


@pytest.fixture
async def office(server: LiveServer) -> Office:
    acme, globex = await server.make_tenant("acme"), await server.make_tenant("globex")
    await server.make_user(acme, "anna", Role.ADMIN)
    await server.make_user(acme, "bert")
    await server.make_user(acme, "carl")
    await server.make_user(globex, "gina", Role.ADMIN)
    logins = [server.login(t, u) for t, u in (("acme", "anna"), ("acme", "bert"), ("acme", "carl"))]
    return Office(server, *[await login for login in logins], await server.login("globex", "gina"))


def _code(reply: Any) -> str:
    code: str = reply.body["error"]["code"]
    return code


@pytest.mark.both_backends
async def test_replies_admin_keeps_shared_agents_their_own_everyone_reads_shared_and_own(
    office: Office,
) -> None:
    shared = await office.create(office.anna, "greeting", "shared", text={"de": "Hallo {visitor_name}"})
    own = await office.create(office.bert, "greeting", text={"en": "Hi {visitor_name}, {agent_name} here"})
    await office.create(office.carl, "bye")

    bert_sees = await office.listed(office.bert)
    assert [(r["shortcut"], r["scope"]) for r in bert_sees] == [
        ("greeting", "shared"),
        ("greeting", "personal"),
    ]
    assert bert_sees == [shared, own]
    assert [r["shortcut"] for r in await office.listed(office.anna)] == ["greeting"]
    assert await office.listed(office.gina) == []

    changed = await office.call(
        office.anna,
        "PUT",
        f"{URL}/{shared['id']}",
        {
            "version": 1,
            "title": "Welcome",
            "shortcut": "welcome",
            "text": {"en": "Welcome!", "de": "Willkommen!"},
        },
    )
    assert changed.status == 200, changed.body
    assert (changed.body["reply"]["version"], changed.body["reply"]["text"]) == (
        2,
        {"de": "Willkommen!", "en": "Welcome!"},
    )
    assert (await office.call(office.bert, "DELETE", f"{URL}/{own['id']}")).status == 204
    assert [r["shortcut"] for r in await office.listed(office.bert)] == ["welcome"]


async def test_replies_unknown_placeholders_are_kept_and_named(office: Office) -> None:
    reply = await office.create(office.bert, "x", text={"en": "Hi {visitor_name}, see {ticket} {agent_name}"})

    assert reply["text"] == {"en": "Hi {visitor_name}, see {ticket} {agent_name}"}
    assert reply["unknown_placeholders"] == ["ticket"]


async def test_replies_texts_are_cleaned_of_invisible_and_control_characters(office: Office) -> None:
    reply = await office.create(
        office.bert,
        "x",
        title="Gr\u200bu\u00dfe\u202e",
        text={"de": " Hallo\u202e\x07 {visitor_name}\r\nbis bald "},
    )

    assert reply["title"] == "Gruße"
    assert reply["text"] == {"de": "Hallo {visitor_name}\nbis bald"}


BAD_BODIES = [
    pytest.param({"title": "x" * 81}, "title", id="title-too-long"),
    pytest.param({"title": "  "}, "title", id="title-empty"),
    pytest.param({"shortcut": "Hello"}, "shortcut", id="shortcut-uppercase"),
    pytest.param({"shortcut": "grüße"}, "shortcut", id="shortcut-umlaut"),
    pytest.param({"shortcut": "a b"}, "shortcut", id="shortcut-space"),
    pytest.param({"shortcut": "a" * 33}, "shortcut", id="shortcut-too-long"),
    pytest.param({"shortcut": ""}, "shortcut", id="shortcut-empty"),
    pytest.param({"text": {"en": "x" * 4001}}, "text.en", id="text-too-long"),
    pytest.param({"text": {}}, "text", id="text-no-language"),
    pytest.param({"text": {"en": "   "}}, "text", id="text-only-blank"),
    pytest.param({"text": {"fr": "Salut"}}, "text.fr", id="text-unknown-language"),
    pytest.param({"title": 5}, "title", id="title-number"),
    pytest.param({"text": "Hi"}, "text", id="text-string"),
    pytest.param({"scope": "global"}, "scope", id="scope-unknown"),
    pytest.param({"owner_id": "usr_0123456789abcdef"}, "owner_id", id="unknown-field"),
]


@pytest.mark.parametrize(("change", "field"), BAD_BODIES)
async def test_replies_bad_create_is_refused_with_the_field_and_nothing_stored(
    office: Office, change: dict[str, Any], field: str
) -> None:
    body = {"title": "Greeting", "shortcut": "greeting", "text": {"en": "Hi"}} | change
    reply = await office.call(office.bert, "POST", json=body)

    assert reply.status == 400, reply.body
    assert _code(reply) == "VALIDATION_FAILED"
    assert field in [f["field"] for f in reply.body["error"]["details"]["fields"]]
    assert await office.listed(office.bert) == []


@pytest.mark.parametrize(("change", "field"), BAD_BODIES[:12])
async def test_replies_bad_update_is_refused_and_the_reply_unchanged(
    office: Office, change: dict[str, Any], field: str
) -> None:
    own = await office.create(office.bert, "greeting")
    body = {"version": 1, "title": "Greeting", "shortcut": "greeting", "text": {"en": "Hi"}} | change
    reply = await office.call(office.bert, "PUT", f"{URL}/{own['id']}", body)

    assert (reply.status, _code(reply)) == (400, "VALIDATION_FAILED")
    assert await office.listed(office.bert) == [own]


@pytest.mark.both_backends
async def test_replies_duplicate_shortcut_in_one_scope_is_refused_a_personal_one_may_shadow_shared(
    office: Office,
) -> None:
    shared = await office.create(office.anna, "greeting", "shared")
    other = await office.create(office.anna, "bye", "shared")

    again = await office.call(
        office.anna,
        "POST",
        json={"scope": "shared", "title": "2", "shortcut": "greeting", "text": {"en": "x"}},
    )
    assert (again.status, _code(again)) == (409, "DUPLICATE_SHORTCUT")
    renamed = await office.call(
        office.anna,
        "PUT",
        f"{URL}/{other['id']}",
        {"version": 1, "title": "x", "shortcut": "greeting", "text": {"en": "x"}},
    )
    assert (renamed.status, _code(renamed)) == (409, "DUPLICATE_SHORTCUT")
    assert await office.listed(office.anna) == [other, shared]
    await office.create(office.bert, "greeting")  # personal: another scope


async def test_replies_agent_may_not_keep_shared_or_another_agents_replies(office: Office) -> None:
    shared = await office.create(office.anna, "greeting", "shared")
    carls = await office.create(office.carl, "mine")
    body = {"version": 1, "title": "Hijack", "shortcut": "hijack", "text": {"en": "x"}}

    new = {"scope": "shared", "title": "Hijack", "shortcut": "hijack", "text": {"en": "x"}}
    created = await office.call(office.bert, "POST", json=new)
    assert (created.status, _code(created)) == (403, "FORBIDDEN")
    for method, target, code in (
        ("PUT", shared, "FORBIDDEN"),
        ("DELETE", shared, "FORBIDDEN"),
        ("PUT", carls, "NOT_FOUND"),
        ("DELETE", carls, "NOT_FOUND"),
    ):
        reply = await office.call(
            office.bert, method, f"{URL}/{target['id']}", body if method == "PUT" else None
        )
        assert _code(reply) == code, (method, target["shortcut"])
    assert await office.listed(office.bert) == [shared]
    assert await office.listed(office.carl) == [shared, carls]


@pytest.mark.both_backends
async def test_replies_another_tenants_reply_id_is_not_found_and_unchanged(office: Office) -> None:
    theirs = await office.create(office.gina, "greeting", "shared")
    body = {"version": 1, "title": "x", "shortcut": "x", "text": {"en": "x"}}

    for method in ("PUT", "DELETE"):
        reply = await office.call(
            office.anna, method, f"{URL}/{theirs['id']}", body if method == "PUT" else None
        )
        assert (reply.status, _code(reply)) == (404, "NOT_FOUND")
    assert await office.listed(office.gina) == [theirs]


@pytest.mark.both_backends
async def test_replies_stale_version_is_a_conflict_and_changes_nothing(office: Office) -> None:
    shared = await office.create(office.anna, "greeting", "shared")
    body = {"title": "x", "shortcut": "greeting", "text": {"en": "first"}}
    first = await office.call(office.anna, "PUT", f"{URL}/{shared['id']}", body | {"version": 1})
    assert first.status == 200, first.body

    stale = await office.call(
        office.anna, "PUT", f"{URL}/{shared['id']}", body | {"version": 1, "text": {"en": "late"}}
    )
    assert (stale.status, _code(stale)) == (409, "VERSION_CONFLICT")
    assert stale.body["error"]["details"] == {"version": 2}
    assert await office.listed(office.anna) == [first.body["reply"]]


async def test_replies_limit_reached_is_refused_and_nothing_stored(office: Office) -> None:
    for n in range(MAX_PERSONAL):
        await office.create(office.bert, f"r{n}")

    over = await office.call(
        office.bert, "POST", json={"title": "x", "shortcut": "one-more", "text": {"en": "x"}}
    )
    assert (over.status, _code(over)) == (409, "LIMIT_REACHED")
    assert over.body["error"]["details"] == {"limit": MAX_PERSONAL}
    assert len(await office.listed(office.bert)) == MAX_PERSONAL
    await office.create(office.carl, "one-more")  # each agent has their own limit


async def test_replies_need_a_signed_in_user(office: Office) -> None:
    reply = await office.server.request("GET", URL)
    assert (reply.status, _code(reply)) == (401, "AUTH_INVALID")


@pytest.mark.both_backends
async def test_replies_of_a_deleted_agent_go_with_them(office: Office) -> None:
    shared = await office.create(office.anna, "greeting", "shared")
    await office.create(office.bert, "mine")
    agents = await office.call(office.anna, "GET", "/api/agents")
    bert_id = next(a["id"] for a in agents.body["agents"] if a["login"] == "bert")

    assert (await office.call(office.anna, "DELETE", f"/api/agents/{bert_id}")).status == 204
    acme = await office.server.accounts.tenant("acme")
    stored = await office.server.app.runtime.db.stores.canned.visible(acme.id, bert_id)
    assert [r.id for r in stored] == [shared["id"]]
