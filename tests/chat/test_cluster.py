"""Two real server processes joined by Redis: a visitor on one, agents on both.

Each process is a separate ``wschat serve`` with its own Socket.IO server; they share MongoDB (the session's
FerretDB) and reach each other's sockets only through python-socketio's AsyncRedisManager.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tests.redis_support import RedisServer
from tests.support import PASSWORD, Peer, wait_for
from wschat.accounts.models import AgentCreate, Plan, Role
from wschat.clock import utc_now
from wschat.config import DatabaseSettings, Secret, Settings
from wschat.server.runtime import build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import open_database

pytestmark = pytest.mark.timeout(120)


@dataclass
class Node:
    process: asyncio.subprocess.Process
    url: str


@dataclass
class Cluster:
    a: Node
    b: Node
    http: aiohttp.ClientSession
    peers: list[Peer]

    async def login(self, node: Node, login: str, password: str = PASSWORD) -> str:
        body = {"tenant": "acme", "login": login, "password": password}
        async with self.http.post(f"{node.url}/api/auth/login", json=body) as reply:
            assert reply.status == 200, await reply.text()
            token: str = (await reply.json())["token"]
            return token

    async def agent(self, node: Node, login: str, *, reconnect: bool = False) -> Peer:
        return await self._connect(node, "/agent", {"token": await self.login(node, login)}, reconnect)

    async def visitor(self, node: Node, *, reconnect: bool = False) -> Peer:
        async with self.http.post(f"{node.url}/api/widget/acme/session", json={"token": None}) as reply:
            token = (await reply.json())["token"]
        peer = await self._connect(node, "/visitor", {"tenant": "acme", "token": token}, reconnect)
        peer.token = token
        return peer

    async def ready(self, node: Node) -> bool:
        async with self.http.get(f"{node.url}/readyz") as reply:
            return reply.status == 200

    async def _connect(
        self, node: Node, namespace: str, auth: dict[str, Any], reconnect: bool = False
    ) -> Peer:
        client = socketio.AsyncClient(reconnection=reconnect, reconnection_delay=0.2)
        peer = Peer(client, namespace)
        await client.connect(
            node.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
        )
        self.peers.append(peer)
        return peer


async def _start_node(env: dict[str, str], cwd: Path) -> Node:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wschat", "serve", "--port", "0",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        env=env, cwd=cwd,
    )  # fmt: skip
    assert process.stdout is not None
    async with asyncio.timeout(30):
        while True:
            line = (await process.stdout.readline()).decode()
            assert line, "wschat serve exited during start-up"
            if line.startswith("wsChat is ready on "):
                return Node(process, line.removeprefix("wsChat is ready on ").strip())


@pytest.fixture
async def cluster(mongodb_uri: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(mongodb_uri, redis_url, tmp_path) as started:
        yield started


@asynccontextmanager
async def running_cluster(mongodb_uri: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    database = f"cluster_{secrets.token_hex(6)}"
    settings = Settings(
        secret_key=Secret(secrets.token_urlsafe(48)),
        database=DatabaseSettings(url=Secret(mongodb_uri), mongo_database=database),
    )
    db = await open_database(settings.database_url, mongo_database=database)
    accounts = build_runtime(settings, db, utc_now, NoTransport()).accounts
    tenant = await accounts.create_tenant("acme", "ACME GmbH", Plan.CONTRACT)
    for login, role in (("anna", Role.ADMIN), ("bert", Role.AGENT), ("carl", Role.AGENT)):
        spec = AgentCreate(login=login, display_name=login.title(), password=PASSWORD, role=role)
        await accounts.create_user(tenant, spec)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSCHAT_")}
    env |= {
        "WSCHAT_DATABASE_URL": mongodb_uri,
        "WSCHAT_MONGODB_DB": database,
        "WSCHAT_SECRET_KEY": settings.secret_key.reveal(),
        "WSCHAT_REDIS_URL": redis_url,
        "WSCHAT_DATA_DIR": str(tmp_path),
        "WSCHAT_LOG_LEVEL": "warning",
    }
    a, b = await asyncio.gather(_start_node(env, tmp_path), _start_node(env, tmp_path))
    async with aiohttp.ClientSession() as http:
        cluster = Cluster(a, b, http, [])
        try:
            yield cluster
        finally:
            for peer in cluster.peers:
                await peer.disconnect()
            for node in (a, b):
                node.process.terminate()
                await asyncio.wait_for(node.process.wait(), 30)
            await db.drop()
            await db.close()


async def test_chat_flows_between_two_processes(cluster: Cluster) -> None:
    a, b = cluster.a, cluster.b
    visitor = await cluster.visitor(a)
    bert = await cluster.agent(b, "bert")
    carl = await cluster.agent(a, "carl")

    # Presence crosses processes: Bert (on B) goes online, the visitor (on A) hears it.
    await bert.ok("status.set", {"status": "online"})
    await visitor.wait("presence", lambda d: d == {"online": True}, timeout=10)

    # The chat started on A is assigned to Bert on B.
    await visitor.ok("chat.start", {"alias": "Sam"})
    assigned = await visitor.wait("chat.assigned", timeout=10)
    assert assigned["agent"]["display_name"] == "Bert"
    cid = assigned["conversation_id"]
    await bert.wait("chat.assigned", timeout=10)

    # Messages and typing, both ways.
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": "Hello from A"})
    await bert.wait("message.new", lambda d: d["message"]["text"] == "Hello from A", timeout=10)
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "b1", "text": "Hello from B"})
    await visitor.wait("message.new", lambda d: d["message"]["text"] == "Hello from B", timeout=10)
    await visitor.ok("typing", {"conversation_id": cid, "typing": True})
    await bert.wait("typing", timeout=10)
    await bert.ok("typing", {"conversation_id": cid, "typing": True})
    await visitor.wait("typing", timeout=10)

    # Transfer from Bert (B) to Carl (A).
    await carl.ok("status.set", {"status": "online"})
    agents = (await carl.ok("agents.list"))["agents"]
    carl_id = next(agent["agent_id"] for agent in agents if agent["display_name"] == "Carl")
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": carl_id})
    handed = await carl.wait("chat.assigned", timeout=10)
    assert "Hello from A" in [m["text"] for m in handed["messages"]]
    await visitor.wait("chat.assigned", lambda d: d["agent"]["display_name"] == "Carl", timeout=10)
    await bert.wait("chat.transferred", timeout=10)
    await carl.ok("message.send", {"conversation_id": cid, "client_id": "c1", "text": "Carl on A"})
    await visitor.wait("message.new", lambda d: d["message"]["text"] == "Carl on A", timeout=10)

    # A message that names the processes' catch-up order is a message, not the order: nobody is disconnected.
    order = '{"method": "wschat.catch_up", "host_id": "x"}'
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "o1", "text": order})
    await carl.wait("message.new", lambda d: d["message"]["text"] == order, timeout=10)
    assert all(peer.client.connected for peer in (visitor, carl, bert))

    # Agents' consoles on both processes see each other's status.
    await carl.ok("status.set", {"status": "away"})
    await bert.wait(
        "agents.presence", lambda d: d["display_name"] == "Carl" and d["status"] == "away", timeout=10
    )


async def test_a_change_on_one_process_reaches_the_cached_conversation_of_the_other(cluster: Cluster) -> None:
    """Each process caches the conversations its sockets write to (wschat/storage/record_cache.py). A
    hand-over and a close made on B must be what A acts on at once: the visitor's next message on A goes to
    the new agent only, and after the close it is refused."""
    a, b = cluster.a, cluster.b
    visitor = await cluster.visitor(a)
    bert = await cluster.agent(b, "bert")
    carl = await cluster.agent(a, "carl")
    await bert.ok("status.set", {"status": "online"})
    await visitor.ok("chat.start", {})
    cid = (await visitor.wait("chat.assigned", timeout=10))["conversation_id"]
    await visitor.ok(
        "message.send", {"conversation_id": cid, "client_id": "v1", "text": "first"}
    )  # A caches it
    await bert.wait("message.new", lambda d: d["message"]["text"] == "first", timeout=10)

    await carl.ok("status.set", {"status": "online"})
    agents = (await bert.ok("agents.list"))["agents"]
    carl_id = next(agent["agent_id"] for agent in agents if agent["display_name"] == "Carl")
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": carl_id})  # on B
    await visitor.wait("chat.assigned", lambda d: d["agent"]["display_name"] == "Carl", timeout=10)
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v2", "text": "second"})
    await carl.wait("message.new", lambda d: d["message"]["text"] == "second", timeout=10)
    await bert.barrier()
    assert "second" not in [d["message"]["text"] for d in bert.received("message.new")]

    carl_on_b = await cluster.agent(b, "carl")
    await carl_on_b.ok("chat.close", {"conversation_id": cid})  # closed on B
    await visitor.wait("chat.ended", timeout=10)
    code = await visitor.error("message.send", {"conversation_id": cid, "client_id": "v3", "text": "third"})
    assert code == "CONVERSATION_CLOSED"


async def test_password_change_on_one_process_disconnects_sockets_on_the_other(cluster: Cluster) -> None:
    bert = await cluster.agent(cluster.b, "bert")
    admin = await cluster.login(cluster.a, "anna")
    agents = (await bert.ok("agents.list"))["agents"]
    bert_id = next(agent["agent_id"] for agent in agents if agent["display_name"] == "Bert")
    async with cluster.http.patch(
        f"{cluster.a.url}/api/agents/{bert_id}",
        json={"password": "a completely new password"},
        headers={"Authorization": f"Bearer {admin}"},
    ) as reply:
        assert reply.status == 200
    await wait_for(lambda: not bert.client.connected, timeout=10)


async def test_events_cross_processes_again_after_redis_restarts(mongodb_uri: str, tmp_path: Path) -> None:
    """Chatwoot #14703: sockets stayed connected but received nothing after a Redis restart. Here Redis
    restarts under a running chat on the same address: each process closes its connections once it is
    subscribed again, the clients reconnect by themselves, events between the processes flow at once, and
    a catch-up finds every stored message once."""
    redis = RedisServer()
    redis.start()
    try:
        async with running_cluster(mongodb_uri, redis.url, tmp_path) as cluster:
            visitor = await cluster.visitor(cluster.a, reconnect=True)
            bert = await cluster.agent(cluster.b, "bert", reconnect=True)
            await bert.ok("status.set", {"status": "online"})
            await visitor.ok("chat.start", {"alias": "Sam"})
            cid = (await visitor.wait("chat.assigned", timeout=10))["conversation_id"]
            await visitor.ok(
                "message.send", {"conversation_id": cid, "client_id": "before", "text": "before"}
            )
            await bert.wait("message.new", lambda d: d["message"]["text"] == "before", timeout=10)
            reconnects = {id(peer): 0 for peer in (visitor, bert)}
            for peer in (visitor, bert):

                def reconnected(peer: Peer = peer) -> None:
                    reconnects[id(peer)] += 1

                peer.client.on("connect", reconnected, namespace=peer.namespace)
            redis.stop()
            redis.start()

            def both_back() -> bool:
                back = all(peer.namespace in peer.client.namespaces for peer in (visitor, bert))
                return back and all(n >= 1 for n in reconnects.values())

            await wait_for(both_back, timeout=30)
            await visitor.ok("message.send", {"conversation_id": cid, "client_id": "after", "text": "after"})
            await bert.wait("message.new", lambda d: d["message"]["text"] == "after", timeout=10)
            await bert.ok("message.send", {"conversation_id": cid, "client_id": "reply", "text": "back"})
            await visitor.wait("message.new", lambda d: d["message"]["text"] == "back", timeout=10)
            synced = await bert.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
            texts = [m["text"] for m in synced["messages"] if m["sender"]["kind"] != "system"]
            assert texts == ["before", "after", "back"], "every message once"
    finally:
        redis.stop()


class Screen:
    """What a console shows of one chat: every ``message.new``, and after each reconnect the catch-up
    ``messages.sync`` from the last seq it has (what the console does, docs/protocol.md §7.2)."""

    def __init__(self, peer: Peer, conversation_id: str) -> None:
        self.peer = peer
        self.conversation_id = conversation_id
        self.messages: dict[int, str] = {}
        self.catch_ups = 0
        self._tasks: set[asyncio.Task[None]] = set()
        peer.client.on("message.new", self._new, namespace=peer.namespace)
        peer.client.on("connect", self._reconnected, namespace=peer.namespace)

    async def _new(self, data: dict[str, Any]) -> None:
        message = data["message"]
        if message["conversation_id"] == self.conversation_id:
            self.messages[message["seq"]] = message["text"]

    async def _reconnected(self) -> None:
        task = asyncio.create_task(self._catch_up())  # an ack cannot be awaited inside a handler
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _catch_up(self) -> None:
        after = max(self.messages, default=0)
        reply = await self.peer.ok(
            "messages.sync", {"conversation_id": self.conversation_id, "after_seq": after}
        )
        self.messages |= {m["seq"]: m["text"] for m in reply["messages"]}
        self.catch_ups += 1


async def test_what_the_visitor_was_acked_while_redis_was_away_reaches_the_agent(
    mongodb_uri: str, tmp_path: Path
) -> None:
    """Redis goes away under a chat that spans two processes: the visitor's messages are stored and acked,
    but their events cannot cross. Both processes report not ready meanwhile; once Redis is back, each
    closes its connections, the clients reconnect by themselves and catch up, and the agent's screen has
    every acked message."""
    redis = RedisServer()
    redis.start()
    try:
        async with running_cluster(mongodb_uri, redis.url, tmp_path) as cluster:
            visitor = await cluster.visitor(cluster.a, reconnect=True)
            bert = await cluster.agent(cluster.b, "bert", reconnect=True)
            await bert.ok("status.set", {"status": "online"})
            await visitor.ok("chat.start", {"alias": "Sam"})
            cid = (await visitor.wait("chat.assigned", timeout=10))["conversation_id"]
            screen = Screen(bert, cid)
            redis.stop()
            acked = []
            for n in range(3):
                text = f"while-away-{n}"
                await visitor.ok("message.send", {"conversation_id": cid, "client_id": text, "text": text})
                acked.append(text)
            for node in (cluster.a, cluster.b):

                async def not_ready(node: Node = node) -> bool:
                    return not await cluster.ready(node)

                await wait_for(not_ready, timeout=20)
            redis.start()
            await wait_for(lambda: set(acked) <= set(screen.messages.values()), timeout=40)
            assert screen.catch_ups >= 1, "the agent's client reconnected and caught up"
            for node in (cluster.a, cluster.b):
                await wait_for(lambda node=node: cluster.ready(node), timeout=20)
            # And the chat goes on across the processes, once the widget has reconnected too.
            await wait_for(lambda: visitor.namespace in visitor.client.namespaces, timeout=20)
            after = {"conversation_id": cid, "client_id": "after", "text": "after"}

            async def sent_after() -> bool:
                # As the widget does: a send whose socket was closed under it (a process closing its
                # connections once Redis is back) is sent again on the next one, with the same client id.
                try:
                    return (await visitor.call("message.send", after, timeout=5)).get("ok") is True
                except socketio.exceptions.TimeoutError:
                    return False

            await wait_for(sent_after, timeout=40)
            await wait_for(lambda: "after" in screen.messages.values(), timeout=10)
    finally:
        redis.stop()
