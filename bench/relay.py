"""Relay benchmark (issue 12): 1,000 visitors and 50 agents over WebSockets on loopback.

The load comes from ``bench/loadgen.mjs`` (Node, Socket.IO spoken over raw WebSockets, so that the client is
not the bottleneck), pinned to the second core; the server (``wschat serve``, with the embedded SQLite
database whose writer and reader threads run inside it) is pinned to the first. Phases, one after the other:

- memory: 500 visitors with the widget open and no chat; the server's resident memory per socket;
- set-up: every visitor at once (widget session, socket, ``chat.start``); seconds until the last chat is
  acknowledged and assigned;
- open loops at 500, 1,000, 1,500 and 2,000 messages/s, 20 s each, round robin over the visitors: latency
  (visitor's emit → the assigned agent's ``message.new``) p50/p99/max, deliveries/s, server CPU per delivery;
- a closed loop (each visitor sends its next message when the agent got its last one): the maximum;
- housekeeping: each step's runs over the whole benchmark and how many took over 100 ms (from ``/metrics``);
- afterwards, every acknowledged message is checked to be stored exactly once.

The same load generator then drives a *reference* server: a bare python-socketio relay that acknowledges and
forwards each message with no database, no routing and no checks, and the script prints wsChat's figures as
ratios to it, measured in the same run, so that the machine's speed cancels out. Results go to
``bench/results/relay-<backend>.json``.

    make bench                                   # everything above, SQLite
    .venv/bin/python bench/relay.py --rates 1500 --seconds 30 --no-closed --no-reference
    .venv/bin/python bench/relay.py --kill-at-rate 1500      # SIGKILL halfway; nothing acked is lost
    .venv/bin/python bench/relay.py --backend mongodb --visitors 200 --agents 10 --rates 50 100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import aiohttp
from pymongo import AsyncMongoClient

from wschat.accounts.models import AgentCreate, Plan, Role
from wschat.clock import utc_now
from wschat.config import Secret, Settings
from wschat.database_url import DatabaseUrl
from wschat.server.runtime import build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import open_database
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, find_binary

PASSWORD = "benchmark password"
#: Limits the load would hit, raised for the benchmark (and printed, so nobody compares against a
#: production set-up unknowingly): every simulated visitor comes from 127.0.0.1, and a visitor may send
#: more messages than a person types.
RAISED_LIMITS = {
    "WSCHAT_NEW_VISITORS_PER_MINUTE": "100000",
    "WSCHAT_VISITOR_MESSAGE_BURST": "100000",
    "WSCHAT_VISITOR_MESSAGES_PER_MINUTE": "1000000",
}
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


# -- the runs -----------------------------------------------------------------------------------------------

LOADGEN = Path(__file__).with_name("loadgen.mjs")


async def run_loadgen(
    opts: argparse.Namespace, url: str, pid: int, mode: str, acked: Path
) -> list[dict[str, Any]]:
    """Run bench/loadgen.mjs pinned to the second core; its JSON lines, one per phase."""
    spec = {
        "url": url,
        "pid": pid,
        "mode": mode,
        "tenant": "bench",
        "password": PASSWORD,
        "agents": opts.agents,
        "visitors": opts.visitors,
        "rates": opts.rates,
        "seconds": opts.seconds,
        "closed": not opts.no_closed,
        "memory_sockets": opts.memory_sockets,
        "kill_at_rate": opts.kill_at_rate if mode == "wschat" else None,
        "run": mode[0],
        "acked": str(acked),
    }
    process = await asyncio.create_subprocess_exec(
        *pin(LOAD_CORE), "node", str(LOADGEN), json.dumps(spec), stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    phases = []
    async for line in process.stdout:
        phase = json.loads(line)
        phases.append(phase)
        print(f"  {mode}: {describe(phase)}", flush=True)
    if await process.wait() != 0:
        raise RuntimeError(f"the load generator failed for {mode}")
    return phases


def pin(core: int) -> list[str]:
    """taskset -c <core>, where there are cores to spare (the figures are per core either way)."""
    return ["taskset", "-c", str(core)] if (os.cpu_count() or 1) > 1 and shutil.which("taskset") else []


SERVER_CORE, LOAD_CORE = 0, 1


async def make_installation(opts: argparse.Namespace, tmp: Path, url: DatabaseUrl) -> Settings:
    settings = Settings(secret_key=Secret(secrets.token_urlsafe(48)), data_dir=tmp)
    db = await open_database(url, mongo_database=MONGO_DATABASE)
    accounts = build_runtime(settings, db, utc_now, NoTransport()).accounts
    tenant = await accounts.create_tenant("bench", "Bench GmbH", Plan.CONTRACT)
    per_agent = min(50, -(-opts.visitors // opts.agents))  # every visitor gets an agent
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
    return settings


MONGO_DATABASE = "wschat_bench"


async def stored_counts(url: DatabaseUrl, run: str) -> dict[str, int]:
    """client id → times stored, for this run's messages (once the server stopped, or was killed)."""
    if url.kind == "sqlite":
        assert url.path is not None
        with contextlib.closing(sqlite3.connect(url.path)) as connection:
            rows = connection.execute(
                "SELECT client_id, count(*) FROM messages WHERE client_id LIKE ? GROUP BY client_id",
                (f"b{run}-%",),
            ).fetchall()
        return dict(rows)
    assert url.uri is not None
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url.uri)
    try:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"client_id": {"$regex": f"^b{run}-"}}},
            {"$group": {"_id": "$client_id", "n": {"$sum": 1}}},
        ]
        cursor = await client[MONGO_DATABASE]["messages"].aggregate(pipeline)
        return {doc["_id"]: doc["n"] async for doc in cursor}
    finally:
        await client.close()


