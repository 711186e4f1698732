"""Past chats made through the product, for the archive's tests: a team (tests/chat/conftest.py) whose
agents held and closed real conversations."""

from __future__ import annotations

from tests.chat.conftest import Team
from tests.chat.conftest import team as team  # the fixture, shared
from tests.support import LiveServer, Reply


async def past_chat(
    team: Team, agent: str, texts: list[str], *, alias: str = "Sam", transfer_to: str | None = None
) -> str:
    """A chat that ``agent`` took (auto-assigned), with these visitor messages, then closed; its id."""
    holder = await team.agent(agent)
    visitor = await team.server.visitor()
    await visitor.ok("chat.start", {"alias": alias})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    for n, text in enumerate(texts):
        await visitor.ok("message.send", {"conversation_id": cid, "client_id": f"v{n}", "text": text})
    closer = holder
    if transfer_to is not None:
        closer = await team.agent(transfer_to)
        await holder.ok(
            "chat.transfer",
            {
                "conversation_id": cid,
                "to_agent_id": getattr(team, transfer_to).id,
                "note": "Bitte übernehmen",
            },
        )
    await closer.ok("chat.close", {"conversation_id": cid})
    # Offline before the next chat, so that it goes to the agent that one names.
    for peer in {id(holder): holder, id(closer): closer}.values():
        await peer.ok("status.set", {"status": "offline"})
        await peer.disconnect()
    await visitor.disconnect()
    team.server.clock.advance(seconds=1)  # each chat closes a second after the one before
    return cid


async def get(server: LiveServer, token: str, path: str, **query: str) -> Reply:
    from urllib.parse import urlencode

    return await server.request("GET", path + ("?" + urlencode(query) if query else ""), token=token)
