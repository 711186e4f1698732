"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live wsChat server.

`make test` installs Chromium (Makefile DEBS_TEST) and builds the front end into wschat/static/. Every page
opened through `Browser.page()` records each request it makes; at the end of the test all of them must have
gone to the wsChat server's origin (or stayed inside the browser: data:, blob:). Screenshots go to
tests/e2e/artifacts/ (not committed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, Page, Request, async_playwright

from tests.support import FakeClock, LiveServer
from wschat.web.routes import STATIC

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Calls: a synthetic camera and microphone, and no permission prompt.
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


@pytest.fixture
def clock() -> FakeClock:
    return WallClock()


@dataclass
class Browser:
    """One Chromium for the test; each `page()` is a fresh context (its own storage, like another person)."""

    server: LiveServer
    chromium: PlaywrightBrowser
    requests: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

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
        ]

    async def screenshot(self, page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await page.screenshot(path=str(path))
        return path


@pytest.fixture
async def browser(server: LiveServer) -> AsyncIterator[Browser]:
    assert (STATIC / "widget.js").is_file(), "the front end is not built: run `make setup`"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        session = Browser(server, chromium)
        try:
            yield session
        finally:
            for context in session.contexts:
                await context.close()
            await chromium.close()
    assert session.foreign_requests() == [], "a page made a request to another host"
