"""Store contract: the outbox and its claimed transitions, and a tenant's stored mail server
(``wschat/mail/store.py``), on both adapters."""

from __future__ import annotations

import asyncio
import functools
import operator
from dataclasses import replace

import pytest

from tests.storage.builders import at, new_mail
from tests.storage.conftest import Adapter, TwoTenants
from wschat.mail.models import SYSTEM_SENDER, MailStatus, OutgoingMail
from wschat.mail.store import Superseded
from wschat.storage import Stores

QUEUED, SENDING, SENT, FAILED = MailStatus.QUEUED, MailStatus.SENDING, MailStatus.SENT, MailStatus.FAILED


def _claimed(mail: OutgoingMail, now: float) -> OutgoingMail:
    return replace(
        mail,
        status=SENDING,
        attempts=mail.attempts + 1,
        lease_until=at(now + 180),
        next_attempt_at=at(now + 180),
    )


async def test_outbox_insert_round_trips_every_field(stores: Stores, two: TwoTenants) -> None:
    mail = new_mail(two.a, subject="Ihr Chat mit uns – Grüße", lang="de", text="Grüße\n")
    await stores.outbox.insert(mail)

    assert await stores.outbox.get(two.a.id, mail.id) == mail
    assert await stores.outbox.get(two.a.id, "mai_000000000000000000000000") is None


async def test_outbox_mail_of_one_tenant_is_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    mail = new_mail(two.a)
    await stores.outbox.insert(mail)
    await stores.outbox.transition(mail, replace(mail, status=FAILED, last_error="refused"), at(1))

    assert await stores.outbox.get(two.b.id, mail.id) is None
    assert await stores.outbox.page(two.b.id, FAILED, None, 10) == []
    with pytest.raises(Superseded):
        await stores.outbox.transition(replace(mail, tenant_id=two.b.id, epoch=1), mail, at(2))
    assert (await stores.outbox.get(two.a.id, mail.id)).status is FAILED  # type: ignore[union-attr]


async def test_outbox_due_holds_queued_mails_whose_time_came_and_expired_claims(
    stores: Stores, two: TwoTenants
) -> None:
    early, later, sent = new_mail(two.a, created=1), new_mail(two.b, created=50), new_mail(two.a, created=2)
    for mail in (early, later, sent):
        await stores.outbox.insert(mail)
    await stores.outbox.transition(
        sent, replace(sent, status=SENT, sent_at=at(3), next_attempt_at=None), at(3)
    )
    claimed = await stores.outbox.transition(early, _claimed(early, 10), at(10))

    assert [m.id for m in await stores.outbox.due(at(60), 10)] == [later.id]
    assert await stores.outbox.due(at(40), 10) == []
    # The claim's lease ran out (its sender died): the mail is due again, as it was left; by due time.
    waiting = await stores.outbox.get(two.b.id, later.id)
    assert await stores.outbox.due(at(200), 10) == [waiting, claimed]
    assert len(await stores.outbox.due(at(200), 1)) == 1


async def test_outbox_transition_claims_one_epoch(stores: Stores, two: TwoTenants) -> None:
    mail = new_mail(two.a)
    await stores.outbox.insert(mail)

    claimed = await stores.outbox.transition(mail, _claimed(mail, 1), at(1))
    assert (claimed.status, claimed.attempts, claimed.epoch) == (SENDING, 1, 1)
    with pytest.raises(Superseded):
        await stores.outbox.transition(mail, replace(mail, status=FAILED), at(2))
    done = await stores.outbox.transition(claimed, replace(claimed, status=SENT, sent_at=at(3)), at(3))
    assert await stores.outbox.get(two.a.id, mail.id) == done
    assert (done.status, done.sent_at, done.epoch) == (SENT, at(3), 2)
    assert done.subject == mail.subject  # a transition changes the state, never the content


async def test_outbox_twenty_claims_at_once_one_wins(stores: Stores, two: TwoTenants) -> None:
    mail = new_mail(two.a)
    await stores.outbox.insert(mail)

    outcomes = await asyncio.gather(
        *(stores.outbox.transition(mail, _claimed(mail, n), at(n)) for n in range(20)), return_exceptions=True
    )

    won = [o for o in outcomes if isinstance(o, OutgoingMail)]
    assert len(won) == 1
    assert all(isinstance(o, Superseded) for o in outcomes if o not in won)


