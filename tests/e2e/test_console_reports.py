"""The console's Reports page: an admin reads the figures of a tenant seeded with a known set of chats
(tests/reports/history.py) in the tables behind the charts, the charts are drawn, and a reversed period is
refused on the page; an agent sees their own chats alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.reports.history import MONDAY, store_history
from tests.support import PASSWORD

pytestmark = pytest.mark.timeout(90)

DAY = MONDAY.date().isoformat()


async def _seeded(shop: Shop) -> None:
    runtime = shop.server.app.runtime
    await store_history(runtime.db.stores, shop.tenant, shop.users)
    await runtime.report_counting.rebuild(shop.tenant.id, MONDAY.date() - timedelta(days=1), MONDAY.date())


async def _open_reports(page: Page) -> None:
    await page.get_by_role("link", name="Reports", exact=True).click()
    await expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    await page.get_by_label("From", exact=True).fill(DAY)
    await page.get_by_label("To", exact=True).fill(DAY)
    await page.get_by_role("button", name="Show").click()


def _cells(page: Page, table: Locator, header: str) -> Locator:
    """The data cells of the row of ``table`` headed ``header``."""
    heading = page.get_by_role("rowheader", name=header, exact=True)
    return table.get_by_role("row").filter(has=heading).get_by_role("cell")


async def test_console_reports_show_the_seeded_chats_in_tables_and_charts(
    browser: Browser, shop: Shop
) -> None:
    await _seeded(shop)
    page = await sign_in(browser, "anna")
    await _open_reports(page)

    summary = page.get_by_role("table", name="Summary")
    rows = {
        "Chats": ("4", "1"),
        "Answered": ("3", "1"),
        "Missed": ("1", "0"),
        "Offline messages": ("1", "0"),
        "Waiting time until answered (median)": ("20 s", "50 s"),
        "Waiting time until answered (90 %)": ("40 s", "50 s"),
        "First response (median)": ("30 s", "55 s"),
        "Transfers": ("1", "0"),
    }
    for label, (now, then) in rows.items():
        cells = _cells(page, summary, label)
        await expect(cells.nth(0)).to_have_text(now)
        await expect(cells.nth(1)).to_have_text(then)

    # Each chart is drawn, with its table one click away.
    for chart in (
        "Chats per day",
        "Busiest hours (chats started, UTC)",
        "Chats per agent",
        "Pages where chats start",
    ):
        await expect(page.get_by_role("img", name=chart)).to_be_visible()
    days = page.locator("[data-report=days]")
    await expect(days.locator("svg rect.bar-answered")).to_have_count(1)
    await days.get_by_text("Table").click()
    day = days.get_by_role("table", name="Chats per day").locator(f"tr[data-day='{DAY}'] td")
    await expect(day).to_have_text(["3", "1", "1"])

    agents = page.locator("[data-report=agents]")
    await agents.get_by_text("Table").click()
    agent_rows = agents.get_by_role("table", name="Chats per agent").locator("tbody tr")
    await expect(agent_rows).to_have_count(2)
    await expect(agent_rows.nth(0)).to_contain_text("Bert")
    await expect(agent_rows.nth(0).get_by_role("cell")).to_have_text(["2", "15 s", "0"])
    await expect(agent_rows.nth(1).get_by_role("cell")).to_have_text(["1", "45 s", "1"])

    hours = page.locator("[data-report=hours]")
    await expect(hours.locator("svg rect")).to_have_count(7 * 24)
    await hours.get_by_text("Table").click()
    await expect(_cells(page, hours.get_by_role("table"), "Monday").nth(10)).to_have_text("1")

    # The table behind the chart as CSV.
    async with page.expect_download() as downloading:
        await days.get_by_role("button", name="Download CSV").click()
    download = await downloading.value
    assert download.suggested_filename == f"wschat-report-days-{DAY}-{DAY}.csv"
    lines = Path(await download.path()).read_text().splitlines()
    assert lines == ["day,answered,missed,offline", f"{DAY},3,1,1"]

    pages = page.locator("[data-report=pages]")
    await pages.get_by_text("Table").click()
    await expect(pages.get_by_role("table").locator("tbody tr").first).to_contain_text("/pricing")
    await expect(pages.get_by_role("table").locator("tbody tr").first).to_contain_text("3")


async def test_console_reports_refuse_a_reversed_period_and_show_an_agent_their_own(
    browser: Browser, shop: Shop
) -> None:
    await _seeded(shop)
    page = await sign_in(browser, "bert")
    await _open_reports(page)

    summary = page.get_by_role("table", name="Summary")
    await expect(_cells(page, summary, "Answered").first).to_have_text("2")
    await expect(summary).not_to_contain_text("Missed")
    await expect(page.locator("[data-report=pages]")).to_have_count(0)

    await page.get_by_label("From", exact=True).fill("2026-03-05")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_role("alert")).to_have_text("The last day must not be before the first.")

    # A quick period replaces the days and shows the report at once.
    await page.get_by_role("group", name="Quick periods").get_by_role("button", name="Last 7 days").click()
    today = datetime.now(UTC).date()
    await expect(page.get_by_label("From", exact=True)).to_have_value((today - timedelta(days=6)).isoformat())
    await expect(page.get_by_label("To", exact=True)).to_have_value(today.isoformat())
    await expect(page.get_by_role("alert")).to_have_count(0)
    await expect(_cells(page, summary, "Answered").first).to_have_text("0")


async def test_console_reports_read_in_german(browser: Browser, shop: Shop) -> None:
    await _seeded(shop)
    page = await browser.page("/console/", locale="de-DE")
    await page.get_by_label("Firma").fill("acme")
    await page.get_by_label("Anmeldename").fill("anna")
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.get_by_role("link", name="Berichte", exact=True).click()
    await page.get_by_label("Von", exact=True).fill(DAY)
    await page.get_by_label("Bis", exact=True).fill(DAY)
    await page.get_by_role("button", name="Anzeigen").click()

    summary = page.get_by_role("table", name="Überblick")
    await expect(_cells(page, summary, "Beantwortet").first).to_have_text("3")
    await expect(_cells(page, summary, "Wartezeit bis zur Annahme (Median)").first).to_have_text("20 Sek.")
    await expect(page.get_by_role("img", name="Stoßzeiten (begonnene Chats, UTC)")).to_be_visible()
    days = page.locator("[data-report=days]")
    await days.get_by_text("Tabelle").click()
    # Dates in German.
    await expect(days.get_by_role("table").locator("tbody th")).to_have_text("02.03.2026")
