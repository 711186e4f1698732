"""What deleting an agent sets going: their name and photo taken out of every chat they took part in.

Deleting the account (wschat/accounts/agents.py) removes login, alias, password hash, photo and own canned
replies at once; it then records a *former agent* — a durable to-do that holds the tenant and the user's
id, no name. A housekeeping step works through the to-dos, oldest first, under a lease (one process at a
time): it walks the conversations the agent is named in (wschat/agent_data/walk.py), a page at a time,
rewrites each with the rules of ``former.py`` (messages a page at a time, each page one transaction),
stores its position after every page, then empties the name in the export and request logs, compacts
SQLite's full-text index (the old texts leave its segments) and deletes the to-do. A crash or a restart
resumes at the stored position; each page is safe to do twice. A to-do is taken up :data:`SETTLE` after
the deletion (a request of the agent's that was on its way has landed by then), and not at all while the
tenant is under a legal hold (the records stay as they are until it is released).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from wschat.accounts.store import TenantStore, UserStore
from wschat.agent_data.former import mentions, message_changes, record_changes
from wschat.agent_data.store import AgentDataStore, Change, FormerAgent, Stage, Way
from wschat.agent_data.walk import AgentChats, Found, Position
from wschat.chat.lease_store import LeaseStore
from wschat.chat.message_store import MessageStore
from wschat.clock import Clock, new_id, utc_now

log = logging.getLogger(__name__)

LEASE = "former-agents"
LEASE_TIME = timedelta(minutes=5)
#: How long one run may work before it lets the next run go on (the lease lasts longer).
RUN_BUDGET = timedelta(seconds=20)
#: A to-do waits this long after the deletion before it is taken up.
SETTLE = timedelta(seconds=5)
#: Messages read and rewritten per transaction; log records per batch.
MESSAGE_PAGE = 200
RECORD_BATCH = 100
#: To-dos read per run.
TODO_LIMIT = 20


class FormerAgents:
    def __init__(
        self,
        store: AgentDataStore,
        messages: MessageStore,
        tenants: TenantStore,
        users: UserStore,
        leases: LeaseStore,
        clock: Clock,
        *,
        compact: Callable[[], Awaitable[int]],
        holder: str,
        wall: Clock = utc_now,
    ) -> None:
        self.store = store
        self.messages = messages
        self.tenants = tenants
        self.users = users
        self.leases = leases
        self.clock = clock
        self.chats = AgentChats(store)
        #: Rewrites what still holds deleted text outside its rows (the lifecycle's compaction).
        self._compact = compact
        self.holder = holder
        # A run's time budget is measured on the wall, whatever clock the dates follow (tests fake that one).
        self._wall = wall

    async def agent_deleted(self, tenant_id: str, user_id: str) -> None:
        """Record the to-do of a deleted agent (the account itself is gone already)."""
        former = FormerAgent(new_id("fag"), tenant_id, user_id, self.clock())
        await self.store.add_former(former)
        log.info("user %s deleted: their name goes from their chats (to-do %s)", user_id, former.id)

    async def run_once(self) -> None:
        """Work on the due to-dos for up to :data:`RUN_BUDGET`, in whichever process holds the lease."""
        now = self.clock()
        due = await self.store.formers(now - SETTLE, TODO_LIMIT)
        if not due or not await self.leases.acquire(LEASE, self.holder, now, now + LEASE_TIME):
            return
        try:
            started = self._wall()
            for former in due:
                if not await self._work_on(former, started):
                    return  # the rest at the next run
        finally:
            await self.leases.release(LEASE, self.holder)

    async def step(self, former: FormerAgent) -> FormerAgent | None:
        """One bounded batch of the to-do, its position stored after it; None once it is done."""
        if former.stage in (Stage.HELD, Stage.ACTED, Stage.FORWARDED):
            at = Position(Way(former.stage.value), former.after)
            found, following = await self.chats.page(former.tenant_id, former.user_id, at)
            counts: Counter[str] = Counter()
            for chat in found:
                counts.update(await self._forget_in(former, chat))
            _log_counts(former, counts)
            if following is None:
                return await self._saved(replace(former, stage=Stage.RECORDS, after=None))
            return await self._saved(replace(former, stage=Stage(following.way.value), after=following.after))
        if former.stage is Stage.RECORDS:
            changed = await self.store.unname_records(former.tenant_id, former.user_id, RECORD_BATCH)
            _log_counts(former, Counter({"export and request records": changed}))
            if changed >= RECORD_BATCH:
                return former
            return await self._saved(replace(former, stage=Stage.SEARCH, after=None))
        steps = await self._compact()  # the texts that named them out of the full-text index too
        await self.store.finish(former.id)
        log.info("user %s: their name is out of every record (search index: %d steps)", former.user_id, steps)
        return None

    async def _work_on(self, former: FormerAgent, started: datetime) -> bool:
        """Batches until the to-do is done (True) or the run's time is up (False)."""
        tenant = await self.tenants.by_id(former.tenant_id)
        if tenant is not None and tenant.lifecycle.legal_hold is not None:
            return True  # kept as they are while the hold lasts; the to-do waits for its release
        if await self.users.by_id(former.tenant_id, former.user_id) is not None:
            await self.store.finish(former.id)  # never a living user's name: that deletion did not happen
            log.warning("to-do %s names user %s, who exists: dropped", former.id, former.user_id)
            return True
        current: FormerAgent | None = former
        while current is not None:
            if self._wall() - started > RUN_BUDGET:
                return False
            current = await self.step(current)
        return True

    async def _forget_in(self, former: FormerAgent, chat: Found) -> Counter[str]:
        """One conversation: its own records in one transaction, then its messages page by page."""
        tenant_id, user_id = former.tenant_id, former.user_id
        counts: Counter[str] = Counter()
        counts.update(await self._rewrite(tenant_id, record_changes(user_id, chat.records)))
        named = mentions(user_id, chat.records)
        after = 0
        while True:
            page = await self.messages.after(
                tenant_id, chat.conversation_id, after, MESSAGE_PAGE, agents=True
            )
            counts.update(await self._rewrite(tenant_id, message_changes(user_id, named, page)))
            if len(page) < MESSAGE_PAGE:
                return counts
            after = page[-1].seq

    async def _rewrite(self, tenant_id: str, changes: list[Change]) -> dict[str, int]:
        return await self.store.rewrite(tenant_id, changes) if changes else {}

    async def _saved(self, former: FormerAgent) -> FormerAgent:
        await self.store.save_progress(former)
        return former


def _log_counts(former: FormerAgent, counts: Counter[str]) -> None:
    if shown := ", ".join(f"{table} {count}" for table, count in sorted(counts.items()) if count):
        log.info("user %s (deleted): name taken out of %s", former.user_id, shown)
