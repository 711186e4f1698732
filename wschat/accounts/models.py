"""Tenants and users as the rules see them, and the payloads of the account endpoints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field

from wschat.accounts.branding import BrandingPatch, effective
from wschat.accounts.contract import ContractState, Dates, Lifecycle, dates_of
from wschat.errors import Forbidden
from wschat.smtp import EmailAddress
from wschat.wire import DisplayName, WireModel

DEMO_PERIOD = timedelta(days=14)
DEFAULT_MAX_CHATS = 3
MIN_PASSWORD_LENGTH = 10
#: argon2 hashes any length, but a megabyte password is a cheap way to burn CPU.
MAX_PASSWORD_LENGTH = 1024

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


class Plan(StrEnum):
    DEMO = "demo"
    CONTRACT = "contract"


class TenantStatus(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"
    DELETED = "deleted"


@dataclass(frozen=True)
class TenantSettings:
    #: Store visitors' IP addresses truncated (IPv4 /24, IPv6 /48); full only when switched off.
    ip_truncation: bool = True
    #: Queued chats go to the least busy online agent; off: agents take them from the queue.
    auto_assign: bool = True
    #: An open conversation whose visitor has been gone this long closes by itself.
    visitor_timeout_minutes: int = 30
    #: Agents see every past chat in the archive, not only those they took part in.
    archive_open_to_agents: bool = False
    #: Days each data category is kept, as the tenant's admins chose (wschat/retention: ``chat``, ``ip``,
    #: ``mail``); a category not named is kept as long as the operator allows (``WSCHAT_RETENTION_*_DAYS``).
    retention_days: dict[str, int] = field(default_factory=dict)
    #: What becomes of a visitor's address once its days are up: ``delete``, or ``shorten`` (IPv4 /16,
    #: IPv6 /32).
    ip_retention: str = "delete"


@dataclass(frozen=True)
class Tenant:
    id: str
    slug: str
    name: str
    plan: Plan
    status: TenantStatus
    created_at: datetime
    demo_ends_at: datetime | None = None
    contract_ended_at: datetime | None = None
    allowed_origins: tuple[str, ...] = ()
    settings: TenantSettings = field(default_factory=TenantSettings)
    #: The widget's corporate design (colours, logo, texts, position, language); validated when written.
    branding: dict[str, Any] = field(default_factory=dict)
    #: The contract's contact, legal hold and the lifecycle steps done (wschat/accounts/contract.py).
    lifecycle: Lifecycle = field(default_factory=Lifecycle)

    def is_locked(self, now: datetime) -> bool:
        """Locked by the operator, deleted, a demo whose 14 days are over, or a contract that ended."""
        if self.status is not TenantStatus.ACTIVE:
            return True
        return self.dates(now).state in (ContractState.DEMO_EXPIRED, ContractState.ENDED)

    def dates(self, now: datetime) -> Dates:
        """The contract state and every date of the lifecycle, as they stand at ``now``."""
        return dates_of(self.plan is Plan.DEMO, self.demo_ends_at, self.contract_ended_at, now)

    def to_wire(self, now: datetime) -> dict[str, Any]:
        """What the tenant's own console sees of it; its contract's dates as they stand at ``now``."""
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "plan": self.plan.value,
            "demo_ends_at": self.demo_ends_at.isoformat() if self.demo_ends_at else None,
            "allowed_origins": list(self.allowed_origins),
            "ip_truncation": self.settings.ip_truncation,
            "auto_assign": self.settings.auto_assign,
            "visitor_timeout_minutes": self.settings.visitor_timeout_minutes,
            "archive_open_to_agents": self.settings.archive_open_to_agents,
            "branding": effective(self.branding, self.allowed_origins),
            # The account page: state and dates; a legal hold only as a fact (its reason is the operator's).
            "contract": self.dates(now).to_wire() | {"legal_hold": self.lifecycle.legal_hold is not None},
        }

    def allows_origin(self, origin: str | None, own_origin: str) -> bool:
        """Browsers send Origin; a client that sends none is not a browser and gains nothing from it."""
        return origin is None or origin == own_origin or origin in self.allowed_origins


@dataclass(frozen=True)
class RevokedSession:
    """A signed-out session: its tokens are refused until ``until``, when the last of them expires anyway."""

    session_id: str
    until: datetime


@dataclass(frozen=True)
class User:
    id: str
    tenant_id: str
    login: str
    display_name: str
    role: Role
    password_hash: str = field(repr=False)
    #: Changes with every password change, disable or role change: older tokens stop working.
    password_version: str = field(repr=False)
    created_at: datetime
    password_changed_at: datetime
    max_chats: int = DEFAULT_MAX_CHATS
    disabled: bool = False
    photo_id: str | None = None
    #: Sessions ended by signing out whose tokens have not all expired yet.
    revoked_sessions: tuple[RevokedSession, ...] = field(default=(), repr=False)
    #: The last change of the account (None until the first).
    updated_at: datetime | None = None

    def signed_out(self, session_id: str | None) -> bool:
        """Whether the session was ended by signing out (tokens without a session id never are)."""
        return session_id is not None and any(s.session_id == session_id for s in self.revoked_sessions)

    @property
    def photo_url(self) -> str:
        """A path on the wsChat server: the photo, or the initials drawn from the alias."""
        if self.photo_id:
            return f"/media/photos/{self.photo_id}-256.webp"
        return f"/media/initials/{self.tenant_id}/{self.id}-256.webp"

    def to_wire(self) -> dict[str, Any]:
        """What the console sees of a user; never the hash or the password version."""
        return {
            "id": self.id,
            "tenant_id": self.tenant_id,
            "login": self.login,
            "display_name": self.display_name,
            "role": self.role.value,
            "max_chats": self.max_chats,
            "disabled": self.disabled,
            "photo_url": self.photo_url,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Principal:
    """An authenticated console user and their (unlocked) tenant."""

    user: User
    tenant: Tenant
    #: The sign-in whose token was shown; None for tokens issued before sessions had ids.
    session_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.user.role is Role.ADMIN


# -- payloads ----------------------------------------------------------------------------------------------


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _matches(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"is not a valid {what}")
        return value

    return AfterValidator(check)


Slug = Annotated[str, BeforeValidator(_lower), Field(max_length=40), _matches(SLUG_PATTERN, "tenant slug")]
Login = Annotated[str, BeforeValidator(_lower), Field(max_length=64), _matches(LOGIN_PATTERN, "login")]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]
MaxChats = Annotated[int, Field(ge=1, le=50)]
#: Enums arrive as their JSON strings; strict mode would only take enum instances.
RoleName = Annotated[Role, Field(strict=False)]


def _origin(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError("must be an origin such as https://www.example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("must be an origin such as https://www.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


Origin = Annotated[str, Field(max_length=200), AfterValidator(_origin)]
MAX_ORIGINS = 50


class TenantSettingsPatch(WireModel):
    """What a tenant's admin may change about the tenant."""

    allowed_origins: Annotated[list[Origin], Field(max_length=MAX_ORIGINS)] | None = None
    ip_truncation: bool | None = None
    auto_assign: bool | None = None
    visitor_timeout_minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    archive_open_to_agents: bool | None = None
    branding: BrandingPatch | None = None


