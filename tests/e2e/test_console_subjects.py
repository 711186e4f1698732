"""Data-subject requests in the console: the admin finds a person by e-mail, downloads their export, corrects
their address, restricts them, logs an objection received by letter and marks it done, erases them (choosing
the mode in the confirmation) and sees every step in the request log."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, sign_in
from tests.support import LiveServer

pytestmark = pytest.mark.timeout(60)


async def _person(server: LiveServer, shop: Shop) -> str:
    """A visitor who chatted and left an e-mail address; returns their visitor id."""
    peer, cid = await shop.visitor("Olga", "Bitte löschen Sie meine Daten")
    await peer.ok("contact.submit", {"conversation_id": cid, "email": "olga@example.org"})
    await peer.ok("chat.end", {"conversation_id": cid})
    session = await server.request("POST", "/api/widget/acme/session", json={"token": peer.token})
    return str(session.body["visitor_id"])


async def test_console_admin_exports_restricts_and_erases_a_person(
    shop: Shop, browser: Browser, tmp_path: Path
) -> None:
    server = shop.server
    visitor_id = await _person(server, shop)
    page = await sign_in(browser, "anna")
    await page.get_by_role("link", name="Data requests").click()

    search = page.get_by_role("search")
    await search.get_by_label("Find by").select_option("email")
    await search.get_by_label("Search for").fill("OLGA@example.org")
    await search.get_by_role("button", name="Find").click()
    person = page.locator("li.subject")
    await expect(person).to_have_count(1)
    await expect(person).to_contain_text("Olga")

    async with page.expect_download() as downloading:
        await person.get_by_role("button", name="Export (ZIP)").click()
    saved = tmp_path / "export.zip"
    await (await downloading.value).save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["visitor"]["id"] == visitor_id
    assert "Bitte löschen Sie meine Daten" in [
        m["text"] for c in data["conversations"] for m in c["messages"]
    ]

    await person.get_by_role("button", name="Correct…").click()
    correction = page.get_by_role("form", name="Correct the data of Olga")
    await correction.get_by_label("E-mail").fill("olga.neu@example.org")
    await correction.get_by_label("Contact name").fill("Olga Neumann")
    await correction.get_by_role("button", name="Save the correction").click()
    await expect(page.get_by_role("status")).to_have_text("Corrected.")
    await expect(person).to_contain_text("olga.neu@example.org")

    await person.get_by_role("button", name="Restrict").click()
    await expect(person.get_by_text("restricted", exact=True)).to_be_visible()
    await expect(person.get_by_role("button", name="Lift restriction")).to_be_visible()

    await person.get_by_role("button", name="Log a request…").click()
    logging = page.get_by_role("form", name="Log a request of Olga")
    await logging.get_by_label("Right asked for").select_option("objection")
    await logging.get_by_label("Note", exact=False).fill("By letter of 1 December")
    await logging.get_by_role("button", name="Log the request").click()
    await expect(page.get_by_role("status")).to_contain_text("Request logged")
    objection = page.get_by_role("region", name="Requests").locator("li", has_text="Objection")
    await expect(objection).to_contain_text("open")
    await objection.get_by_role("button", name="Mark as done").click()
    # "done" alone would match the button's own label: the button goes once the server has answered
    await expect(objection.get_by_role("button", name="Mark as done")).to_have_count(0)
    await expect(objection).to_contain_text("done")
    requests = await server.request("GET", "/api/subjects/requests", token=shop.admin_token)
    [logged] = [r for r in requests.body["requests"] if r["kind"] == "objection"]
    assert (logged["visitor_id"], logged["detail"]["note"], logged["state"]) == (
        visitor_id,
        "By letter of 1 December",
        "done",
    )

    await person.get_by_role("button", name="Erase…").click()
    dialog = page.get_by_role("alertdialog", name="Erase Olga?")
    await dialog.get_by_label("Delete the person with every chat, page and mail").check()
    await dialog.get_by_role("button", name="Erase now").click()
    await expect(page.get_by_role("status")).to_contain_text("Erased (")
    await expect(person).to_have_count(0)
    log = page.get_by_role("region", name="Requests")
    for kind in ("Access", "Rectification", "Restriction", "Erasure"):
        await expect(log.get_by_text(kind, exact=False).first).to_be_visible()
    await browser.screenshot(page, "console-subjects")

    found = await server.request("GET", f"/api/subjects?visitor_id={visitor_id}", token=shop.admin_token)
    assert found.body["subjects"] == []
