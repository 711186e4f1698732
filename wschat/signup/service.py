"""The sign-up's rules: a pending sign-up and its confirmation mail, the confirmation that creates the demo
tenant and its first admin, and the deletion of sign-ups nobody confirmed.

Every answer to a sign-up is the same whether or not the address is known to wsChat (no account
enumeration); the refusals are the documented ones: a throw-away address, an address whose sign-up waits for
its confirmation, and too many sign-ups from one client or for one address.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from urllib.parse import quote

from wschat.accounts.contract import Customer
from wschat.accounts.models import AgentCreate, Plan, Role, Tenant, User
from wschat.accounts.service import AccountService
from wschat.clock import Clock, new_id
from wschat.errors import Conflict, DisposableAddress, LinkUsed, RateLimited, SignupPending, WsChatError
from wschat.limits.counter import HitCounter
from wschat.mail.service import MailService
from wschat.privacy.ip import subscriber_key
from wschat.signup.addresses import is_disposable, login_of, slug_of
from wschat.signup.links import ConfirmationLinks
from wschat.signup.mails import confirmation_mail
from wschat.signup.models import CONSENT, LINK_TTL, ConfirmRequest, Signup, SignupRequest
from wschat.signup.store import SignupStore

log = logging.getLogger(__name__)

#: Expired sign-ups deleted per housekeeping pass (each with its mail, one small transaction each).
PURGE_BATCH = 100
#: Slugs tried for a proposal: ``acme``, ``acme-2`` … ``acme-5``.
_PROPOSALS = 5


class SignupService:
    def __init__(
        self,
        store: SignupStore,
        accounts: AccountService,
        mail: MailService,
        links: ConfirmationLinks,
        clock: Clock,
        *,
        public_url: str,
        per_client: HitCounter,
        per_address: HitCounter,
    ) -> None:
        self.store = store
        self._accounts = accounts
        self._mail = mail
        self._links = links
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._per_client = per_client
        self._per_address = per_address

    async def sign_up(self, request: SignupRequest, client: str) -> None:
        """Store a pending sign-up and queue its confirmation mail. Raises RateLimited, DisposableAddress,
        SignupPending, MailNotConfigured; nothing is stored then."""
        email = request.email.lower()
        client = subscriber_key(client)  # an IPv6 /64 counts as one client, as for sign-ins
        if await self._per_client.is_limited(client) or await self._per_address.is_limited(email):
            raise RateLimited("Too many sign-ups. Please try again in an hour.", retry_after=3600)
        if is_disposable(email):
            raise DisposableAddress()
        await self._per_client.hit(client)
        await self._per_address.hit(email)
        now = self._clock()
        signup = Signup(
            id=new_id("sgn"),
            email=email,
            name=request.name,
            company=request.company,
            lang=request.lang,
            created_at=now,
            expires_at=now + LINK_TTL,
            phone=request.phone,
            consent_text=CONSENT[request.lang] if request.phone else None,
            consent_at=now if request.phone else None,
        )
        await self._insert(signup)
        link = (
            f"{self._public_url}/signup/confirm?token={quote(self._links.make(signup.id, signup.expires_at))}"
        )
        subject, layout = confirmation_mail(signup.name, signup.company, link, signup.lang)
        try:
            mail = await self._mail.enqueue_system(email, subject, layout, signup.lang)
        except WsChatError:
            await self.store.take(signup.id)
            raise
        await self.store.set_mail(signup.id, mail.id)
        log.info("sign-up %s stored; confirmation mail %s queued", signup.id, mail.id)

    async def _insert(self, signup: Signup) -> None:
        if await self.store.insert(signup):
            return
        pending = await self.store.by_email(signup.email)
        # One whose link expired but that housekeeping has not deleted yet gives way to the new one.
        if pending is not None and pending.expires_at <= signup.created_at:
            await self.store.take(pending.id)
            if await self.store.insert(signup):
                return
        raise SignupPending()

    async def pending(self, token: str) -> tuple[Signup, str, str]:
        """The sign-up a link confirms, a free slug proposed from its company, and the admin's login.
        Raises LinkInvalid, LinkExpired, LinkUsed."""
        signup = await self._signup_of(token)
        base = slug_of(signup.company)
        proposed = base
        for n in range(2, _PROPOSALS + 2):
            if await self._accounts.tenants.by_slug(proposed) is None:
                break
            proposed = f"{base[:36]}-{n}"
        return signup, proposed, login_of(signup.email)

    async def confirm(self, request: ConfirmRequest) -> tuple[Tenant, User]:
        """Create the demo tenant and its first admin from the sign-up; the sign-up is gone then. Raises
        LinkInvalid, LinkExpired, LinkUsed (a second use), Conflict (the slug is taken: nothing changed)."""
        signup = await self._signup_of(request.token)
        if await self._accounts.tenants.by_slug(request.slug) is not None:
            raise _slug_taken(request.slug)
        taken = await self.store.take(signup.id)
        if taken is None:
            raise LinkUsed()  # confirmed a moment ago, in another request
        try:
            tenant = await self._accounts.create_tenant(request.slug, taken.company, Plan.DEMO, taken.email)
        except Conflict:
            await self.store.insert(replace(taken, mail_id=None))  # the link works again
            raise _slug_taken(request.slug) from None
        now = self._clock()
        customer = Customer(
            name=taken.name,
            company=taken.company,
            signed_up_at=taken.created_at,
            confirmed_at=now,
            phone=taken.phone,
            consent_text=taken.consent_text,
            consent_at=taken.consent_at,
            lang=taken.lang,
        )
        changes = {"lifecycle.customer": asdict(customer), "updated_at": now}
        tenant = await self._accounts.tenants.update(tenant.id, changes) or tenant
        spec = AgentCreate(
            login=login_of(taken.email), display_name=taken.name, password=request.password, role=Role.ADMIN
        )
        admin = await self._accounts.create_user(tenant, spec)
        log.info("sign-up %s confirmed: demo tenant %s", taken.id, tenant.slug)
        return tenant, admin

    async def purge(self) -> int:
        """Delete the sign-ups whose link expired, with their mails (a housekeeping step)."""
        ids = await self.store.expired(self._clock(), PURGE_BATCH)
        deleted = sum([await self.store.take(signup_id) is not None for signup_id in ids])
        if deleted:
            log.info("deleted %d unconfirmed sign-ups", deleted)
        return deleted

    async def _signup_of(self, token: str) -> Signup:
        link = self._links.read(token, self._clock())
        signup = await self.store.get(link.signup_id)
        if signup is None:
            raise LinkUsed()
        return signup


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        f"The address {slug!r} is taken; please choose another.",
        details={"fields": [{"field": "slug", "message": "is taken"}]},
    )
