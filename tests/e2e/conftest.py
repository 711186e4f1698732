"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live wsChat server.

`make test` installs Chromium (Makefile DEBS_TEST) and builds the front end into wschat/static/. Every page
opened through `Browser.page()` records each request it makes; at the end of the test all of them must have
gone to the wsChat server's origin (or stayed inside the browser: data:, blob:). Screenshots go to
tests/e2e/artifacts/ (not committed). When a test fails, its report lists what the pages did (requests,
answers, console messages, script errors) and a screenshot of each open page is saved (`failed-<test>-*.png`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import async_playwright, expect

from tests.e2e.browser import CHROMIUM, CHROMIUM_FLAGS, EXPECT_TIMEOUT_MS, Browser, WallClock
from tests.e2e.console import Shop, make_shop
from tests.support import FakeClock, LiveServer
from wschat.web.routes import STATIC

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture
def clock() -> FakeClock:
    return WallClock()


@pytest.fixture
async def shop(server: LiveServer) -> Shop:
    """Tenant acme with admin Anna and agents Bert and Carl (tests/e2e/console.py)."""
    return await make_shop(server)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed browser test's report shows what its pages did: requests, answers, console, errors."""
    report: pytest.TestReport = yield
    session = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and isinstance(session, Browser):
        item.stash[FAILED] = True
        report.sections.append(("browser events", "\n".join(session.events[-400:]) or "(none)"))
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
async def browser(server: LiveServer, request: pytest.FixtureRequest) -> AsyncIterator[Browser]:
    assert (STATIC / "widget.js").is_file(), "the front end is not built: run `make setup`"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        session = Browser(server, chromium)
        try:
            yield session
            if request.node.stash.get(FAILED, False):
                await session.save_failure(request.node.name)
        finally:
            for context in session.contexts:
                await context.close()
            await chromium.close()
    assert session.foreign_requests() == [], "a page made a request to another host"