async def test_outbox_claims_from_two_handles_one_wins(
    adapter: Adapter, stores: Stores, two: TwoTenants
) -> None:
    """Two processes (two handles on one database) claim the same due mail."""
    mail = new_mail(two.a)
    await stores.outbox.insert(mail)
    async with adapter.opened() as other:
        found = await asyncio.gather(stores.outbox.due(at(5), 10), other.stores.outbox.due(at(5), 10))
        outcomes = await asyncio.gather(
            stores.outbox.transition(found[0][0], _claimed(mail, 5), at(5)),
            other.stores.outbox.transition(found[1][0], _claimed(mail, 5), at(5)),
            return_exceptions=True,
        )

    assert sorted(type(o).__name__ for o in outcomes) == ["OutgoingMail", "Superseded"]


async def test_outbox_page_is_newest_first_by_keyset(stores: Stores, two: TwoTenants) -> None:
    mails = [new_mail(two.a, created=n // 2) for n in range(7)]  # pairs share a created_at
    for mail in mails:
        await stores.outbox.insert(mail)
        await stores.outbox.transition(mail, replace(mail, status=FAILED, last_error="550"), at(9))
    await stores.outbox.insert(new_mail(two.a, created=99))  # queued: not in the failed list

    pages: list[list[str]] = []
    before = None
    while page := await stores.outbox.page(two.a.id, FAILED, before, 3):
        pages.append([m.id for m in page])
        before = page[-1]

    expected = [m.id for m in sorted(mails, key=lambda m: (m.created_at, m.id), reverse=True)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert functools.reduce(operator.iadd, pages, []) == expected


async def test_mail_records_replace_the_whole_map_per_tenant(stores: Stores, two: TwoTenants) -> None:
    sealed = {"sealed": 1, "nonce": "bm9uY2U=", "data": "ZGF0YQ=="}
    assert await stores.mail.get(two.a.id) == {}
    assert await stores.mail.replace(two.a.id, {"smtp_url": "smtp://m.example:587", "password": sealed})
    assert await stores.mail.replace(two.a.id, {"smtp_url": "smtps://n.example:465", "password": None})

    assert await stores.mail.get(two.a.id) == {"smtp_url": "smtps://n.example:465", "password": None}
    assert await stores.mail.get(two.b.id) == {}
    assert await stores.mail.replace("ten_000000000000000000000000", {"smtp_url": None}) is False
    assert (await stores.tenants.by_id(two.a.id)) is not None  # the tenant's other fields are untouched


async def test_outbox_depth_counts_the_queue_of_every_tenant_by_state(
    stores: Stores, two: TwoTenants
) -> None:
    assert await stores.outbox.depth() == {"queued": 0, "retrying": 0, "sending": 0, "failed": 0}
    waiting, claimed, retried, sent, failed = (new_mail(t) for t in (two.a, two.b, two.a, two.a, two.b))
    for mail in (waiting, claimed, retried, sent, failed):
        await stores.outbox.insert(mail)
    await stores.outbox.transition(claimed, _claimed(claimed, 1), at(1))
    await stores.outbox.transition(retried, replace(retried, attempts=1, next_attempt_at=at(60)), at(1))
    await stores.outbox.transition(
        sent, replace(sent, status=SENT, sent_at=at(2), next_attempt_at=None), at(2)
    )
    await stores.outbox.transition(failed, replace(failed, status=FAILED, next_attempt_at=None), at(2))

    assert await stores.outbox.depth() == {"queued": 1, "retrying": 1, "sending": 1, "failed": 1}
    confirmation = new_mail(two.a, tenant_id=SYSTEM_SENDER)  # a sign-up's, before any tenant exists
    await stores.outbox.insert(confirmation)
    await stores.outbox.transition(
        confirmation, replace(confirmation, status=FAILED, next_attempt_at=None), at(3)
    )
    assert (await stores.outbox.depth())["failed"] == 2
