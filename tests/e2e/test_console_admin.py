"""The console's admin area in a real browser: agents (create, alias, photo), widget branding, settings."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, make_shop, sign_in
from tests.media.images import jpeg
from tests.support import LiveServer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def shop(server: LiveServer) -> Shop:
    return await make_shop(server)


PHOTO = re.compile(r"^/media/photos/pho_[0-9a-f]+-64\.webp$")
INITIALS = re.compile(r"^/media/initials/ten_[0-9a-f]+/usr_[0-9a-f]+-64\.webp$")


async def test_console_admin_creates_an_agent_changes_the_alias_and_uploads_a_photo(
    browser: Browser, shop: Shop
) -> None:
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Agents").click()
    await expect(page.get_by_role("heading", name="Agents")).to_be_visible()
    await expect(page.locator("tr[data-login]")).to_have_count(3)

    create = page.locator("form.create-agent")
    await create.get_by_label("Login").fill("dora")
    await create.get_by_label("Alias (shown to visitors)").fill("Dora")
    await create.get_by_label("Password (10+ characters)").fill("short")
    await create.get_by_label("Role").select_option("agent")
    await create.get_by_label("Max chats").fill("4")
    # The browser refuses a short password before the server is asked.
    await create.get_by_role("button", name="Add an agent").click()
    await expect(page.locator("tr[data-login='dora']")).to_have_count(0)
    await create.get_by_label("Password (10+ characters)").fill("dora's long password")
    await create.get_by_role("button", name="Add an agent").click()
    await expect(create.get_by_role("status")).to_have_text("Dora was added.")
    row = page.locator("tr[data-login='dora']")
    await expect(row).to_contain_text("Dora")
    await expect(row).to_contain_text("4")

    # The same login again: a clear error from CONFLICT.
    await create.get_by_label("Login").fill("dora")
    await create.get_by_label("Alias (shown to visitors)").fill("Dora 2")
    await create.get_by_label("Password (10+ characters)").fill("another long password")
    await create.get_by_role("button", name="Add an agent").click()
    await expect(create.get_by_role("alert")).to_contain_text("the login is taken")

    await row.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("form", name="Edit: dora")
    await editor.get_by_label("Alias (shown to visitors)").fill("Dora D.")
    await editor.get_by_role("button", name="Save").click()
    await expect(editor.get_by_role("status")).to_have_text("Saved.")
    await expect(row.locator(".alias")).to_have_text("Dora D.")

    await editor.locator("input[type=file]").set_input_files(
        {"name": "dora.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    await expect(row.locator("img.avatar")).to_have_attribute("src", PHOTO)
    await expect(editor.get_by_role("button", name="Remove photo")).to_be_visible()
    # Not an image: the server's UNSUPPORTED_IMAGE, shown in words.
    await editor.locator("input[type=file]").set_input_files(
        {"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}
    )
    await expect(editor.get_by_role("alert")).to_have_text("Please choose a JPEG, PNG or WebP image.")
    await editor.get_by_role("button", name="Remove photo").click()
    await expect(row.locator("img.avatar")).to_have_attribute("src", INITIALS)

    reply = await shop.server.request("GET", "/api/agents", token=shop.admin_token)
    dora = next(a for a in reply.body["agents"] if a["login"] == "dora")
    assert (dora["display_name"], dora["max_chats"], dora["role"]) == ("Dora D.", 4, "agent")
    await shop.server.login("acme", "dora", "dora's long password")


async def test_console_agent_sets_their_own_photo(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "bert")
    await page.get_by_role("link", name="My profile").click()
    profile = page.locator("section.page")
    await expect(profile).to_contain_text("bert")
    await profile.locator("input[type=file]").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colour="blue")}
    )
    await expect(profile.get_by_role("status")).to_have_text("Saved.")
    # The header shows the new photo too.
    await expect(page.locator(".me img.avatar")).to_have_attribute("src", PHOTO)
    reply = await shop.server.request("GET", "/api/agents", token=shop.admin_token)
    bert = next(a for a in reply.body["agents"] if a["login"] == "bert")
    assert bert["photo_url"].startswith("/media/photos/")
    await profile.get_by_role("button", name="Remove photo").click()
    await expect(page.locator(".me img.avatar")).to_have_attribute("src", INITIALS)


async def test_console_agents_see_no_admin_pages(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "bert")
    await page.goto(shop.server.origin + "/console/#/agents")
    await page.reload()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(page.get_by_role("heading", name="Agents")).to_have_count(0)
    await expect(page).to_have_url(re.compile(r"/console/#/chats$"))


async def test_console_branding_editor_previews_warns_and_saves(browser: Browser, shop: Shop) -> None:
    await shop.set(allowed_origins=["https://www.acme.example"])
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Widget branding").click()
    preview = page.get_by_test_id("branding-preview")
    await expect(preview.locator(".preview-title")).to_have_text("Chat with us")
    await expect(page.get_by_test_id("contrast")).to_contain_text("meets WCAG AA")

    await page.locator("input[name=primary_color]").fill("#ffee00")
    await expect(preview.locator(".preview-head")).to_have_css("background-color", "rgb(255, 238, 0)")
    await expect(preview.locator(".preview-launcher")).to_have_css("background-color", "rgb(255, 238, 0)")
    await expect(page.get_by_test_id("contrast")).to_contain_text("below WCAG AA")
    await page.locator("input[name=text_color]").fill("#1a1a1a")
    await expect(page.get_by_test_id("contrast")).to_contain_text("meets WCAG AA")

    await page.get_by_label("Position").select_option("left")
    await expect(preview).to_have_class("preview-site pos-left")
    await page.get_by_label("Title (en)").fill("Talk to Acme")
    await expect(preview.locator(".preview-title")).to_have_text("Talk to Acme")
    await page.get_by_role("button", name="Deutsch").click()
    await page.get_by_label("Greeting (de)").fill("Moin! Was können wir tun?")
    await expect(preview.locator(".preview-bubble")).to_have_text("Moin! Was können wir tun?")

    # A logo on a third-party host is refused before saving; one on the company's site is fine.
    await page.get_by_label("Logo URL (optional)").fill("https://cdn.example.net/logo.png")
    await expect(page.get_by_role("button", name="Save branding")).to_be_disabled()
    await page.get_by_label("Logo URL (optional)").fill("https://www.acme.example/logo.png")
    await page.get_by_role("button", name="Save branding").click()
    await expect(page.get_by_role("status").filter(has_text="Branding saved.")).to_be_visible()

    reply = await shop.server.request("GET", "/api/widget/acme")
    assert reply.body["branding"] == {
        "primary_color": "#ffee00",
        "text_color": "#1a1a1a",
        "position": "left",
        "logo_url": "https://www.acme.example/logo.png",
    }
    assert reply.body["texts"]["en"]["title"] == "Talk to Acme"
    assert reply.body["texts"]["de"]["greeting"] == "Moin! Was können wir tun?"

    # Reopened, the editor shows what was stored; removing the logo is saved as "no logo".
    await page.reload()
    await expect(page.locator("input[name=primary_color]")).to_have_value("#ffee00")
    await page.get_by_label("Logo URL (optional)").fill("")
    await page.get_by_role("button", name="Save branding").click()
    await expect(page.get_by_role("status").filter(has_text="Branding saved.")).to_be_visible()
    reply = await shop.server.request("GET", "/api/widget/acme")
    assert reply.body["branding"]["logo_url"] is None


async def test_console_settings_save_allowed_origins(browser: Browser, shop: Shop) -> None:
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_label("Allowed origins").fill(
        "https://www.acme.example/\nhttps://shop.acme.example:8443"
    )
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    await expect(page.get_by_label("Allowed origins")).to_have_value(
        "https://shop.acme.example:8443\nhttps://www.acme.example"
    )
    await page.get_by_label("Allowed origins").fill("not an origin")
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_role("alert")).to_contain_text("Please check your input.")
    reply = await shop.server.request("GET", "/api/tenant", token=shop.admin_token)
    assert reply.body["tenant"]["allowed_origins"] == [
        "https://shop.acme.example:8443",
        "https://www.acme.example",
    ]
