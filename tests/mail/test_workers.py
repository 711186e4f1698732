"""Several processes' workers on one outbox: each mail is handed to the SMTP server once; and what the
service refuses before anything is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.mail.conftest import mail_settings
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock
from wschat.accounts.models import Plan, Tenant
from wschat.config import Settings
from wschat.errors import MailNotConfigured, ValidationFailed
from wschat.mail.models import MAX_SUBJECT, MailStatus
from wschat.mail.render import Layout
from wschat.server.runtime import Runtime, build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import open_database

LAYOUT = Layout("Hello", ("One paragraph.",))


@pytest.fixture
async def processes(settings: Settings, clock: FakeClock, smtp: SmtpServer) -> AsyncIterator[list[Runtime]]:
    """Three runtimes on one database, as three ``wschat serve`` processes would be."""
    configured = mail_settings(settings, smtp)
    async with AsyncExitStack() as stack:
        runtimes = []
        for _ in range(3):
            db = await open_database(
                configured.database_url, mongo_database=configured.database.mongo_database
            )
            stack.push_async_callback(db.close)
            runtimes.append(build_runtime(configured, db, clock, NoTransport()))
        yield runtimes
        if runtimes[0].db.kind == "mongodb":
            await runtimes[0].db.drop()


async def _tenant(rt: Runtime) -> Tenant:
    return await rt.accounts.create_tenant("acme", "ACME GmbH", Plan.CONTRACT)


@pytest.mark.both_backends
async def test_workers_racing_never_send_one_mail_twice(processes: list[Runtime], smtp: SmtpServer) -> None:
    tenant = await _tenant(processes[0])
    mails = [
        await processes[n % 3].mail.enqueue(tenant, f"reader{n}@example.com", f"Mail {n}", LAYOUT, "en")
        for n in range(12)
    ]

    rounds = await asyncio.gather(*(rt.outbox_worker.run_once() for rt in processes for _ in range(2)))

    assert sum(rounds) == len(mails)
    assert sorted(r.recipients[0] for r in smtp.received) == sorted(m.to for m in mails)
    for mail in mails:
        stored = await processes[1].db.stores.outbox.get(tenant.id, mail.id)
        assert stored is not None
        assert (stored.status, stored.attempts) == (MailStatus.SENT, 1)
    assert sum(await asyncio.gather(*(rt.outbox_worker.run_once() for rt in processes))) == 0


async def test_workers_a_claim_of_a_dead_process_is_taken_over_after_its_lease(
    processes: list[Runtime], smtp: SmtpServer, clock: FakeClock
) -> None:
    """A process claimed the mail and died before sending it: after the lease another sends it."""
    tenant = await _tenant(processes[0])
    mail = await processes[0].mail.enqueue(tenant, "sam@example.com", "Hello", LAYOUT, "de")
    outbox = processes[0].db.stores.outbox
    lease = clock.now + timedelta(minutes=3)
    claim = replace(mail, status=MailStatus.SENDING, attempts=1, lease_until=lease, next_attempt_at=lease)
    await outbox.transition(mail, claim, clock.now)

    assert await processes[1].outbox_worker.run_once() == 0
    clock.advance(minutes=3)
    assert await processes[1].outbox_worker.run_once() == 1
    assert len(smtp.received) == 1
    sent = await outbox.get(tenant.id, mail.id)
    assert sent is not None
    assert (sent.status, sent.attempts) == (MailStatus.SENT, 2)


@pytest.mark.parametrize(
    ("to", "subject", "field"),
    [
        ("sam@example.com\r\nBcc: eve@example.com", "Hello", "to"),
        ("sam@example.com, eve@example.com", "Hello", "to"),
        ("sam@example.com", "Hello\r\nBcc: eve@example.com", "subject"),
        ("sam@example.com", "S" * (MAX_SUBJECT + 1), "subject"),
        ("sam@example.com", "   ", "subject"),
    ],
)
async def test_workers_service_refuses_bad_input_before_storing(
    processes: list[Runtime], to: str, subject: str, field: str
) -> None:
    tenant = await _tenant(processes[0])

    with pytest.raises(ValidationFailed) as refused:
        await processes[0].mail.enqueue(tenant, to, subject, LAYOUT, "en")

    assert refused.value.code == "VALIDATION_FAILED"
    assert refused.value.details is not None
    assert [f["field"] for f in refused.value.details["fields"]] == [field]
    assert await processes[0].db.count("outbox") == 0


async def test_workers_service_without_a_server_refuses_before_storing(
    settings: Settings, clock: FakeClock
) -> None:
    db = await open_database(settings.database_url)
    try:
        rt = build_runtime(settings, db, clock, NoTransport())
        tenant = await _tenant(rt)
        with pytest.raises(MailNotConfigured):
            await rt.mail.enqueue(tenant, "sam@example.com", "Hello", LAYOUT, "en")
        assert await db.count("outbox") == 0
    finally:
        await db.close()
