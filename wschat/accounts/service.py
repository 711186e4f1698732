"""The account rules: tenants, users, login, token checks and the admin's management of agents.

No web framework, no socket server, no database driver here: storage goes through the stores, and open
sockets are reached through the :class:`SessionRevoker` the app plugs in.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from wschat.accounts import branding, passwords
from wschat.accounts.contract import Lifecycle
from wschat.accounts.login_limits import LoginAttempt, LoginLimits
from wschat.accounts.models import (
    DEMO_PERIOD,
    SLUG_PATTERN,
    AgentCreate,
    LoginRequest,
    Plan,
    Principal,
    RevokedSession,
    Tenant,
    TenantSettingsChanged,
    TenantSettingsPatch,
    TenantStatus,
    User,
    require_admin,
)
from wschat.accounts.store import TenantStore, UserStore, user_changes
from wschat.accounts.tokens import TokenIssuer, TokenKind
from wschat.boundary.domain_events import DomainEvents
from wschat.clock import Clock, new_id
from wschat.errors import (
    AuthInvalid,
    InvalidCredentials,
    NotFound,
    TenantLocked,
    ValidationFailed,
)

log = logging.getLogger(__name__)

#: Signed-out sessions kept per user until their tokens expire. One more ends all of the user's sessions
#: instead (a new password version), so a signed-out session never comes back to life.
MAX_REVOKED_SESSIONS = 20
#: Attempts at storing a sign-out when other sign-outs of the same user change the list at the same time.
REVOKE_ATTEMPTS = 3


class SessionRevoker(Protocol):
    async def revoke_user(self, user_id: str) -> None:
        """Close every socket of the user, on every process."""
        """Disconnect every open socket of the user."""

    async def revoke_session(self, user_id: str, session_id: str) -> None:
        """Disconnect the user's open sockets that were opened with a token of that session."""


