"""Memory per visitor socket, layer by layer (issue 12; docs/benchmarks.md, *Memory per socket*).

Each layer runs as its own server process under uvicorn with wsChat's options (``wschat.server.serving``:
uvloop, httptools, no compression, ``ws_max_size``), the WebSocket implementation chosen with ``--ws``
(``lean``: wsChat's own Engine.IO layer, ``wschat.server.socket_layer``, what ``wschat serve`` runs; the
others: uvicorn's, under python-engineio's ASGI app):

- ``asgi``: a raw ASGI WebSocket app that accepts and waits (uvicorn and the WebSocket layer alone);
- ``engineio``: python-engineio's ASGI app, the Engine.IO handshake done;
- ``socketio``: the bare python-socketio relay of bench/relay.py, connected to ``/visitor``;
- ``wschat``: ``wschat serve`` (SQLite), each visitor with a widget session and its ``/visitor`` socket,
  as the memory phase of ``make bench`` does.

Per run, a fresh server: ``--warm-up`` sockets first (code paths, caches, pools), then ``--sockets`` more,
``--concurrency`` at a time; the server's resident memory (``VmRSS``) grown per socket. The client is this
process (websockets), answering Engine.IO's pings. With ``--tracemalloc`` the server traces its Python
allocations (``PYTHONTRACEMALLOC``) and the script diffs a snapshot taken after the warm-up with one after
the sockets, by traceback: the top allocation sites per socket, and the traced share per library. Resident
memory is not reported then (tracing costs memory of its own).

The servers import wsChat from the current directory first (``python -c``): run the script from the
checkout to measure.

    .venv/bin/python bench/socket_memory.py                          # every layer, 3 runs of 500 sockets
    .venv/bin/python bench/socket_memory.py --layers wschat --ws websockets-sansio wsproto --runs 5
    .venv/bin/python bench/socket_memory.py --layers socketio wschat --tracemalloc 30 --top 25
    .venv/bin/python bench/socket_memory.py --layers engineio socketio wschat --ws lean websockets-sansio
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import aiohttp
from websockets.asyncio.client import ClientConnection, connect

from wschat.accounts.models import Plan
from wschat.clock import utc_now
from wschat.config import Secret, Settings
from wschat.database_url import DatabaseUrl
from wschat.server.runtime import build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import open_database

LAYERS = ("asgi", "engineio", "socketio", "wschat")
#: What a browser sends with a WebSocket request besides what the client library adds itself (Chromium's,
#: from a tenant's page: no cookies for wsChat's host). ``--headers minimal`` sends none of them, as
#: bench/loadgen.mjs (Node's ws) does.
BROWSER_HEADERS = {
    "Pragma": "no-cache",
    "Cache-Control": "no-cache",
    "User-Agent": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/142.0.0.0 Safari/537.36"
    ),
    "Origin": "{url}",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
}
#: "lean": wsChat's own Engine.IO layer (wschat.server.socket_layer), the others uvicorn's ASGI WebSocket
#: implementations under python-engineio.
WS_IMPLEMENTATIONS = ("lean", "websockets-sansio", "websockets", "wsproto")
TENANT = "bench"

#: Run first in every server: SIGUSR1 writes a tracemalloc snapshot to $MEMPROBE_OUT.<n> (n counts up).
PROBE = textwrap.dedent(
    """
    import os, signal, tracemalloc
    _probe_count = [0]
    def _probe(signum, frame):
        if os.environ.get("MEMPROBE_COLLECT"):
            import gc; gc.collect()
        _probe_count[0] += 1
        path = "%s.%d" % (os.environ["MEMPROBE_OUT"], _probe_count[0])
        tracemalloc.take_snapshot().dump(path + ".tmp")
        os.rename(path + ".tmp", path)
    signal.signal(signal.SIGUSR1, _probe)
    """
)

BARE_SERVER = PROBE + textwrap.dedent(
    """
    import socket, sys, uvicorn
    from wschat.server.serving import uvicorn_config
    layer, ws = sys.argv[1], sys.argv[2]
    if layer == "asgi":
        async def app(scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            while (await receive())["type"] != "websocket.disconnect":
                pass
    elif layer == "engineio":
        import engineio
        app = engineio.ASGIApp(engineio.AsyncServer(async_mode="asgi"), engineio_path="socket.io")
    else:
        import socketio
        sio = socketio.AsyncServer(async_mode="asgi", async_handlers=False)
        @sio.on("connect", namespace="/visitor")
        async def visitor_connect(sid, environ, auth):
            await sio.save_session(sid, auth, namespace="/visitor")
        app = socketio.ASGIApp(sio)
    sock = socket.socket(); sock.bind(("127.0.0.1", 0)); sock.listen(2048)
    config = uvicorn_config(app, log_level="warning", loop="uvloop")
    if ws == "lean" and layer != "asgi":  # wsChat's Engine.IO layer over this Engine.IO server
        from wschat.server.socket_layer import SocketLayer
        ws = SocketLayer(app.engineio_server.eio if layer == "socketio" else app.engineio_server)
    elif ws == "lean":
        ws = "websockets-sansio"  # a raw ASGI app has no Engine.IO: uvicorn's own layer
    config.ws, config.lifespan = ws, "off"
    print("wsChat is ready on http://127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    """
)

WSCHAT_SERVER = PROBE + textwrap.dedent(
    """
    import sys, uvicorn
    ws = sys.argv[1]
    config_init = uvicorn.Config.__init__
    def with_ws(self, *args, **kwargs):  # the benchmark's choice of WebSocket layer, nothing else
        config_init(self, *args, **{**kwargs, "ws": ws})
    if ws != "lean":  # "lean": what `wschat serve` picks (WSCHAT_SOCKET_LAYER's default)
        uvicorn.Config.__init__ = with_ws
    from wschat.server.cli import main
    sys.exit(main(["serve", "--port", "0"]))
    """
)


# -- the server ---------------------------------------------------------------------------------------------


class Server:
    def __init__(self, layer: str, ws: str, tmp: Path, opts: argparse.Namespace) -> None:
        self.layer, self.ws, self.tmp = layer, ws, tmp
        self.trace, self.collect, self.gc_tuning = opts.tracemalloc, opts.collect, opts.gc_tuning
        self.snapshots = 0
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def __aenter__(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WSCHAT_", "PYTHONTRACEMALLOC"))}
        env["MEMPROBE_OUT"] = str(self.tmp / "snapshot")
        if self.trace:
            env["PYTHONTRACEMALLOC"] = str(self.trace)
        if self.collect:
            env["MEMPROBE_COLLECT"] = "1"
        if self.layer == "wschat":
            env |= await wschat_installation(self.tmp)
            env["WSCHAT_GC_TUNING"] = "on" if self.gc_tuning else "off"
            args = ["-c", WSCHAT_SERVER, self.ws]
        else:
            args = ["-c", BARE_SERVER, self.layer, self.ws]
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *args, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL, env=env
        )
        assert self.process.stdout is not None
        while True:
            line = (await asyncio.wait_for(self.process.stdout.readline(), 600)).decode()
            if not line:
                raise RuntimeError(f"the {self.layer} server exited during start-up")
            if line.startswith("wsChat is ready on "):
                self.url = line.removeprefix("wsChat is ready on ").strip()
                return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()

    def rss_kb(self) -> int:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])

    async def snapshot(self) -> tracemalloc.Snapshot:
        assert self.process is not None
        self.snapshots += 1
        path = self.tmp / f"snapshot.{self.snapshots}"
        self.process.send_signal(signal.SIGUSR1)
        while not path.exists():
            await asyncio.sleep(0.1)
        return tracemalloc.Snapshot.load(str(path))


