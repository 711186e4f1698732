"""The growth benchmark's server side: the real app under uvicorn, one tenant's scene made through it (an
agent online, visitors on the site and in chats), and the operations timed on it."""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import socketio
import uvicorn
from growth_fill import AGENTS_PER_TENANT, MESSAGES_PER_CHAT, PAGES, PASSWORD, BenchError, Invent

from wschat.chat.models import ConversationStatus
from wschat.config import Settings
from wschat.server.app import WsChatApp, create_app
from wschat.server.serving import uvicorn_config
from wschat.storage import Database

#: The tenant whose scene is measured, in both installations.
SLUG = "shop-00"
#: Visitors on the site besides the two chatting ones (visitors.live lists them).
EXTRA_LIVE_VISITORS = 4
CALL_TIMEOUT = 300.0


# -- the server --------------------------------------------------------------------------------------------


@dataclass
class Served:
    app: WsChatApp
    url: str
    #: From create_app until uvicorn says it serves (the lifespan: database opened, janitor's first run).
    started: float


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Served]:
    """The real app under uvicorn on a free loopback port, in this event loop (as tests/support.py does,
    but with uvloop and httptools, as `wschat serve` runs it)."""
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so (uvloop on every TCP socket).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = replace(settings, server=replace(settings.server, port=sock.getsockname()[1], public_url=url))
    began = time.perf_counter()
    app = create_app(settings)
    config = uvicorn_config(app, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(600):
            while not server.started:
                if task.done():
                    task.result()
                    raise BenchError("the server stopped during start-up")
                await asyncio.sleep(0.001)
        yield Served(app, url, time.perf_counter() - began)
    finally:
        server.should_exit = True
        await task
        sock.close()


async def connect(url: str, namespace: str, auth: dict[str, Any]) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=60)
    return client


async def call(client: socketio.AsyncClient, namespace: str, event: str, data: Any) -> dict[str, Any]:
    reply: dict[str, Any] = await client.call(event, data, namespace=namespace, timeout=CALL_TIMEOUT)
    if not reply.get("ok"):
        raise BenchError(f"{event} failed: {reply}")
    return reply


@dataclass
class Scene:
    """One tenant's console and visitors on one server, made through the server."""

    name: str
    served: Served
    http: aiohttp.ClientSession
    invent: Invent
    admin_token: str = ""
    agent: socketio.AsyncClient | None = None
    chat_id: str = ""
    sender: socketio.AsyncClient | None = None
    send_chat_id: str = ""
    #: A chat of the fill (full), or the scene's own chat (empty).
    old_chat_id: str = ""
    clients: list[socketio.AsyncClient] = field(default_factory=list)
    sent: int = 0

    @property
    def url(self) -> str:
        return self.served.url

    async def post(self, path: str, body: Any) -> dict[str, Any]:
        async with self.http.post(self.url + path, json=body) as reply:
            data: dict[str, Any] = await reply.json()
            if reply.status >= 300:
                raise BenchError(f"POST {path}: {reply.status} {data}")
            return data

    async def login(self, login: str) -> str:
        body = {"tenant": SLUG, "login": login, "password": PASSWORD}
        token: str = (await self.post("/api/auth/login", body))["token"]
        return token

    async def visitor(self) -> socketio.AsyncClient:
        """A new widget visitor (session over HTTP, then the socket) who reports the page it is on."""
        token = (await self.post(f"/api/widget/{SLUG}/session", {"token": None}))["token"]
        client = await connect(self.url, "/visitor", {"tenant": SLUG, "token": token})
        path, title = self.invent.rng.choice(PAGES)
        page = {"url": f"https://www.{SLUG}.example{path}", "title": title}
        await call(client, "/visitor", "page.view", page)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.disconnect()


async def prepare(scene: Scene, old_chat_id: str | None) -> None:
    """Agent online; a visitor's chat of 40 messages; a second chat to send in; visitors on the site."""
    scene.admin_token = await scene.login("admin")
    scene.agent = await connect(scene.url, "/agent", {"token": await scene.login("agent1")})
    scene.clients.append(scene.agent)
    await call(scene.agent, "/agent", "status.set", {"status": "online"})
    visitor = await scene.visitor()
    started = await call(visitor, "/visitor", "chat.start", {})
    scene.chat_id = started["conversation"]["id"]
    if started["conversation"]["status"] != "active":
        raise BenchError(f"the chat was not routed to the agent: {started}")
    for _ in range(MESSAGES_PER_CHAT - 1):  # the first message is the system's "… joined the chat."
        await send(scene, visitor, scene.chat_id)
    sync = await call(scene.agent, "/agent", "messages.sync", {"conversation_id": scene.chat_id})
    if len(sync["messages"]) != MESSAGES_PER_CHAT:
        raise BenchError(f"the chat has {len(sync['messages'])} messages, not {MESSAGES_PER_CHAT}")
    scene.sender = await scene.visitor()
    scene.send_chat_id = (await call(scene.sender, "/visitor", "chat.start", {}))["conversation"]["id"]
    for _ in range(EXTRA_LIVE_VISITORS):
        await scene.visitor()
    scene.old_chat_id = old_chat_id or scene.chat_id
    old = await call(scene.agent, "/agent", "messages.sync", {"conversation_id": scene.old_chat_id})
    if len(old["messages"]) != MESSAGES_PER_CHAT:
        raise BenchError(f"the filled chat has {len(old['messages'])} messages, not {MESSAGES_PER_CHAT}")