class TenantCreate(WireModel):
    slug: Slug
    name: DisplayName
    #: Where notices of the lifecycle go (the demo ends, the contract ended, data deleted).
    contact_email: EmailAddress | None = None


class LoginRequest(WireModel):
    tenant: Annotated[str, Field(min_length=1, max_length=40)]
    login: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class AgentCreate(WireModel):
    login: Login
    display_name: DisplayName
    password: Password
    role: RoleName = Role.AGENT
    max_chats: MaxChats = DEFAULT_MAX_CHATS


class AgentPatch(WireModel):
    display_name: DisplayName | None = None
    role: RoleName | None = None
    max_chats: MaxChats | None = None
    disabled: bool | None = None
    password: Password | None = None


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only admins may manage agents.")


# -- domain events (wschat.boundary.domain_events; subscribers in wschat.server.subscriptions) -------------


@dataclass(frozen=True)
class TenantSettingsChanged:
    """An admin changed the tenant's settings or branding; ``tenant`` is the tenant as it is now."""

    tenant: Tenant


@dataclass(frozen=True)
class UserDeleted:
    """An admin deleted a user of the tenant (their sessions are revoked already)."""

    tenant_id: str
    user_id: str
    #: The deleted user's role (``admin`` or ``agent``).
    role: str
    #: The admin who deleted them, and that admin's alias now (for the audit log).
    by_id: str
    by_name: str