async def wschat_installation(tmp: Path) -> dict[str, str]:
    """A SQLite installation with one tenant; the server's environment."""
    settings = Settings(secret_key=Secret(secrets.token_urlsafe(48)), data_dir=tmp)
    db = await open_database(DatabaseUrl("sqlite", path=tmp / "wschat.db"))
    await build_runtime(settings, db, utc_now, NoTransport()).accounts.create_tenant(
        TENANT, "Bench GmbH", Plan.CONTRACT
    )
    await db.close()
    return {
        "WSCHAT_SECRET_KEY": settings.secret_key.reveal(),
        "WSCHAT_DATA_DIR": str(tmp),
        "WSCHAT_LOG_LEVEL": "warning",
        "WSCHAT_NEW_VISITORS_PER_MINUTE": "100000",  # every visitor here comes from 127.0.0.1
    }


# -- the client ---------------------------------------------------------------------------------------------


class Visitors:
    """The client side: sockets opened and kept open (Engine.IO pings answered) until the end."""

    def __init__(self, layer: str, url: str, headers: str) -> None:
        self.layer, self.url = layer, url
        self.headers = (
            {k: v.format(url=url) for k, v in BROWSER_HEADERS.items()} if headers == "browser" else {}
        )
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))

    async def open(self, count: int, concurrency: int) -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                await self._open_one()

        await asyncio.gather(*(one() for _ in range(count)))

    async def _open_one(self) -> None:
        auth: dict[str, Any] = {}
        if self.layer == "wschat":
            async with self.http.post(f"{self.url}/api/widget/{TENANT}/session", json={"token": None}) as r:
                r.raise_for_status()
                auth = {"tenant": TENANT, "token": (await r.json())["token"]}
        path = "/" if self.layer == "asgi" else "/socket.io/?EIO=4&transport=websocket"
        ws = await connect(
            self.url.replace("http", "ws", 1) + path,
            additional_headers=self.headers,
            user_agent_header=None,
            compression=None,
            ping_interval=None,
            open_timeout=300,
        )
        if self.layer != "asgi":
            opening = await ws.recv()
            assert isinstance(opening, str), opening
            assert opening.startswith("0"), opening
        if self.layer in ("socketio", "wschat"):
            await ws.send("40/visitor," + json.dumps(auth))
            reply = await ws.recv()
            assert isinstance(reply, str), reply
            assert reply.startswith("40/visitor,"), reply
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._answer_pings(ws)))

    @staticmethod
    async def _answer_pings(ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for message in ws:
                if message == "2":
                    await ws.send("3")

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await self.http.close()


# -- the runs -----------------------------------------------------------------------------------------------


async def one_run(opts: argparse.Namespace, layer: str, ws: str) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="wschat-memory-"))
    try:
        async with Server(layer, ws, tmp, opts) as server:
            visitors = Visitors(layer, server.url, opts.headers)
            try:
                await visitors.open(opts.warm_up, opts.concurrency)
                await asyncio.sleep(opts.settle)
                before = server.rss_kb()
                first = await server.snapshot() if opts.tracemalloc else None
                await visitors.open(opts.sockets, opts.concurrency)
                await asyncio.sleep(opts.settle)
                after = server.rss_kb()
                result: dict[str, Any] = {"kb_per_socket": (after - before) / opts.sockets}
                if first is not None:
                    result["sites"] = sites(first, await server.snapshot(), opts)
            finally:
                await visitors.close()
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