async def stored_once(url: DatabaseUrl, acked: Path, run: str) -> dict[str, int]:
    """Every acknowledged message is stored exactly once."""
    ids = acked.read_text().split() if acked.exists() else []
    counts = await stored_counts(url, run)
    return {
        "acked": len(ids),
        "missing": sum(1 for i in ids if i not in counts),
        "doubled": sum(1 for n in counts.values() if n > 1),
        "stored": len(counts),
    }


async def run_wschat(opts: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="wschat-bench-"))
    ferret: EmbeddedDatabase | None = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WSCHAT_")}
        if opts.backend == "mongodb":
            ferret = EmbeddedDatabase(find_binary(), tmp / "ferretdb")
            uri = await asyncio.to_thread(ferret.start)
            url = DatabaseUrl.parse(uri)
            env |= {"WSCHAT_DATABASE_URL": uri, "WSCHAT_MONGODB_DB": MONGO_DATABASE}
        else:
            url = DatabaseUrl("sqlite", path=tmp / "wschat.db")
        settings = await make_installation(opts, tmp, url)
        env |= {
            "WSCHAT_SECRET_KEY": settings.secret_key.reveal(),
            "WSCHAT_DATA_DIR": str(tmp),
            "WSCHAT_LOG_LEVEL": "warning",
            "WSCHAT_METRICS_TOKEN": secrets.token_urlsafe(32),
            "WSCHAT_SQLITE_SYNCHRONOUS": opts.synchronous,
            "WSCHAT_GC_TUNING": "on" if opts.gc_tuning else "off",
            "WSCHAT_SOCKET_LAYER": opts.socket_layer,
            **RAISED_LIMITS,
        }
        print(
            "wsChat runs with these limits raised:", ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items())
        )
        command = [*pin(SERVER_CORE), sys.executable, "-m", "wschat", "serve", "--port", "0"]
        server, address = await start(command, env)
        acked = tmp / "acked.txt"
        try:
            phases = await run_loadgen(opts, address, server.pid, "wschat", acked)
            if server.returncode is None:
                phases.append(await housekeeping(address, env["WSCHAT_METRICS_TOKEN"]))
                print(f"  wschat: {describe(phases[-1])}", flush=True)
        finally:
            if server.returncode is None:
                server.terminate()
            await server.wait()
        check = await stored_once(url, acked, "w")
        print(f"  wschat: {check['acked']} messages acked, {check['missing']} of them not stored, "
              f"{check['doubled']} stored twice", flush=True)  # fmt: skip
        return {"phases": phases, "stored": check}
    finally:
        if ferret is not None:
            await asyncio.to_thread(ferret.stop)
        shutil.rmtree(tmp, ignore_errors=True)


