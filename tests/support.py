"""Test helpers: a controllable clock, a live server on port 0, HTTP and Socket.IO clients against it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import socketio
import uvicorn

from wschat.accounts.models import AgentCreate, Plan, Role, Tenant, User
from wschat.accounts.service import AccountService
from wschat.clock import utc_now
from wschat.config import Settings
from wschat.records import Document
from wschat.server.app import WsChatApp, create_app
from wschat.server.serving import uvicorn_config
from wschat.storage import Database

PASSWORD = "correct horse battery"


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None


@dataclass
class LiveServer:
    app: WsChatApp
    url: str
    settings: Settings
    clock: FakeClock
    http: aiohttp.ClientSession
    clients: list[socketio.AsyncClient] = field(default_factory=list)

    @property
    def accounts(self) -> AccountService:
        return self.app.runtime.accounts

    @property
    def origin(self) -> str:
        return self.url

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        async with self.http.request(method, self.url + path, json=json, data=data, headers=sent) as r:
            raw = await r.read()
            body: Any = None
            if raw:
                assert r.content_type == "application/json", (r.status, raw[:200])
                body = await r.json()
            return Reply(r.status, body, r.headers)

    async def make_tenant(self, slug: str, plan: Plan = Plan.CONTRACT) -> Tenant:
        return await self.accounts.create_tenant(slug, f"{slug.title()} GmbH", plan)

    async def make_user(
        self, tenant: Tenant, login: str, role: Role = Role.AGENT, password: str = PASSWORD
    ) -> User:
        spec = AgentCreate(login=login, display_name=login.title(), password=password, role=role)
        return await self.accounts.create_user(tenant, spec)

    async def login(self, tenant: str, login: str, password: str = PASSWORD) -> str:
        reply = await self.request(
            "POST", "/api/auth/login", json={"tenant": tenant, "login": login, "password": password}
        )
        assert reply.status == 200, reply.body
        token: str = reply.body["token"]
        return token

    async def connect(
        self, namespace: str, auth: dict[str, Any], *, origin: str | None = None
    ) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)
        self.clients.append(client)
        await self._open(client, namespace, auth, origin)
        return client

    async def _open(
        self, client: socketio.AsyncClient, namespace: str, auth: Any, origin: str | None
    ) -> None:
        await client.connect(
            self.url,
            namespaces=[namespace],
            auth=auth,
            transports=["websocket"],
            headers={"Origin": origin} if origin else {},
            wait_timeout=5,
        )

    async def agent(self, token: str) -> Peer:
        return Peer(await self.connect("/agent", {"token": token}), "/agent")

    async def visitor(
        self, tenant: str = "acme", token: str | None = None, *, origin: str | None = None
    ) -> Peer:
        """A widget: opens (or resumes) a visitor session, then connects to /visitor."""
        if token is None:
            reply = await self.request("POST", f"/api/widget/{tenant}/session", json={"token": None})
            token = reply.body["token"]
        peer = Peer(
            await self.connect("/visitor", {"tenant": tenant, "token": token}, origin=origin), "/visitor"
        )
        peer.token = token
        return peer

    async def refused(self, namespace: str, auth: Any, *, origin: str | None = None) -> dict[str, Any]:
        """Connect, expect a refusal, return its ``{"code", "message"}``."""
        client = socketio.AsyncClient(reconnection=False)
        errors: list[Any] = []
        client.on("connect_error", errors.append, namespace=namespace)
        try:
            await self._open(client, namespace, auth, origin)
        except socketio.exceptions.ConnectionError:
            pass
        else:
            await client.disconnect()
            raise AssertionError(f"the connection to {namespace} was accepted")
        finally:
            await client.disconnect()
        assert errors, "no connect_error received"
        data = errors[0]
        assert isinstance(data, dict), data
        detail: dict[str, Any] = data.get("data", data)
        return detail


def _bind() -> socket.socket:
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY on accepted connections only for a socket that says it is
    # TCP; without it each reused HTTP connection waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@asynccontextmanager
async def start_server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    """Run the real app under uvicorn on a free loopback port, in this event loop."""
    sock = _bind()
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings = replace(settings, server=replace(settings.server, port=port, public_url=url))
    app = create_app(settings, clock=clock)
    config = uvicorn_config(app, log_level="warning")  # as `wschat serve` runs it
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped during start-up")
                await asyncio.sleep(0.01)
        live = LiveServer(app, url, settings, clock, http)
        try:
            yield live
        finally:
            for client in live.clients:
                await client.disconnect()
    finally:
        server.should_exit = True
        await task
        sock.close()


async def stored(db: Database, table: str, **equal: Any) -> list[Document]:
    """Every stored record of ``table`` (by ``_id``) whose fields equal ``equal``; a dotted name
    (``sender__kind`` for ``sender.kind``) looks inside a map. For checks, not for large tables."""
    found: list[Document] = []
    after: str | None = None
    while page := await db.documents(table, after=after, limit=1000):
        found += [doc for doc in page if all(_field(doc, k) == v for k, v in equal.items())]
        after = page[-1]["_id"]
    return found


def _field(doc: Document, name: str) -> Any:
    value: Any = doc
    for part in name.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def wait_for(predicate: Any, timeout: float = 5.0, interval: float = 0.02) -> None:
    """Poll ``predicate`` (sync or async) until it is true; fail after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            result = predicate()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(interval)


class Peer:
    """A connected Socket.IO client that records every event it receives."""

    def __init__(self, client: socketio.AsyncClient, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self.events: list[tuple[str, Any]] = []
        self.token = ""
        client.on("*", self._record, namespace=namespace)

    async def _record(self, event: str, data: Any = None) -> None:
        self.events.append((event, data))

    async def call(self, event: str, data: Any = None, timeout: float = 10) -> dict[str, Any]:
        reply: dict[str, Any] = await self.client.call(event, data, namespace=self.namespace, timeout=timeout)
        return reply

    async def ok(self, event: str, data: Any = None) -> dict[str, Any]:
        reply = await self.call(event, data)
        assert reply.get("ok") is True, (event, reply)
        return reply

    async def error(self, event: str, data: Any = None) -> str:
        reply = await self.call(event, data)
        assert reply.get("ok") is False, (event, reply)
        code: str = reply["error"]["code"]
        return code

    async def barrier(self) -> None:
        """Returns once every event the server sent this socket before now has been received: the answer
        to an event nobody handles comes back on the same connection, behind them. A test that checks an
        event did *not* arrive calls this first, instead of sleeping for a while."""
        reply = await self.call("test.barrier")
        assert reply["error"]["code"] == "NOT_FOUND", reply

    def received(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def wait(self, event: str, predicate: Any = None, timeout: float = 5.0) -> Any:
        """The first (recorded or coming) ``event`` whose data satisfies ``predicate``."""
        async with asyncio.timeout(timeout):
            while True:
                for data in self.received(event):
                    if predicate is None or predicate(data):
                        return data
                await asyncio.sleep(0.01)

    async def disconnect(self) -> None:
        await self.client.disconnect()