PACKAGES = ("uvicorn", "websockets", "wsproto", "h11", "engineio", "socketio", "wschat", "asyncio")
#: Where an allocation is charged in the "by caller" view: the innermost frame in one of these.
LIBRARIES = ("uvicorn", "websockets", "wsproto", "h11", "engineio", "socketio", "wschat")


def package(filename: str) -> str:
    parts = Path(filename).parts
    for name in PACKAGES:
        if name in parts:
            return name
    return Path(filename).name


def sites(
    first: tracemalloc.Snapshot, second: tracemalloc.Snapshot, opts: argparse.Namespace
) -> dict[str, Any]:
    """The traced growth per socket: in total, by library (innermost frame), and the top tracebacks."""
    ignore = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib*"),
    ]
    first, second = first.filter_traces(ignore), second.filter_traces(ignore)
    n = opts.sockets
    diff = second.compare_to(first, "traceback")
    by_package: dict[str, float] = {}
    by_caller: dict[str, float] = {}
    for stat in diff:
        name = package(stat.traceback[-1].filename)  # frames run oldest first
        by_package[name] = by_package.get(name, 0) + stat.size_diff / 1024 / n
        caller = next((f for f in reversed(stat.traceback) if package(f.filename) in LIBRARIES), None)
        key = f"{short(caller.filename)}:{caller.lineno}" if caller else "(elsewhere)"
        by_caller[key] = by_caller.get(key, 0) + stat.size_diff / 1024 / n
    top = []
    for stat in diff[: opts.top]:
        frames = [f"{short(f.filename)}:{f.lineno}" for f in list(reversed(stat.traceback))[: opts.frames]]
        top.append({"kb": stat.size_diff / 1024 / n, "blocks": stat.count_diff / n, "where": frames})
    return {
        "traced_kb": sum(s.size_diff for s in diff) / 1024 / n,
        "by_package": dict(sorted(by_package.items(), key=lambda kv: -kv[1])),
        "top": top,
        "by_caller": sorted(by_caller.items(), key=lambda kv: -kv[1])[: opts.top],
    }


