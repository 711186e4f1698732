"""Playwright's Chromium for the browser tests, recording every request each page makes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, ConsoleMessage, Page, Request, Response

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
#: Generous waits: these tests check behaviour, not speed (bench/ does that); they share two cores with the
#: server, FerretDB and Chromium. A wait that runs out fails the test with the pages' event log attached.
ACTION_TIMEOUT_MS = 20_000
EXPECT_TIMEOUT_MS = 10_000


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
    #: What the pages did, with seconds since the browser started: requests and their outcome, console
    #: messages, script errors. Printed with a failing test's report (conftest.py), never asserted on.
    events: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    async def page(self, path: str = "/demo", **context_options: object) -> Page:
        context = await self.chromium.new_context(**context_options)  # type: ignore[arg-type]
        self.contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        number = len(self.contexts)
        context.on("request", lambda r: self._record(number, r))
        context.on("requestfinished", lambda r: self._log(number, f"done {r.method} {r.url}"))
        context.on("requestfailed", lambda r: self._log(number, f"FAILED {r.method} {r.url}: {r.failure}"))
        context.on("response", lambda r: self._answered(number, r))
        context.on("console", lambda m: self._console(number, m))
        context.on("page", self._watch_page(number))
        page = await context.new_page()
        if path:
            await page.goto(self.server.origin + path)
        return page

    def _record(self, context: int, request: Request) -> None:
        self.requests.append(request.url)
        self._log(context, f"{request.method} {request.url}")

    def _record_websocket(self, context: int, url: str) -> None:
        self.requests.append(url)
        self._log(context, f"WebSocket {url}")

    def _answered(self, context: int, response: Response) -> None:
        self._log(context, f"{response.status} {response.request.method} {response.url}")

    def _console(self, context: int, message: ConsoleMessage) -> None:
        self._log(context, f"console.{message.type}: {message.text}")

    def _watch_page(self, context: int) -> Callable[[Page], None]:
        def watch(page: Page) -> None:
            # WebSocket handshakes are not "request" events of the context: record them per page.
            page.on("websocket", lambda ws: self._record_websocket(context, ws.url))
            page.on("pageerror", lambda error: self._log(context, f"page error: {error}"))
            page.on("crash", lambda _: self._log(context, "page crashed"))

        return watch

    def _log(self, context: int, text: str) -> None:
        self.events.append(f"{time.monotonic() - self.started:8.3f} [{context}] {text}")

    async def save_failure(self, test: str) -> list[Path]:
        """A screenshot of every open page of a failed test, for people to look at (tests/e2e/artifacts/)."""
        saved = []
        for number, context in enumerate(self.contexts):
            for index, page in enumerate(context.pages):
                try:
                    saved.append(await self.screenshot(page, f"failed-{test}-{number}-{index}"))
                except Exception as error:  # a crashed or closed page: the event log says why
                    self.events.append(f"no screenshot of [{number}] page {index}: {error}")
        return saved

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
