"""Relay benchmark: N visitors and M agents over websockets on loopback, visitors sending at a fixed rate.

Reports send-to-delivery latency (p50/p99, visitor's emit → the assigned agent's ``message.new``),
deliveries per second, the server's resident memory per open connection, and CPU time per delivery of the
server process (with the embedded SQLite database,
whose writer and reader threads run inside it).

The same client harness then drives a *reference* server: a bare python-socketio relay that acknowledges
and forwards each message with no database, no routing and no checks. wsChat's figures are reported as
ratios to that reference, measured in the same run, so that the machine's speed cancels out.

    make bench                               # 500 visitors, 25 agents, 100 messages/s for 20 s
    .venv/bin/python bench/relay.py --visitors 100 --agents 5 --rate 50 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from wschat.accounts.models import AgentCreate, Plan, Role
from wschat.clock import utc_now
from wschat.config import Secret, Settings
from wschat.database_url import DatabaseUrl
from wschat.server.runtime import build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import open_database

PASSWORD = "benchmark password"
#: Limits the load would hit, raised for the benchmark (and printed, so nobody compares against a
#: production set-up unknowingly): every simulated visitor comes from 127.0.0.1, and a visitor may send
#: more messages than a person types.
RAISED_LIMITS = {
    "WSCHAT_NEW_VISITORS_PER_MINUTE": "100000",
    "WSCHAT_VISITOR_MESSAGE_BURST": "100000",
    "WSCHAT_VISITOR_MESSAGES_PER_MINUTE": "1000000",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """The process's resident memory, KB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    sent: int = 0
    failed: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    #: Resident memory the server grew by per open connection (agents and visitors, each visitor with its
    #: chat started), KB.
    kb_per_connection: float = float("nan")

    @property
    def cpu_per_delivery(self) -> float:
        return self.server_cpu / self.delivered if self.delivered else float("nan")

    def line(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float("nan")
        rate = self.delivered / self.seconds if self.seconds else 0
        per = self.server_cpu / self.delivered * 1e3 if self.delivered else float("nan")
        return (
            f"{self.name:9s} sent {self.sent}, delivered {self.delivered}, failed {self.failed}; "
            f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; {rate:.0f} deliveries/s; "
            f"server CPU {per:.2f} ms per delivery; {self.kb_per_connection:.0f} KB per connection"
        )


# -- the processes under test --------------------------------------------------------------------------------

REFERENCE_SERVER = textwrap.dedent(
    """
    import socket, sys, socketio, uvicorn
    sio = socketio.AsyncServer(async_mode="asgi", async_handlers=False)
    @sio.on("connect", namespace="/agent")
    async def agent_connect(sid, environ, auth):
        await sio.enter_room(sid, "agent:" + auth["id"], namespace="/agent")
    @sio.on("connect", namespace="/visitor")
    async def visitor_connect(sid, environ, auth):
        await sio.save_session(sid, auth, namespace="/visitor")
    @sio.on("message.send", namespace="/visitor")
    async def send(sid, data):
        session = await sio.get_session(sid, namespace="/visitor")
        message = {"message": {"client_id": data["client_id"], "text": data["text"]}}
        await sio.emit("message.new", message, room="agent:" + session["agent"], namespace="/agent")
        return {"ok": True, **message}
    sock = socket.socket(); sock.bind(("127.0.0.1", 0)); sock.listen(2048)
    print("wsChat is ready on http://127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    config = uvicorn.Config(socketio.ASGIApp(sio), loop="uvloop", http="httptools", ws="websockets-sansio",
                            ws_per_message_deflate=False, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    """
)


async def start(args: list[str], env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        stdin=asyncio.subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        if not line:
            raise RuntimeError(f"{args} exited during start-up")
        if line.startswith("wsChat is ready on "):
            return process, line.removeprefix("wsChat is ready on ").strip()


# -- the harness ------------------------------------------------------------------------------------------


async def connect(url: str, namespace: str, auth: dict[str, Any]) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=30)
    return client


async def drive(result: Result, visitors: list[tuple[socketio.AsyncClient, str]], sent_at: dict[str, float],
                rate: float, seconds: float) -> None:  # fmt: skip
    """Send ``rate`` messages per second in total, round robin over the visitors, for ``seconds``."""
    pending: set[asyncio.Task[Any]] = set()

    async def send(client: socketio.AsyncClient, cid: str, n: int) -> None:
        client_id = f"b{n}"
        sent_at[client_id] = time.perf_counter()
        payload = {"conversation_id": cid, "client_id": client_id, "text": f"benchmark message {n}"}
        try:
            reply = await client.call("message.send", payload, namespace="/visitor", timeout=30)
            if not reply.get("ok"):
                result.failed += 1
        except Exception:
            result.failed += 1

    started = time.perf_counter()
    n = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate) + 1
        while n < due:
            client, cid = visitors[n % len(visitors)]
            task = asyncio.create_task(send(client, cid, n))
            pending.add(task)
            task.add_done_callback(pending.discard)
            n += 1
        await asyncio.sleep(0.002)
    result.sent = n
    await asyncio.gather(*pending)
    deadline = time.perf_counter() + 10
    while result.delivered < n - result.failed and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    result.seconds = seconds