@dataclass(frozen=True)
class LoginResult:
    principal: Principal
    access_token: str
    access_expires_at: datetime
    session_token: str
    session_expires_at: datetime
    #: For the browser's device cookie (wschat.accounts.login_limits).
    device_token: str
    device_expires_at: datetime


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class AccountService:
    def __init__(
        self,
        tenants: TenantStore,
        users: UserStore,
        tokens: TokenIssuer,
        clock: Clock,
        *,
        login_limits: LoginLimits,
        revoker: SessionRevoker | None = None,
        events: DomainEvents | None = None,
    ) -> None:
        self.tenants = tenants
        self.users = users
        self.tokens = tokens
        self.clock = clock
        self.revoker = revoker
        self.events = events or DomainEvents()
        self._limits = login_limits

    # -- tenants (operator) -------------------------------------------------------------------------------

    async def create_tenant(
        self, slug: str, name: str, plan: Plan, contact_email: str | None = None
    ) -> Tenant:
        """A new active tenant; a demo ends 14 days from now. Raises Conflict if the slug is taken."""
        now = self.clock()
        tenant = Tenant(
            id=new_id("ten"),
            slug=slug,
            name=name,
            plan=plan,
            status=TenantStatus.ACTIVE,
            created_at=now,
            demo_ends_at=now + DEMO_PERIOD if plan is Plan.DEMO else None,
            lifecycle=Lifecycle(
                contact_email=contact_email, contract_since=now if plan is Plan.CONTRACT else None
            ),
        )
        await self.tenants.insert(tenant)
        log.info("tenant %s created (%s)", slug, plan.value)
        return tenant

    async def tenant(self, slug: str) -> Tenant:
        """Raises NotFound."""
        tenant = await self.tenants.by_slug(slug) if SLUG_PATTERN.fullmatch(slug) else None
        if tenant is None or tenant.status is TenantStatus.DELETED:
            raise NotFound(f"There is no tenant {slug!r}.")
        return tenant

    async def tenant_by_id(self, tenant_id: str) -> Tenant | None:
        return await self.tenants.by_id(tenant_id)

    async def set_tenant_status(self, slug: str, status: TenantStatus) -> Tenant:
        """Lock or unlock a tenant. Raises NotFound."""
        tenant = await self.tenants.set_status(slug, status, self.clock())
        if tenant is None:
            raise NotFound(f"There is no tenant {slug!r}.")
        log.info("tenant %s is now %s", slug, status.value)
        return tenant

    async def list_tenants(self) -> list[Tenant]:
        return await self.tenants.all()

    async def update_tenant_settings(self, admin: Principal, patch: TenantSettingsPatch) -> Tenant:
        """An admin changes the tenant's settings or the widget's branding.

        Raises Forbidden, and ValidationFailed for a logo on a website that is not an allowed origin.
        """
        require_admin(admin)
        # Only the fields sent are written (dotted paths, one update): an admin who changes the colour does
        # not undo a text another admin changed a moment before.
        changes: dict[str, Any] = {"updated_at": self.clock()}
        removals: list[str] = []
        if patch.allowed_origins is not None:
            changes["allowed_origins"] = sorted(set(patch.allowed_origins))
        if patch.branding is not None:
            origins = changes.get("allowed_origins", admin.tenant.allowed_origins)
            logo = patch.branding.logo_url
            if logo and (origin := branding.logo_origin(logo)) is not None and origin not in origins:
                raise ValidationFailed(
                    "The logo must be on wsChat or on one of your allowed websites.",
                    details={"fields": [{"field": "branding.logo_url", "message": "origin not allowed"}]},
                )
            to_set, removals = branding.changes(patch.branding)
            changes |= to_set
        settings_changes = patch.model_dump(
            include={"ip_truncation", "auto_assign", "visitor_timeout_minutes", "archive_open_to_agents"},
            exclude_none=True,
        )
        changes |= {f"settings.{name}": value for name, value in settings_changes.items()}
        tenant = await self.tenants.update(admin.tenant.id, changes, removals)
        if tenant is None:
            raise NotFound("There is no such tenant.")
        await self.events.publish(TenantSettingsChanged(tenant))
        return tenant

    # -- users ---------------------------------------------------------------------------------------------

    async def create_user(self, tenant: Tenant, spec: AgentCreate) -> User:
        """Raises Conflict if the login is taken in the tenant."""
        now = self.clock()
        user = User(
            id=new_id("usr"),
            tenant_id=tenant.id,
            login=spec.login,
            display_name=spec.display_name,
            role=spec.role,
            password_hash=await passwords.hash_password(spec.password),
            password_version=secrets.token_hex(8),
            created_at=now,
            password_changed_at=now,
            max_chats=spec.max_chats,
        )
        await self.users.insert(user)
        log.info("user %s created in tenant %s (%s)", user.id, tenant.slug, user.role.value)
        return user

    async def set_password(self, tenant: Tenant, login: str, password: str) -> User:
        """Raises NotFound."""
        user = await self.users.by_login(tenant.id, login)
        if user is None:
            raise NotFound(f"There is no user {login!r} in tenant {tenant.slug!r}.")
        return await self.change_user(user, {"password": password})

    # -- authentication ------------------------------------------------------------------------------------

    async def login(self, request: LoginRequest, ip: str, device: str | None = None) -> LoginResult:
        """Sign in; ``device`` is the browser's device token, if it has one. Raises RateLimited,
        InvalidCredentials (the same for every wrong part), TenantLocked."""
        slug, login = request.tenant.strip().lower(), request.login.strip().lower()
        attempt = LoginAttempt(slug, login, ip)
        tenant = await self.tenants.by_slug(slug) if SLUG_PATTERN.fullmatch(slug) else None
        user = await self.users.by_login(tenant.id, login) if tenant else None
        await self._limits.check(attempt, known_device=user is not None and self._knows(device, user))
        usable = user if user is not None and not user.disabled else None
        # The hash is checked in every case, so an unknown login costs as much time as a wrong password.
        if not await passwords.verify_password(usable.password_hash if usable else None, request.password):
            await self._limits.failed(attempt)
            raise InvalidCredentials()
        assert tenant is not None
        assert usable is not None
        if tenant.is_locked(self.clock()):
            raise TenantLocked()
        await self._limits.succeeded(attempt)
        if passwords.needs_rehash(usable.password_hash):
            new_hash = await passwords.hash_password(request.password)
            usable = await self.users.update(tenant.id, usable.id, {"password_hash": new_hash}) or usable
        session_id = new_id("ses")
        access, access_expires = self.tokens.issue(usable, TokenKind.ACCESS, session_id=session_id)
        session, session_expires = self.tokens.issue(usable, TokenKind.SESSION, session_id=session_id)
        device_token, device_expires = self.tokens.issue(usable, TokenKind.DEVICE, session_id=None)
        principal = Principal(usable, tenant, session_id)
        return LoginResult(
            principal, access, access_expires, session, session_expires, device_token, device_expires
        )

    def _knows(self, device: str | None, user: User) -> bool:
        """Whether this browser signed in to ``user`` before, since the last password change."""
        if not device:
            return False
        try:
            claims = self.tokens.verify(device, TokenKind.DEVICE)
        except AuthInvalid:
            return False
        return (claims.user_id, claims.tenant_id, claims.password_version) == (
            user.id,
            user.tenant_id,
            user.password_version,
        )

    async def authenticate(self, token: str, kind: TokenKind = TokenKind.ACCESS) -> Principal:
        """The principal behind a token. Raises AuthInvalid (forged, expired, outdated, signed out),
        TenantLocked."""
        claims = self.tokens.verify(token, kind)
        return await self.current(
            claims.user_id, claims.tenant_id, claims.password_version, claims.session_id
        )

    async def current(
        self, user_id: str, tenant_id: str, password_version: str, session_id: str | None
    ) -> Principal:
        """Check a token's or a connected socket's user: still there, enabled, same password, session not
        signed out. Raises AuthInvalid, TenantLocked."""
        tenant = await self.tenants.by_id(tenant_id)
        user = await self.users.by_id(tenant_id, user_id) if tenant else None
        return self.check(tenant, user, password_version, session_id)

    def check(
        self, tenant: Tenant | None, user: User | None, password_version: str, session_id: str | None
    ) -> Principal:
        """:meth:`current` on records read already (the janitor reads a tenant's users at once)."""
        if (
            tenant is None
            or user is None
            or user.disabled
            or user.password_version != password_version
            or user.signed_out(session_id)
        ):
            raise AuthInvalid()
        if tenant.is_locked(self.clock()):
            raise TenantLocked()
        return Principal(user, tenant, session_id)

    async def renew_access(self, session_token: str) -> tuple[Principal, AccessToken]:
        """A fresh access token, in the same session, for the holder of a valid session cookie."""
        principal = await self.authenticate(session_token, TokenKind.SESSION)
        token, expires = self.tokens.issue(principal.user, TokenKind.ACCESS, session_id=principal.session_id)
        return principal, AccessToken(token, expires)

    async def logout(self, session_token: str) -> None:
        """End the session of a valid session cookie: its tokens stop working and its sockets close.

        Anything else (garbage, expired, outdated, already signed out, issued before sessions had ids)
        changes nothing and raises nothing: signing out never fails.
        """
        try:
            claims = self.tokens.verify(session_token, TokenKind.SESSION)
        except AuthInvalid:
            return
        if claims.session_id is None:
            return  # issued before sessions had ids: such a session ends when its cookie expires
        revoked = RevokedSession(claims.session_id, self.tokens.session_end(claims))
        for _ in range(REVOKE_ATTEMPTS):
            user = await self.users.by_id(claims.tenant_id, claims.user_id)
            if (
                user is None
                or user.password_version != claims.password_version
                or user.signed_out(revoked.session_id)
            ):
                return
            kept = [session for session in user.revoked_sessions if session.until > self.clock()]
            if len(kept) >= MAX_REVOKED_SESSIONS:
                break
            if await self.users.set_revoked_sessions(user, [*kept, revoked]):
                log.info("user %s signed out of one session", user.id)
                if self.revoker is not None:
                    await self.revoker.revoke_session(user.id, revoked.session_id)
                return
        # Too many sessions still to remember, or the list never held still: never leave this one alive.
        await self._end_every_session(claims.tenant_id, claims.user_id)

    async def _end_every_session(self, tenant_id: str, user_id: str) -> None:
        """A new password version: every older token fails, so the signed-out list can start empty."""
        now = self.clock()
        changes = {"password_version": secrets.token_hex(8), "revoked_sessions": [], "updated_at": now}
        if await self.users.update(tenant_id, user_id, changes) is not None:
            log.info("user %s signed out of every session", user_id)
            await self.revoke_user(user_id)

    # -- helpers --------------------------------------------------------------------------------------------

    async def change_user(self, user: User, changes: dict[str, Any]) -> User:
        """Store changes; a new password, a disable or a role change invalidates older sessions.
        Raises NotFound."""
        now = self.clock()
        password = changes.pop("password", None)
        if password is not None:
            changes["password_hash"] = await passwords.hash_password(password)
            changes["password_changed_at"] = now
        revoke = (
            password is not None
            or changes.get("disabled") is True
            or ("role" in changes and changes["role"] is not user.role)
        )
        if revoke:
            changes["password_version"] = secrets.token_hex(8)
        if not changes:
            return user
        changes["updated_at"] = now
        updated = await self.users.update(user.tenant_id, user.id, user_changes(**changes))
        if updated is None:
            raise NotFound("There is no such user.")
        if revoke:
            await self.revoke_user(user.id)
        return updated

    async def revoke_user(self, user_id: str) -> None:
        """Close every socket of the user, on every process."""
        if self.revoker is not None:
            await self.revoker.revoke_user(user_id)
