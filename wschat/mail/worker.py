"""The outbox worker: each process runs one; it claims due mails, sends them, and records what happened.

A claim is a transition of the mail to ``sending`` with a lease (:data:`LEASE`), stored before the first
byte goes to the mail server. Two workers that find the same mail both try to claim its next epoch; the
store lets one win, and the other leaves the mail alone. So a mail is handed to the server once per try.

A crash (or ``SIGKILL``) of the process:

- before the claim: the mail is ``queued`` and due; any process sends it on its next round.
- after the claim, before the server accepted the mail: the lease runs out, the mail is due again, and the
  next try sends it (counted as a try).
- after the server accepted the mail, before it was marked ``sent``: the same — and the mail goes out a
  second time. This window (milliseconds, once per crash) cannot be closed from our side: SMTP has no way
  to ask whether a message arrived. The second copy carries the same ``Message-ID``, by which mail
  systems and programs recognise and drop a duplicate.

A failed try is tried again after the next delay of ``WSCHAT_MAIL_RETRY_DELAYS`` (30 s, 2 min, 10 min,
30 min, 2 h, 6 h, 15 h); after the last delay's try, or at once when the server refused the mail for good
(5xx), the mail is ``failed`` and shown in the console's outbox, where an admin may queue it again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from wschat.accounts.store import TenantStore
from wschat.clock import Clock
from wschat.mail.message import to_mime
from wschat.mail.models import SYSTEM_NAME, SYSTEM_SENDER, MailStatus, OutgoingMail
from wschat.mail.sender import SEND_TIMEOUT, SendFailed, SmtpSender
from wschat.mail.servers import MailServers
from wschat.mail.store import OutboxStore, Superseded

log = logging.getLogger(__name__)

#: A claim's lifetime: a dead sender's mail is due again after this. Longer than a send may take.
LEASE = timedelta(seconds=3 * SEND_TIMEOUT)
#: Mails claimed per round; a full round starts the next at once.
BATCH = 20
NO_SERVER = "no mail server configured (WSCHAT_SMTP_URL, or the tenant's own in the console)"


class OutboxWorker:
    def __init__(
        self,
        outbox: OutboxStore,
        servers: MailServers,
        tenants: TenantStore,
        sender: SmtpSender,
        clock: Clock,
        *,
        retry_delays: tuple[int, ...],
    ) -> None:
        self._outbox = outbox
        self._servers = servers
        self._tenants = tenants
        self._sender = sender
        self._clock = clock
        self._delays = retry_delays
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next round now (a mail was queued in this process)."""
        self._wake.set()

    async def wait(self, interval: float) -> None:
        """Until :meth:`wake` is called, or ``interval`` seconds pass (mail queued by other processes,
        retries that came due)."""
        try:
            async with asyncio.timeout(interval):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    async def run_once(self) -> int:
        """Try every due mail (up to :data:`BATCH`); returns how many were sent."""
        due = await self._outbox.due(self._clock(), BATCH)
        sent = 0
        for mail in due:
            sent += await self._try(mail)
        if len(due) == BATCH:
            self.wake()
        return sent

    async def _try(self, mail: OutgoingMail) -> bool:
        now = self._clock()
        claim = replace(
            mail,
            status=MailStatus.SENDING,
            attempts=mail.attempts + 1,
            lease_until=now + LEASE,
            next_attempt_at=now + LEASE,
        )
        try:
            claimed = await self._outbox.transition(mail, claim, now)
        except Superseded:
            return False  # another process has it
        failure = await self._deliver(claimed)
        now = self._clock()
        try:
            await self._outbox.transition(claimed, self._after(claimed, failure, now), now)
        except Superseded:
            # Only if the send outlasted the lease and another process took the mail over meanwhile.
            log.warning("mail %s was taken over by another process while this one sent it", claimed.id)
        return failure is None

    async def _deliver(self, mail: OutgoingMail) -> SendFailed | None:
        if mail.tenant_id == SYSTEM_SENDER:  # the installation's own mail: the operator's server only
            server, name = self._servers.operator, SYSTEM_NAME
        else:
            server = await self._servers.for_tenant(mail.tenant_id)
            tenant = await self._tenants.by_id(mail.tenant_id)
            if tenant is None:
                return SendFailed("the tenant no longer exists", permanent=True)
            name = tenant.name
        if server is None:
            return SendFailed(NO_SERVER)
        try:
            message = to_mime(mail, server.sender, name)
            await self._sender.send(server.url, message, server.sender, mail.to)
        except SendFailed as failure:
            return failure
        except ValueError as e:  # a header the standard library refuses: no try will change that
            return SendFailed(f"the mail cannot be built: {e}", permanent=True)
        return None

    def _after(self, mail: OutgoingMail, failure: SendFailed | None, now: datetime) -> OutgoingMail:
        done = replace(mail, lease_until=None, next_attempt_at=None)
        if failure is None:
            log.info("mail %s of tenant %s sent (try %d)", mail.id, mail.tenant_id, mail.attempts)
            return replace(done, status=MailStatus.SENT, sent_at=now, last_error=None)
        if failure.permanent or mail.attempts > len(self._delays):
            log.warning("mail %s of tenant %s failed for good: %s", mail.id, mail.tenant_id, failure.reason)
            return replace(done, status=MailStatus.FAILED, last_error=failure.reason)
        delay = timedelta(seconds=self._delays[mail.attempts - 1])
        log.info("mail %s not sent (%s); next try in %s", mail.id, failure.reason, delay)
        return replace(done, status=MailStatus.QUEUED, next_attempt_at=now + delay, last_error=failure.reason)
