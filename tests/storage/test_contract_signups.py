"""Store contract: pending demo sign-ups (``wschat/signup/store.py``) on both adapters: one per address
however many arrive at once, one confirmation however many take it at once, and a sign-up's mail gone
with it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.storage.builders import at, new_mail, new_signup, new_tenant
from wschat.mail.models import SYSTEM_SENDER, MailStatus
from wschat.storage import Stores


async def test_signups_round_trip_every_field(stores: Stores) -> None:
    signup = new_signup("dora@initrode.example", created=1, phone="+49 40 123456")
    assert await stores.signups.insert(signup)
    assert await stores.signups.get(signup.id) == signup
    assert await stores.signups.by_email("dora@initrode.example") == signup
    assert await stores.signups.get("sgn_000000000000000000000000") is None
    assert await stores.signups.by_email("erin@initrode.example") is None


async def test_signups_one_per_address_when_many_arrive_at_once(stores: Stores) -> None:
    tries = [new_signup("dora@initrode.example", created=n) for n in range(8)]
    won = await asyncio.gather(*(stores.signups.insert(signup) for signup in tries))
    assert sum(won) == 1
    stored = await stores.signups.by_email("dora@initrode.example")
    assert stored == tries[won.index(True)]


async def test_signups_taken_once_when_confirmed_twice_at_once(stores: Stores) -> None:
    signup = new_signup("dora@initrode.example")
    assert await stores.signups.insert(signup)
    taken = await asyncio.gather(*(stores.signups.take(signup.id) for _ in range(6)))
    assert [t for t in taken if t is not None] == [signup]
    assert await stores.signups.get(signup.id) is None


async def test_signups_take_deletes_the_mail_and_its_transitions_only(stores: Stores) -> None:
    other_tenant = new_tenant("acme")
    await stores.tenants.insert(other_tenant)
    kept = new_mail(other_tenant, created=1)
    await stores.outbox.insert(kept)
    signup = new_signup("dora@initrode.example", created=1)
    assert await stores.signups.insert(signup)
    mail = new_mail(other_tenant, created=1, tenant_id=SYSTEM_SENDER, to=signup.email)
    await stores.outbox.insert(mail)
    sending = await stores.outbox.transition(mail, replace(mail, status=MailStatus.SENDING), at(2))
    await stores.outbox.transition(sending, replace(sending, status=MailStatus.SENT, sent_at=at(3)), at(3))
    await stores.signups.set_mail(signup.id, mail.id)

    taken = await stores.signups.take(signup.id)

    assert taken is not None
    assert taken.mail_id == mail.id
    assert await stores.outbox.get(SYSTEM_SENDER, mail.id) is None
    assert await stores.outbox.get(other_tenant.id, kept.id) == kept


async def test_signups_expired_lists_those_past_their_link_oldest_first(stores: Stores) -> None:
    older, newer = new_signup("a@initrode.example", created=0), new_signup("b@initrode.example", created=10)
    for signup in (newer, older):
        assert await stores.signups.insert(signup)
    assert await stores.signups.expired(older.expires_at - (at(1) - at(0)), 10) == []
    assert await stores.signups.expired(older.expires_at, 10) == [older.id]
    assert await stores.signups.expired(newer.expires_at, 10) == [older.id, newer.id]
    assert await stores.signups.expired(newer.expires_at, 1) == [older.id]
