"""Playwright's Chromium for the browser tests, recording every request each page makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, Page, Request

from tests.support import FakeClock, LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Calls: a synthetic camera and microphone, and no permission prompt. With both flags getDisplayMedia
    # also answers at once, with a synthetic 1280x720 "screen" (no extra capture flag is needed).
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class WallClock(FakeClock):
    """The real time, so that the browser's clock and the server's agree (waiting times, timestamps)."""

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta()

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Browser:
    """One Chromium for the test; each `page()` is a fresh context (its own storage, like another person)."""

    server: LiveServer
    chromium: PlaywrightBrowser
    requests: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    #: Hosts a test answers itself with `page.route` (a tenant's Jitsi): not foreign. Empty by default.
    routed_hosts: set[str] = field(default_factory=set)

    async def page(self, path: str = "/demo", **context_options: object) -> Page:
        context = await self.chromium.new_context(**context_options)  # type: ignore[arg-type]
        self.contexts.append(context)
        context.set_default_timeout(10_000)
        context.on("request", self._record)
        context.on("page", self._watch_websockets)
        page = await context.new_page()
        if path:
            await page.goto(self.server.origin + path)
        return page

    def _record(self, request: Request) -> None:
        self.requests.append(request.url)

    def _watch_websockets(self, page: Page) -> None:
        # WebSocket handshakes are not "request" events of the context: record them per page.
        page.on("websocket", lambda ws: self.requests.append(ws.url))

    def foreign_requests(self) -> list[str]:
        """Every recorded request that left the wsChat origin."""
        origin = urlsplit(self.server.origin)
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and (urlsplit(url).hostname, urlsplit(url).port) != (origin.hostname, origin.port)
            and urlsplit(url).hostname not in self.routed_hosts
        ]

    async def screenshot(self, page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await page.screenshot(path=str(path))
        return path
