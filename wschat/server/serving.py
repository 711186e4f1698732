"""How wsChat runs under uvicorn: ``wschat serve``, the tests' servers and the benchmarks alike."""

from __future__ import annotations

from typing import Any

import uvicorn

from wschat.server.realtime import MAX_PACKET


def uvicorn_config(app: Any, *, log_level: str, loop: str = "auto") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        loop=loop,
        http="httptools",
        ws="websockets-sansio",
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
