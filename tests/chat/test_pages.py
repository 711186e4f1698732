"""The page trail: `page.view` from the widget, `visitors.live` and `visitor.pages` for the console."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import Peer, stored, wait_for
from wschat.accounts.models import Role
from wschat.visitors.events import PAGE_BURST


async def _live(agent: Peer) -> list[dict[str, Any]]:
    visitors: list[dict[str, Any]] = (await agent.ok("visitors.live"))["visitors"]
    return visitors


async def test_page_views_build_the_trail_and_the_live_list(team: Team) -> None:
    bert = await team.agent("bert")
    sam = await team.server.visitor()
    await sam.ok("page.view", {"url": "https://www.acme.example/", "title": "Acme", "referrer": None})
    update = await bert.wait("visitor.updated")
    assert update["visitor"]["current_page"]["url"] == "https://www.acme.example/"
    assert update["visitor"]["current_page"]["title"] == "Acme"

    team.server.clock.advance(seconds=42)
    await sam.ok(
        "page.view",
        {"url": "https://www.acme.example/pricing?email=sam@example.com#plans", "title": "Pricing"},
    )
    live = await _live(bert)
    assert [v["id"] for v in live] == [update["visitor"]["id"]]
    # Query and fragment often carry personal data; the trail keeps the page only.
    assert live[0]["current_page"]["url"] == "https://www.acme.example/pricing"
    assert live[0]["conversation"] is None

    await sam.ok("chat.start", {"alias": "Sam"})
    live = await _live(bert)
    assert live[0]["conversation"]["status"] == "active"

    pages = (await bert.ok("visitor.pages", {"visitor_id": live[0]["id"]}))["pages"]
    assert [p["url"] for p in pages] == ["https://www.acme.example/", "https://www.acme.example/pricing"]
    assert pages[0]["seconds"] == 42
    assert pages[0]["left_at"] is not None
    assert pages[1]["left_at"] is None


async def test_a_visitor_who_leaves_drops_off_the_live_list(team: Team) -> None:
    bert = await team.agent("bert")
    sam = await team.server.visitor()
    await sam.ok("page.view", {"url": "https://www.acme.example/"})
    visitor_id = (await bert.wait("visitor.updated"))["visitor"]["id"]
    await team.gone(sam, visitor_id)
    await bert.wait("visitor.updated", lambda e: e["visitor"]["current_page"] is None)
    assert await _live(bert) == []
    pages = (await bert.ok("visitor.pages", {"visitor_id": visitor_id}))["pages"]
    assert pages[0]["left_at"] is not None


async def test_a_second_tab_keeps_the_visitor_on_the_site(team: Team) -> None:
    bert = await team.agent("bert")
    first = await team.server.visitor()
    second = await team.server.visitor(token=first.token)
    await first.ok("page.view", {"url": "https://www.acme.example/a"})
    await second.ok("page.view", {"url": "https://www.acme.example/b"})
    visitor_id = (await _live(bert))[0]["id"]
    await first.disconnect()
    store = team.server.app.runtime.presence.store

    async def one_socket_left() -> bool:
        return await store.socket_count(team.tenant.id, visitor_id) == 1

    await wait_for(one_socket_left)
    live = await _live(bert)
    assert [v["current_page"]["url"] for v in live] == ["https://www.acme.example/b"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"url": "javascript:alert(1)"},
        {"url": "ftp://www.acme.example/"},
        {"url": "/relative/path"},
        {"url": "https://www.acme.example/" + "x" * 2048},
        {"url": "https://www.acme.example/", "title": "x" * 301},
        {"url": "https://www.acme.example/", "referrer": "data:text/html,hi"},
        {"url": "https://www.acme.example/", "visitor_id": "vis_0123456789abcdef01234567"},
        {"url": {"$ne": None}},
    ],
    ids=[
        "empty",
        "javascript",
        "ftp",
        "relative",
        "too-long",
        "long-title",
        "bad-referrer",
        "extra",
        "operator",
    ],
)
async def test_bad_page_views_are_refused_and_change_nothing(team: Team, payload: dict[str, Any]) -> None:
    bert = await team.agent("bert")
    sam = await team.server.visitor()
    assert await sam.error("page.view", payload) == "VALIDATION_FAILED"
    assert await _live(bert) == []
    assert await team.server.app.runtime.db.count("page_views") == 0
    assert bert.received("visitor.updated") == []


async def test_page_views_are_rate_limited_per_socket(team: Team) -> None:
    sam = await team.server.visitor()
    for i in range(PAGE_BURST):
        await sam.ok("page.view", {"url": f"https://www.acme.example/{i}"})
    assert await sam.error("page.view", {"url": "https://www.acme.example/more"}) == "RATE_LIMITED"
    assert await team.server.app.runtime.db.count("page_views") == PAGE_BURST


async def test_another_tenant_sees_neither_live_visitors_nor_trails(team: Team) -> None:
    sam = await team.server.visitor()
    await sam.ok("page.view", {"url": "https://www.acme.example/"})
    bert = await team.agent("bert")
    visitor_id = (await _live(bert))[0]["id"]

    other = await team.server.make_tenant("globex")
    await team.server.make_user(other, "gina", Role.ADMIN)
    gina = await team.server.agent(await team.server.login("globex", "gina"))
    assert await _live(gina) == []
    assert await gina.error("visitor.pages", {"visitor_id": visitor_id}) == "NOT_FOUND"
    assert gina.received("visitor.updated") == []


async def test_idle_page_visitors_are_deleted_after_a_day_with_their_trail(team: Team) -> None:
    runtime = team.server.app.runtime
    idle = await team.server.visitor()
    await idle.ok("page.view", {"url": "https://www.acme.example/"})
    chatted = await team.server.visitor()
    await chatted.ok("chat.start", {"alias": "Sam"})
    left_contact = await team.server.visitor()
    await left_contact.ok("contact.submit", {"email": "kim@example.com"})
    staying = await team.server.visitor()
    await staying.ok("page.view", {"url": "https://www.acme.example/pricing"})
    ids = {doc["_id"] for doc in await stored(runtime.db, "visitors")}
    idle_id = (await stored(runtime.db, "page_views", url="https://www.acme.example/"))[0]["visitor_id"]
    for peer in (idle, chatted, left_contact):
        await peer.disconnect()

    async def only_staying_on_site() -> bool:
        return len(await runtime.pages.live(team.tenant.id)) == 1

    await wait_for(only_staying_on_site)
    team.server.clock.advance(hours=23)
    await runtime.janitor.run_once()
    assert {doc["_id"] for doc in await stored(runtime.db, "visitors")} == ids  # not a day yet

    team.server.clock.advance(hours=2)
    await runtime.janitor.run_once()
    remaining = {doc["_id"] for doc in await stored(runtime.db, "visitors")}
    assert remaining == ids - {idle_id}
    assert await stored(runtime.db, "page_views", visitor_id=idle_id) == []
    assert await runtime.db.count("page_views") == 1  # the staying visitor's page