async def run_reference(opts: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="wschat-bench-ref-"))
    try:
        server, url = await start(
            [*pin(SERVER_CORE), sys.executable, "-c", REFERENCE_SERVER], dict(os.environ)
        )
        try:
            phases = await run_loadgen(opts, url, server.pid, "reference", tmp / "acked.txt")
        finally:
            server.terminate()
            await server.wait()
        return {"phases": phases}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def housekeeping(url: str, token: str) -> dict[str, Any]:
    """From the server's /metrics: each housekeeping step's runs during the whole benchmark, and how many
    took over 100 ms."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}) as reply,
    ):
        text = await reply.text()
    steps: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        if not line.startswith("wschat_housekeeping_seconds_"):
            continue
        name, value = line.rsplit(" ", 1)
        step = re.search(r'step="([^"]+)"', name)
        if step is None:
            continue
        figures = steps.setdefault(step.group(1), {})
        if name.startswith("wschat_housekeeping_seconds_count"):
            figures["runs"] = float(value)
        elif name.startswith("wschat_housekeeping_seconds_sum"):
            figures["seconds"] = float(value)
        elif 'le="0.1"' in name:
            figures["within_100ms"] = float(value)
    return {
        "phase": "housekeeping",
        "steps": {
            step: {
                "runs": int(f.get("runs", 0)),
                "over_100ms": int(f.get("runs", 0) - f.get("within_100ms", 0)),
                "mean_ms": f.get("seconds", 0) / f["runs"] * 1000 if f.get("runs") else 0.0,
            }
            for step, f in sorted(steps.items())
        },
    }


def describe(phase: dict[str, Any]) -> str:
    if phase["phase"] == "housekeeping":
        steps = phase["steps"]
        slow = {step: f["over_100ms"] for step, f in steps.items() if f["over_100ms"]}
        runs = sum(f["runs"] for f in steps.values())
        return f"housekeeping: {runs} step runs, over 100 ms: {slow or 'none'}"
    if phase["phase"] == "setup":
        assigned = f"{phase['assigned_s']:.2f} s" if phase["assigned_s"] is not None else "not all"
        return (
            f"set-up of {phase['visitors']} visitors and {phase['agents']} agents: started in "
            f"{phase['started_s']:.2f} s, all assigned in {assigned} ({phase['assigned']} assigned, "
            f"{phase['failed']} failed); {phase['kb_per_connection']:.0f} KB per visitor with a chat"
        )
    if phase["phase"] == "memory":
        per = phase["kb_per_socket"]
        return f"{phase['sockets']} more visitors on the site, no chat: {per:.1f} KB per socket"
    name = f"{phase['rate']:g}/s" if phase["phase"] == "open" else "closed loop"
    text = (
        f"{name}: p50 {ms(phase['p50_ms'])}, p99 {ms(phase['p99_ms'])}, max {ms(phase['max_ms'])}; "
        f"{phase['deliveries_per_s']:.0f} deliveries/s; server CPU {us(phase['cpu_per_delivery_us'])} per "
        f"delivery ({pct(phase['server_cpu_share'])} of a core); sent {phase['sent']}, delivered "
        f"{phase['delivered']}, failed {phase['failed']}, lost {phase['lost']}"
    )
    if phase.get("killed"):
        text += " — server killed mid-phase"
    return text


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def us(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} µs"


def ratios(wschat: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    lines = []
    pairs = zip(wschat["phases"], reference["phases"], strict=False)
    for w, r in pairs:
        if w["phase"] == "setup":
            ratio = w["kb_per_connection"] / r["kb_per_connection"]
            lines.append(f"memory per visitor with a chat {ratio:.2f}x")
            continue
        if w["phase"] == "memory":
            lines.append(f"memory per visitor socket {w['kb_per_socket'] / r['kb_per_socket']:.2f}x")
            continue
        if not (
            w.get("p50_ms")
            and r.get("p50_ms")
            and w.get("cpu_per_delivery_us")
            and r.get("cpu_per_delivery_us")
        ):
            continue
        name = f"{w['rate']:g}/s" if w["phase"] == "open" else "closed loop"
        lines.append(
            f"{name}: p50 {w['p50_ms'] / r['p50_ms']:.2f}x, p99 {w['p99_ms'] / r['p99_ms']:.2f}x, "
            f"CPU per delivery {w['cpu_per_delivery_us'] / r['cpu_per_delivery_us']:.2f}x, "
            f"deliveries/s {w['deliveries_per_s'] / r['deliveries_per_s']:.2f}x"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument(
        "--rates",
        type=float,
        nargs="*",
        default=[500, 1000, 1500, 2000],
        help="open-loop messages per second",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--no-closed", action="store_true", help="skip the closed loop (the maximum)")
    parser.add_argument(
        "--memory-sockets",
        type=int,
        default=500,
        help="visitor sockets without a chat, for memory per socket",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the bare relay")
    parser.add_argument(
        "--backend", choices=("sqlite", "mongodb"), default="sqlite", help="mongodb: the embedded FerretDB"
    )
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL", help="SQLite's commits")
    parser.add_argument("--no-gc-tuning", dest="gc_tuning", action="store_false", help="WSCHAT_GC_TUNING=off")
    parser.add_argument(
        "--socket-layer", choices=("lean", "standard"), default="lean", help="WSCHAT_SOCKET_LAYER"
    )
    parser.add_argument(
        "--kill-at-rate",
        type=float,
        help="kill the wsChat server (SIGKILL) halfway through this rate's phase",
    )
    parser.add_argument("--out", type=Path, help="default: bench/results/relay-<backend>.json")
    opts = parser.parse_args()
    opts.out = opts.out or Path(__file__).with_name("results") / f"relay-{opts.backend}.json"
    print(
        f"relay benchmark on {opts.backend}: {opts.visitors} visitors, {opts.agents} agents, open loop at "
        f"{', '.join(f'{r:g}' for r in opts.rates)} msg/s for {opts.seconds:g} s each"
        + ("" if opts.no_closed else ", then a closed loop")
        + f"; server on core {SERVER_CORE}, load generator on core {LOAD_CORE}"
    )
    wschat = asyncio.run(run_wschat(opts))
    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(opts).items()}
    results: dict[str, Any] = {"options": options, "wschat": wschat}
    if not opts.no_reference:
        reference = asyncio.run(run_reference(opts))
        results["reference"] = reference
        print("ratio wsChat / bare relay, same run:")
        for line in ratios(wschat, reference):
            print("  " + line)
    opts.out.parent.mkdir(exist_ok=True)
    opts.out.write_text(json.dumps(results, indent=1))
    print(f"results in {opts.out}")
    if wschat["stored"]["missing"] or wschat["stored"]["doubled"]:
        raise SystemExit("FAILED: an acknowledged message is missing or stored twice")


if __name__ == "__main__":
    main()