def short(filename: str) -> str:
    parts = Path(filename).parts
    for i, part in enumerate(parts):
        if part in ("site-packages", "lib") and i + 1 < len(parts) and parts[i + 1] != "python3.11":
            return "/".join(parts[i + 1 :])
        if part == "wschat" and i + 1 < len(parts):
            return "/".join(parts[i:])
    return "/".join(parts[-2:])


def report(layer: str, ws: str, runs: list[dict[str, Any]], opts: argparse.Namespace) -> None:
    figures = [r["kb_per_socket"] for r in runs]
    if not opts.tracemalloc:
        spread = f"{min(figures):.1f}–{max(figures):.1f}" if len(figures) > 1 else ""
        print(
            f"{layer:9} {ws:18} {statistics.median(figures):5.1f} KB per socket (median of {len(runs)}"
            f"{', ' + spread if spread else ''}; each: {', '.join(f'{f:.1f}' for f in figures)})",
            flush=True,
        )
        return
    for r in runs:
        traced = r["sites"]
        shares = ", ".join(f"{k} {v:.2f}" for k, v in traced["by_package"].items() if abs(v) >= 0.05)
        print(f"{layer} / {ws}: traced {traced['traced_kb']:.1f} KB per socket; by innermost frame: {shares}")
        for site in traced["top"]:
            print(f"  {site['kb']:6.2f} KB {site['blocks']:5.1f} blocks  {' < '.join(site['where'])}")
        print(
            "  by the innermost frame in a library (what asyncio and the standard library allocate for it):"
        )
        for caller, kb in traced["by_caller"]:
            print(f"  {kb:6.2f} KB  {caller}")
    sys.stdout.flush()


async def main_async(opts: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for ws in opts.ws:
        for layer in opts.layers:
            runs = [await one_run(opts, layer, ws) for _ in range(opts.runs)]
            results[f"{layer}/{ws}"] = runs
            report(layer, ws, runs, opts)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--layers", nargs="+", choices=LAYERS, default=list(LAYERS))
    parser.add_argument("--ws", nargs="+", choices=WS_IMPLEMENTATIONS, default=["websockets-sansio"])
    parser.add_argument("--headers", choices=("browser", "minimal"), default="browser")
    parser.add_argument("--no-gc-tuning", dest="gc_tuning", action="store_false", help="WSCHAT_GC_TUNING=off")
    parser.add_argument("--sockets", type=int, default=500, help="sockets measured, per run")
    parser.add_argument("--warm-up", type=int, default=20, help="sockets opened before measuring")
    parser.add_argument("--concurrency", type=int, default=500, help="sockets being opened at once")
    parser.add_argument("--settle", type=float, default=0.5, help="seconds between the last socket and RSS")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES", help="trace, this deep")
    parser.add_argument(
        "--collect", action="store_true", help="a full collection before each snapshot (live objects only)"
    )
    parser.add_argument("--top", type=int, default=20, help="allocation sites shown (with --tracemalloc)")
    parser.add_argument("--frames", type=int, default=4, help="frames shown per site, innermost first")
    parser.add_argument("--out", type=Path, help="the results as JSON")
    opts = parser.parse_args()
    results = asyncio.run(main_async(opts))
    if opts.out:
        opts.out.write_text(json.dumps({"options": {k: str(v) for k, v in vars(opts).items()}, **results}))


if __name__ == "__main__":
    main()
