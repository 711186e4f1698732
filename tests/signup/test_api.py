"""The sign-up's API on a live server with a real mail server: the way through (sign up, the mail, the
confirmation page, the demo tenant and its admin), and every bad input the issue names, each refused with
its stable code and nothing stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.lifecycle.conftest import mails_to
from tests.mail.conftest import MAIL_FROM
from tests.mail.smtpd import SmtpServer
from tests.signup.conftest import confirm, delivered, form, link_for, sign_up, stock, token_of
from tests.support import FakeClock, LiveServer, start_server, stored, wait_for
from wschat.accounts.contract import DEMO_DATA_KEPT
from wschat.accounts.models import DEMO_PERIOD, Plan
from wschat.config import MailSettings, Settings
from wschat.lifecycle.routes import operator_wire
from wschat.server.lifecycle_commands import describe
from wschat.signup.models import CONSENT, LINK_TTL
from wschat.smtp import parse_smtp_url


@pytest.mark.both_backends
async def test_signup_confirmed_makes_the_demo_tenant_with_its_admin_and_customer_data(
    server: LiveServer, smtp: SmtpServer
) -> None:
    phone = form(email="Dora@Initrode.example", phone="+49 40 123 456", consent=True)
    reply = await sign_up(server, phone)
    assert (reply.status, reply.body) == (202, {"status": "confirmation_sent"})
    signed_up_at = server.clock.now
    link = await link_for(server, smtp, "dora@initrode.example")
    mail = smtp.received[-1]
    assert mail.message["From"].addresses[0].display_name == "wsChat"
    assert mail.message["Subject"] == "Bestätigen Sie Ihre wsChat-Demo"
    [outbox] = (await stock(server))["outbox"]
    assert outbox["tenant_id"] == "system"

    async with server.http.get(server.url + link) as page:
        assert page.status == 200
        text = await page.text()
    assert 'value="initrode-ag"' in text, "the slug is proposed from the company"
    assert 'value="dora@initrode.example"' in text, "the login is the address"

    server.clock.advance(hours=2)
    reply = await confirm(server, token_of(link), slug="initrode")
    assert reply.status == 201, reply.body
    assert reply.body == {"tenant": "initrode", "login": "dora@initrode.example", "sign_in": "/console/"}

    tenant = await server.accounts.tenant("initrode")
    assert (tenant.name, tenant.plan) == ("Initrode AG", Plan.DEMO)
    assert tenant.demo_ends_at == server.clock.now + DEMO_PERIOD
    assert tenant.lifecycle.contact_email == "dora@initrode.example"
    assert "language" not in tenant.branding, "the widget still follows the website's language"
    customer = tenant.lifecycle.customer
    assert customer is not None
    assert (customer.name, customer.company, customer.phone) == ("Dora Demo", "Initrode AG", "+49 40 123 456")
    assert customer.consent_text == CONSENT["de"]
    assert customer.consent_at == signed_up_at
    assert customer.lang == "de", "the lifecycle's notices to them are German"
    assert (customer.signed_up_at, customer.confirmed_at) == (signed_up_at, server.clock.now)
    assert await server.login("initrode", "dora@initrode.example", "a long secret 1")
    shown = server.app.runtime.lifecycle
    _, dates = await shown.show("initrode")
    assert describe(tenant, dates).count("Dora Demo (Initrode AG)") == 1, "wschat tenant show names them"
    assert operator_wire(tenant, dates)["customer"]["consent_text"] == CONSENT["de"]

    left = await stock(server)
    assert left["signups"] == [], "a confirmed sign-up moves into its tenant"
    assert left["outbox"] == [], "its confirmation mail goes with it"
    assert left["outbox_transitions"] == []

    again = await confirm(server, token_of(link), slug="initrode-2")
    assert (again.status, again.code) == (409, "LINK_USED")
    assert await stock(server) == left
    async with server.http.get(server.url + link) as page:
        assert page.status == 409
        assert 'data-code="LINK_USED"' in await page.text()


@pytest.mark.both_backends
async def test_signup_without_a_phone_stores_no_consent(server: LiveServer, smtp: SmtpServer) -> None:
    assert (await sign_up(server, form(lang="en"))).status == 202
    link = await link_for(server, smtp, "dora@initrode.example")
    assert smtp.received[-1].message["Subject"] == "Confirm your wsChat demo"
    assert (await confirm(server, token_of(link))).status == 201
    customer = (await server.accounts.tenant("initrode")).lifecycle.customer
    assert customer is not None
    assert (customer.phone, customer.consent_text, customer.consent_at) == (None, None, None)


BAD: list[tuple[Any, str]] = [
    (form(email="not an address"), "VALIDATION_FAILED"),
    (form(email="dora@initrode.example, eve@evil.example"), "VALIDATION_FAILED"),
    (form(email="dora@mailinator.com"), "DISPOSABLE_ADDRESS"),
    (form(email="dora@eu.yopmail.com"), "DISPOSABLE_ADDRESS"),
    (form(consent=True), "VALIDATION_FAILED"),  # consent without a phone
    (form(phone="+49 40 123 456"), "VALIDATION_FAILED"),  # a phone without consent
    (form(phone="+49 40 123 456", consent=False), "VALIDATION_FAILED"),
    (form(phone="+49 40 123 456", consent="true"), "VALIDATION_FAILED"),  # strict: no coercion
    (form(name=""), "VALIDATION_FAILED"),
    (form(company="   "), "VALIDATION_FAILED"),
    (form(email={"$ne": None}), "VALIDATION_FAILED"),
    (form(lang="fr"), "VALIDATION_FAILED"),
    (form(plan="contract"), "VALIDATION_FAILED"),  # no field but the form's
    ({"name": "Dora Demo", "company": "Initrode AG"}, "VALIDATION_FAILED"),
    ([form()], "VALIDATION_FAILED"),
]


@pytest.mark.both_backends
async def test_signup_bad_inputs_are_refused_and_store_nothing(server: LiveServer, smtp: SmtpServer) -> None:
    before = await stock(server)
    for body, code in BAD:
        reply = await sign_up(server, body)
        assert (reply.status, reply.code) == (400, code), (body, reply.body)
        assert reply.body["error"]["message"]
        assert await stock(server) == before, f"{body} changed what is stored"
    assert smtp.received == []


async def test_signup_consent_error_names_the_consent_field(server: LiveServer) -> None:
    reply = await sign_up(server, form(phone="+49 40 123 456"))
    assert [f["field"] for f in reply.body["error"]["details"]["fields"]] == ["consent"]


@pytest.mark.both_backends
async def test_signup_with_an_address_already_pending_is_refused(
    server: LiveServer, smtp: SmtpServer
) -> None:
    assert (await sign_up(server, form())).status == 202
    await link_for(server, smtp, "dora@initrode.example")
    before = await stock(server)
    for email in ("dora@initrode.example", "DORA@initrode.example"):
        reply = await sign_up(server, form(email=email, name="Someone Else"))
        assert (reply.status, reply.code) == (409, "SIGNUP_PENDING")
        assert await stock(server) == before
    assert len(smtp.received) == 1


async def test_signup_of_a_known_address_is_answered_as_any_other(
    server: LiveServer, smtp: SmtpServer
) -> None:
    """No account enumeration: the contact of an existing tenant signs up as anyone does."""
    await server.accounts.create_tenant("acme", "Acme GmbH", Plan.CONTRACT, "dora@initrode.example")
    known = await sign_up(server, form())
    unknown = await sign_up(server, form(email="fred@initrode.example"))
    assert (
        (known.status, known.body) == (unknown.status, unknown.body) == (202, {"status": "confirmation_sent"})
    )


@pytest.mark.both_backends
async def test_confirmation_link_tampered_is_refused_and_changes_nothing(
    server: LiveServer, smtp: SmtpServer
) -> None:
    assert (await sign_up(server, form())).status == 202
    token = token_of(await link_for(server, smtp, "dora@initrode.example"))
    body, _, mac = token.partition(".")
    flipped = "A" if mac[0] != "A" else "B"
    forged = [
        f"{body}.{flipped}{mac[1:]}",  # the signature changed
        f"{body[:-2]}xx.{mac}",  # the id or expiry changed
        f"{body}.",  # no signature
        body,
        "garbage",
        "%%%.%%%",
    ]
    before = await stock(server)
    for bad in forged:
        reply = await confirm(server, bad)
        assert (reply.status, reply.code) == (400, "LINK_INVALID"), bad
        async with server.http.get(f"{server.url}/signup/confirm", params={"token": bad}) as page:
            assert page.status == 400
            assert 'data-code="LINK_INVALID"' in await page.text()
        assert await stock(server) == before
    assert (await confirm(server, token)).status == 201, "the genuine link still works"


@pytest.mark.both_backends
async def test_confirmation_link_expires_after_24_hours_and_the_signup_is_deleted(
    server: LiveServer, smtp: SmtpServer
) -> None:
    assert (await sign_up(server, form(phone="+49 40 1", consent=True))).status == 202
    token = token_of(await link_for(server, smtp, "dora@initrode.example"))
    server.clock.advance(seconds=LINK_TTL.total_seconds() - 1)
    assert await server.app.runtime.signup.purge() == 0, "not before its time"
    server.clock.advance(seconds=1)
    before = await stock(server)
    reply = await confirm(server, token)
    assert (reply.status, reply.code) == (410, "LINK_EXPIRED")
    assert await stock(server) == before

    assert await server.app.runtime.signup.purge() == 1
    left = await stock(server)
    assert left == {**left, "signups": [], "outbox": [], "outbox_transitions": []}
    assert (await confirm(server, token)).code == "LINK_EXPIRED"
    assert (await sign_up(server, form())).status == 202, "the address may sign up again"


async def test_an_expired_signup_not_yet_deleted_gives_way_to_a_new_one(server: LiveServer) -> None:
    assert (await sign_up(server, form())).status == 202
    server.clock.advance(seconds=LINK_TTL.total_seconds())
    assert (await sign_up(server, form(name="Dora Again"))).status == 202
    [signup] = (await stock(server))["signups"]
    assert signup["name"] == "Dora Again"


@pytest.mark.both_backends
async def test_confirmation_with_a_taken_slug_changes_nothing_and_the_link_still_works(
    server: LiveServer, smtp: SmtpServer
) -> None:
    await server.make_tenant("initrode")
    assert (await sign_up(server, form())).status == 202
    link = await link_for(server, smtp, "dora@initrode.example")
    async with server.http.get(server.url + link) as page:
        assert 'value="initrode-ag"' in await page.text()
    await server.make_tenant("initrode-ag")
    async with server.http.get(server.url + link) as page:
        assert 'value="initrode-ag-2"' in await page.text(), "a free slug is proposed"
    before = await stock(server)
    reply = await confirm(server, token_of(link), slug="initrode")
    assert (reply.status, reply.code) == (409, "CONFLICT")
    assert reply.body["error"]["details"]["fields"][0]["field"] == "slug"
    assert await stock(server) == before
    for bad in ({"slug": "Not A Slug!"}, {"password": "short"}):
        body = {"token": token_of(link), "slug": "initrode-2", "password": "a long secret 1"} | bad
        refused = await server.request("POST", "/api/signup/confirm", json=body)
        assert (refused.status, refused.code) == (400, "VALIDATION_FAILED")
        assert await stock(server) == before
    assert (await confirm(server, token_of(link), slug="initrode-2")).status == 201


async def test_signups_are_rate_limited_per_address_and_per_client(
    server: LiveServer, smtp: SmtpServer
) -> None:
    assert (await sign_up(server, form())).status == 202
    await link_for(server, smtp, "dora@initrode.example")
    for _ in range(2):
        assert (await sign_up(server, form())).code == "SIGNUP_PENDING"
    before = await stock(server)
    limited = await sign_up(server, form())
    assert (limited.status, limited.code) == (429, "RATE_LIMITED"), "three tries per address and day"
    assert limited.headers["Retry-After"] == "3600"
    assert await stock(server) == before
    # The client has made 3 tries so far; 2 more addresses, then its hourly limit of 5 is reached too.
    for name in ("erin", "fred"):
        assert (await sign_up(server, form(email=f"{name}@initrode.example"))).status == 202
    await wait_for(lambda: len(smtp.received) == 3, timeout=10)
    await delivered(server)
    before = await stock(server)
    limited = await sign_up(server, form(email="gina@initrode.example"))
    assert (limited.status, limited.code) == (429, "RATE_LIMITED"), "five sign-ups per client and hour"
    assert await stock(server) == before
    server.clock.advance(hours=1, seconds=1)
    assert (await sign_up(server, form(email="gina@initrode.example"))).status == 202


async def test_a_confirmed_demo_is_locked_after_14_days_and_deleted_with_its_customer_data(
    server: LiveServer, smtp: SmtpServer
) -> None:
    english = form(phone="+49 40 123 456", consent=True, lang="en")
    assert (await sign_up(server, english)).status == 202
    link = await link_for(server, smtp, "dora@initrode.example")
    assert (await confirm(server, token_of(link))).status == 201
    server.clock.advance(seconds=DEMO_PERIOD.total_seconds())
    reply = await server.request(
        "POST",
        "/api/auth/login",
        json={"tenant": "initrode", "login": "dora@initrode.example", "password": "a long secret 1"},
    )
    assert (reply.status, reply.code) == (403, "TENANT_LOCKED")
    lifecycle = server.app.runtime.lifecycle
    await lifecycle.run_once()
    subjects = await mails_to(smtp, "dora@initrode.example", 2)
    assert subjects[1] == "Your wsChat demo has ended", "notices in the language they signed up in"
    server.clock.advance(seconds=(DEMO_DATA_KEPT + timedelta(seconds=1)).total_seconds())
    await lifecycle.run_once()  # its data
    server.clock.advance(days=1, seconds=1)
    await lifecycle.run_once()  # its record, a day later
    tenants = await stored(server.app.runtime.db, "tenants")
    assert tenants == [], "the tenant's record, its customer data inside, is deleted with it"


async def test_housekeeping_deletes_unconfirmed_signups_after_24_hours(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> None:
    mail = MailSettings(smtp_url=parse_smtp_url(smtp.url), mail_from=MAIL_FROM)
    fast = replace(settings, mail=mail, signup=True, chat=replace(settings.chat, janitor_interval=0.05))
    async with start_server(fast, clock, http) as live:
        assert (await sign_up(live, form())).status == 202
        await link_for(live, smtp, "dora@initrode.example")
        clock.advance(seconds=LINK_TTL.total_seconds())

        async def gone() -> bool:
            left = await stock(live)
            return left["signups"] == left["outbox"] == []

        await wait_for(gone, timeout=10)


async def test_signups_from_one_ipv6_64_count_as_one_client(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> None:
    """Behind a trusted proxy: a new address of the same /64 per sign-up gains nothing; another /64 is
    another client."""
    mail = MailSettings(smtp_url=parse_smtp_url(smtp.url), mail_from=MAIL_FROM)
    proxied = replace(settings.server, trusted_proxies="127.0.0.1")
    async with start_server(replace(settings, mail=mail, signup=True, server=proxied), clock, http) as live:

        async def from_address(address: str, n: int) -> str | None:
            headers = {"X-Forwarded-For": address}
            body = form(email=f"user{n}@initrode.example")
            reply = await live.request("POST", "/api/signup", json=body, headers=headers)
            return reply.code

        for n in range(5):
            assert await from_address(f"2001:db8:1:2::{n + 1}", n) is None
        assert await from_address("2001:db8:1:2::99", 5) == "RATE_LIMITED"
        assert await from_address("2001:db8:1:3::1", 6) is None