async def send(scene: Scene, visitor: socketio.AsyncClient, chat_id: str) -> float:
    scene.sent += 1
    body = {"conversation_id": chat_id, "client_id": f"g-{scene.sent}", "text": scene.invent.text()}
    began = time.perf_counter()
    await call(visitor, "/visitor", "message.send", body)
    return time.perf_counter() - began


async def a_filled_chat(db: Database, tenant_slug: str) -> str | None:
    """A closed chat of the measured tenant, found by paging through the conversations by id (untimed)."""
    tenant = await db.stores.tenants.by_slug(tenant_slug)
    after = None
    while tenant is not None and (page := await db.documents("conversations", after=after, limit=1000)):
        for doc in page:
            if doc["tenant_id"] == tenant.id and doc["status"] == ConversationStatus.CLOSED.value:
                return str(doc["_id"])
        after = page[-1]["_id"]
    return None


# -- the operations ----------------------------------------------------------------------------------------


async def _timed(client: socketio.AsyncClient | None, namespace: str, event: str, data: Any) -> float:
    assert client is not None
    began = time.perf_counter()
    await call(client, namespace, event, data)
    return time.perf_counter() - began


async def op_sync(scene: Scene) -> float:
    return await _timed(scene.agent, "/agent", "messages.sync", {"conversation_id": scene.chat_id})


async def op_sync_old(scene: Scene) -> float:
    return await _timed(scene.agent, "/agent", "messages.sync", {"conversation_id": scene.old_chat_id})


async def op_send(scene: Scene) -> float:
    assert scene.sender is not None
    return await send(scene, scene.sender, scene.send_chat_id)


async def op_start(scene: Scene) -> float:
    """A new visitor's chat.start (routed to the agent, who has room); ended and gone afterwards, untimed."""
    visitor = await scene.visitor()
    began = time.perf_counter()
    started = await call(visitor, "/visitor", "chat.start", {})
    took = time.perf_counter() - began
    await call(visitor, "/visitor", "chat.end", {"conversation_id": started["conversation"]["id"]})
    await visitor.disconnect()
    scene.clients.remove(visitor)
    return took


def op_agent_event(event: str) -> Callable[[Scene], Awaitable[float]]:
    async def run(scene: Scene) -> float:
        return await _timed(scene.agent, "/agent", event, {})

    return run


async def op_agents(scene: Scene) -> float:
    headers = {"Authorization": f"Bearer {scene.admin_token}"}
    began = time.perf_counter()
    async with scene.http.get(scene.url + "/api/agents", headers=headers) as reply:
        body = await reply.json()
    took = time.perf_counter() - began
    if reply.status != 200 or len(body["agents"]) != AGENTS_PER_TENANT + 1:
        raise BenchError(f"GET /api/agents: {reply.status} {body}")
    return took


@dataclass(frozen=True)
class Operation:
    key: str
    label: str
    run: Callable[[Scene], Awaitable[float]]
    cheap: bool = True


OPERATIONS = (
    Operation("messages.sync", "messages.sync, 40-message chat (agent)", op_sync),
    Operation("messages.sync.filled", "messages.sync, a filled chat (empty: its own chat)", op_sync_old),
    Operation("queue.list", "queue.list (console first load)", op_agent_event("queue.list")),
    Operation("chats.list", "chats.list (console first load)", op_agent_event("chats.list")),
    Operation("visitors.live", "visitors.live (console first load)", op_agent_event("visitors.live")),
    Operation("agents", "GET /api/agents (admin)", op_agents),
    Operation("message.send", "message.send ack (visitor)", op_send),
    Operation("chat.start", "chat.start (new visitor, routed)", op_start, cheap=False),
)


@dataclass
class Figures:
    samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[math.ceil(len(ordered) * 0.99) - 1] if ordered else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {"n": len(self.samples), "p50_ms": self.p50 * 1e3, "p99_ms": self.p99 * 1e3}


@dataclass
class Row:
    key: str
    label: str
    empty: Figures = field(default_factory=Figures)
    full: Figures = field(default_factory=Figures)

    @property
    def ratio(self) -> float:
        return self.full.p50 / self.empty.p50 if self.empty.samples and self.full.samples else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "empty": self.empty.to_json(),
            "full": self.full.to_json(),
            "ratio_p50": self.ratio,
        }


async def measure(op: Operation, empty: Scene, full: Scene, samples: int, rounds: int) -> Row:
    """Alternating blocks on the two servers (empty first, then full first, …), after a few warm-up calls."""
    row = Row(op.key, op.label)
    for scene in (empty, full):
        for _ in range(3):
            await op.run(scene)
    rounds = max(1, min(rounds, samples))
    for r in range(rounds):
        block = samples // rounds + (1 if r < samples % rounds else 0)
        pairs = [(empty, row.empty), (full, row.full)]
        for scene, figures in pairs if r % 2 == 0 else pairs[::-1]:
            for _ in range(block):
                figures.samples.append(await op.run(scene))
    return row
