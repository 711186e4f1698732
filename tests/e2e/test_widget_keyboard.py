"""A keyboard-only run through the widget: open, write, end the chat with its confirmation, close."""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.browser import Browser
from tests.e2e.test_widget_chat import online_agent
from tests.support import LiveServer

pytestmark = pytest.mark.timeout(60)


async def press_until_focused(page: Page, key: str, target: Locator, limit: int = 15) -> None:
    """Press ``key`` until ``target`` has the focus (each press is checked, nothing waits for time)."""
    for _ in range(limit):
        if await target.evaluate("(el) => el === el.getRootNode().activeElement && document.hasFocus()"):
            return
        await page.keyboard.press(key)
    await expect(target).to_be_focused()


async def test_widget_keyboard_only(server: LiveServer, browser: Browser) -> None:
    agent = await online_agent(server)
    page = await browser.page("/demo?tenant=acme")
    launcher = page.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()

    await press_until_focused(page, "Tab", launcher)
    await page.keyboard.press("Enter")
    panel = page.get_by_role("dialog")
    await expect(panel).to_be_visible()
    composer = panel.get_by_role("textbox", name="Write a message")
    await expect(composer).to_be_focused()
    await page.keyboard.type("Typed with the keyboard only")
    await page.keyboard.press("Enter")
    assigned = await agent.wait("chat.assigned")
    await expect(panel.get_by_text("Typed with the keyboard only")).to_be_visible()
    await expect(composer).to_be_focused()
    await agent.ok(
        "message.send",
        {"conversation_id": assigned["conversation"]["id"], "client_id": "a-1", "text": "Answered"},
    )
    await expect(panel.get_by_role("log").get_by_text("Answered")).to_be_visible()

    # Escape closes the panel and gives the focus back to the launcher; Enter opens it again.
    await page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    await expect(launcher).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(composer).to_be_focused()

    end = panel.get_by_role("button", name="End chat")
    await press_until_focused(page, "Shift+Tab", end)
    await page.keyboard.press("Enter")
    confirm = page.get_by_role("alertdialog", name="End this chat?")
    cancel = confirm.get_by_role("button", name="Cancel")
    await expect(cancel).to_be_focused()
    # Focus stays inside the confirmation; Escape cancels it.
    await page.keyboard.press("Tab")
    await expect(confirm.get_by_role("button", name="Yes, end chat")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(cancel).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(confirm).to_be_hidden()
    await expect(panel).to_be_visible()

    await press_until_focused(page, "Shift+Tab", end)
    await page.keyboard.press("Enter")
    await expect(cancel).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await agent.wait("chat.ended")
    new_chat = panel.get_by_role("button", name="Start a new chat")
    await expect(new_chat).to_be_focused()
    await browser.screenshot(page, "widget-keyboard")
    await page.keyboard.press("Enter")
    await expect(composer).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(launcher).to_be_focused()
