"""The MongoDB adapter's server stops answering, or dies and comes back, mid-conversation: no false ack, a
clear error, sockets kept, recovery afterwards. (The SQLite cases: test_sqlite_faults.py.)"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from tests.support import PASSWORD, FakeClock, Peer, start_server
from wschat.accounts.models import Role
from wschat.config import DatabaseSettings, Secret, Settings
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, find_binary


@pytest.fixture
def embedded_settings(settings: Settings, ferretdb: EmbeddedDatabase) -> Settings:
    """The MongoDB adapter on a server of this test's own, which it stops (SIGSTOP) to see it hang."""
    return replace(settings, database=DatabaseSettings(url=Secret(ferretdb.uri), mongo_database="faults"))


@pytest.mark.timeout(120)
async def test_database_outage_gives_unavailable_and_no_ack(
    embedded_settings: Settings, ferretdb: EmbeddedDatabase, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with start_server(embedded_settings, clock, http) as s:
        tenant = await s.make_tenant("acme")
        await s.make_user(tenant, "bert", Role.AGENT)
        bert = await s.agent(await s.login("acme", "bert", PASSWORD))
        await bert.ok("status.set", {"status": "online"})
        visitor = await s.visitor()
        await visitor.ok("chat.start")
        cid = (await visitor.wait("chat.assigned"))["conversation_id"]
        await visitor.ok("message.send", {"conversation_id": cid, "client_id": "m1", "text": "before"})

        pid = ferretdb.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        try:
            reply = await visitor.call(
                "message.send", {"conversation_id": cid, "client_id": "m2", "text": "during"}, timeout=60
            )
            assert reply["ok"] is False
            assert reply["error"]["code"] == "UNAVAILABLE"
            assert "Traceback" not in str(reply)
            assert (await s.request("GET", "/healthz")).status == 200
        finally:
            os.kill(pid, signal.SIGCONT)

        # The client resends with the same client_id once the database is back: stored exactly once.
        await _resend_until_stored(visitor, cid, attempts=20)
        sync = await bert.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
        texts = [m["text"] for m in sync["messages"] if m["kind"] == "text"]
        assert texts.count("during") == 1
        assert texts == ["before", "during"]


async def _resend_until_stored(visitor: Peer, cid: str, *, attempts: int) -> None:
    """As a real client does: resend "during" (client_id m2) until the server answers again; every answer
    before that is UNAVAILABLE."""
    for _ in range(attempts):
        again = await visitor.call(
            "message.send", {"conversation_id": cid, "client_id": "m2", "text": "during"}, timeout=60
        )
        if again["ok"]:
            return
        assert again["error"]["code"] == "UNAVAILABLE"
        await asyncio.sleep(0.5)
    raise AssertionError(f"still not stored after {attempts} resends")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.timeout(120)
async def test_a_killed_database_server_gives_unavailable_and_service_resumes_when_it_is_back(
    settings: Settings, tmp_path: Path, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    """The MongoDB adapter's server dies (SIGKILL) mid-chat and is started again on its data: meanwhile every
    send is refused with UNAVAILABLE, the sockets stay connected, and the chat goes on by itself after."""
    listen = f"127.0.0.1:{_free_port()}"
    first = EmbeddedDatabase(find_binary(), tmp_path / "ferretdb", listen=listen)
    first.start()
    url = DatabaseSettings(url=Secret(first.uri), mongo_database="killed")
    try:
        async with start_server(replace(settings, database=url), clock, http) as s:
            tenant = await s.make_tenant("acme")
            await s.make_user(tenant, "bert", Role.AGENT)
            bert = await s.agent(await s.login("acme", "bert", PASSWORD))
            await bert.ok("status.set", {"status": "online"})
            visitor = await s.visitor()
            await visitor.ok("chat.start")
            cid = (await visitor.wait("chat.assigned"))["conversation_id"]
            await visitor.ok("message.send", {"conversation_id": cid, "client_id": "m1", "text": "before"})

            assert first.pid is not None
            os.kill(first.pid, signal.SIGKILL)
            first.stop()  # reaps it and lets go of its data directory
            reply = await visitor.call(
                "message.send", {"conversation_id": cid, "client_id": "m2", "text": "during"}, timeout=60
            )
            assert reply["ok"] is False
            assert reply["error"]["code"] == "UNAVAILABLE"
            assert (await s.request("GET", "/readyz")).status == 503
            assert visitor.client.connected
            assert bert.client.connected

            first = EmbeddedDatabase(find_binary(), tmp_path / "ferretdb", listen=listen)
            first.start()
            await _resend_until_stored(visitor, cid, attempts=40)
            sync = await bert.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
            assert [m["text"] for m in sync["messages"] if m["kind"] == "text"] == ["before", "during"]
            assert (await s.request("GET", "/readyz")).status == 200
    finally:
        first.stop()