def on_delivery(result: Result, sent_at: dict[str, float]) -> Any:
    async def handler(data: dict[str, Any]) -> None:
        started = sent_at.pop(data["message"]["client_id"], None)
        if started is not None:
            result.latencies.append(time.perf_counter() - started)
            result.delivered += 1

    return handler


async def run_wschat(opts: argparse.Namespace) -> Result:
    result = Result("wsChat")
    tmp = Path(tempfile.mkdtemp(prefix="wschat-bench-"))
    settings = Settings(secret_key=Secret(secrets.token_urlsafe(48)), data_dir=tmp)
    db = await open_database(DatabaseUrl("sqlite", path=tmp / "wschat.db"))
    accounts = build_runtime(settings, db, utc_now, NoTransport()).accounts
    tenant = await accounts.create_tenant("bench", "Bench GmbH", Plan.CONTRACT)
    per_agent = -(-opts.visitors // opts.agents)
    for i in range(opts.agents):
        spec = AgentCreate(
            login=f"agent{i}",
            display_name=f"Agent {i}",
            password=PASSWORD,
            role=Role.AGENT,
            max_chats=per_agent,
        )
        await accounts.create_user(tenant, spec)
    await db.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSCHAT_")}
    env |= {
        "WSCHAT_SECRET_KEY": settings.secret_key.reveal(),
        "WSCHAT_DATA_DIR": str(tmp),
        "WSCHAT_LOG_LEVEL": "warning",
        **RAISED_LIMITS,
    }
    print("wsChat runs with these limits raised:", ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items()))
    server, url = await start([sys.executable, "-m", "wschat", "serve", "--port", "0"], env)
    idle = rss_kb(server.pid)
    clients: list[socketio.AsyncClient] = []
    sent_at: dict[str, float] = {}
    try:
        async with aiohttp.ClientSession() as http:
            for i in range(opts.agents):
                body = {"tenant": "bench", "login": f"agent{i}", "password": PASSWORD}
                async with http.post(f"{url}/api/auth/login", json=body) as reply:
                    token = (await reply.json())["token"]
                agent = await connect(url, "/agent", {"token": token})
                agent.on("message.new", on_delivery(result, sent_at), namespace="/agent")
                await agent.call("status.set", {"status": "online"}, namespace="/agent")
                clients.append(agent)
            visitors = []
            for _ in range(opts.visitors):
                async with http.post(f"{url}/api/widget/bench/session", json={"token": None}) as reply:
                    token = (await reply.json())["token"]
                visitor = await connect(url, "/visitor", {"tenant": "bench", "token": token})
                started = await visitor.call("chat.start", {}, namespace="/visitor", timeout=30)
                visitors.append((visitor, started["conversation"]["id"]))
                clients.append(visitor)
        result.kb_per_connection = (rss_kb(server.pid) - idle) / len(clients)
        cpu0 = cpu_seconds(server.pid)
        await drive(result, visitors, sent_at, opts.rate, opts.seconds)
        result.server_cpu = cpu_seconds(server.pid) - cpu0
    finally:
        for client in clients:
            await client.disconnect()
        server.terminate()
        await server.wait()
    return result


async def run_reference(opts: argparse.Namespace) -> Result:
    result = Result("reference")
    server, url = await start([sys.executable, "-c", REFERENCE_SERVER], dict(os.environ))
    idle = rss_kb(server.pid)
    clients: list[socketio.AsyncClient] = []
    sent_at: dict[str, float] = {}
    try:
        for i in range(opts.agents):
            agent = await connect(url, "/agent", {"id": str(i)})
            agent.on("message.new", on_delivery(result, sent_at), namespace="/agent")
            clients.append(agent)
        visitors = []
        for n in range(opts.visitors):
            visitor = await connect(url, "/visitor", {"agent": str(n % opts.agents)})
            visitors.append((visitor, f"cnv_{n:024x}"))
            clients.append(visitor)
        result.kb_per_connection = (rss_kb(server.pid) - idle) / len(clients)
        cpu0 = cpu_seconds(server.pid)
        await drive(result, visitors, sent_at, opts.rate, opts.seconds)
        result.server_cpu = cpu_seconds(server.pid) - cpu0
    finally:
        for client in clients:
            await client.disconnect()
        server.terminate()
        await server.wait()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument(
        "--rate", type=float, default=100.0, help="messages per second, all visitors together"
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    opts = parser.parse_args()
    print(
        f"relay benchmark: {opts.visitors} visitors, {opts.agents} agents, "
        f"{opts.rate:g} msg/s for {opts.seconds:g} s"
    )
    wschat = asyncio.run(run_wschat(opts))
    print(wschat.line(), flush=True)
    reference = asyncio.run(run_reference(opts))
    print(reference.line(), flush=True)
    if wschat.latencies and reference.latencies and reference.server_cpu:
        w, r = sorted(wschat.latencies), sorted(reference.latencies)
        print(
            "ratio wsChat/reference: "
            f"p50 latency {statistics.median(w) / statistics.median(r):.1f}x, "
            f"p99 latency {w[int(len(w) * 0.99) - 1] / r[int(len(r) * 0.99) - 1]:.1f}x, "
            f"server CPU per delivery {wschat.cpu_per_delivery / reference.cpu_per_delivery:.1f}x, "
            f"memory per connection {wschat.kb_per_connection / reference.kb_per_connection:.1f}x"
        )


if __name__ == "__main__":
    main()
