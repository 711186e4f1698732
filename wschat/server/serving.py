"""How wsChat runs under uvicorn: ``wschat serve``, the tests' servers and the benchmarks alike."""

from __future__ import annotations

import gc
from typing import Any

import uvicorn

from wschat.server.realtime import MAX_PACKET
from wschat.server.socket_layer import websocket_protocol


def uvicorn_config(app: Any, *, log_level: str, loop: str = "auto") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        loop=loop,
        http="httptools",
        # New Engine.IO WebSocket connections on wsChat's own layer, the rest on websockets' sans-I/O one
        # (wschat.server.socket_layer; WSCHAT_SOCKET_LAYER=standard: all of them on the latter).
        ws=websocket_protocol(app),
        ws_per_message_deflate=False,
        # A WebSocket message over one packet closes the connection (1009) from its frame header, before
        # it is read into memory; uvicorn's default would buffer up to 16 MiB per connection first.
        ws_max_size=MAX_PACKET,
        lifespan="on",
        log_level=log_level,
        access_log=False,  # access logs would hold visitors' full IP addresses
        proxy_headers=False,  # the app reads X-Forwarded-* itself (wschat.proxies)
        server_header=False,
    )


#: Allocations minus deallocations that start a collection of the youngest generation (Python's default:
#: 700). A chat server allocates a few dozen objects per event, nearly all freed at once by reference
#: counting; collecting every 700 of them walks the young objects far more often than cycles appear.
YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Once the server is ready: what start-up allocated (modules, the app, its services) is moved out of
    the collector's sight for good (``gc.freeze``), and the young generation is collected less often. Both
    cut the pauses a full collection makes in the latency of every socket (docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
