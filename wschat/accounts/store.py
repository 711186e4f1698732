"""What the account services need from storage: tenants and users. Implemented in ``wschat/storage/``.

Every query on tenant data is scoped to one tenant by the adapter; a caller cannot forget it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from wschat.accounts.models import RevokedSession, Tenant, TenantStatus, User


class TenantStore(Protocol):
    async def insert(self, tenant: Tenant) -> None:
        """Raises :class:`~wschat.errors.Conflict` if the slug is taken."""

    async def by_slug(self, slug: str) -> Tenant | None: ...

    async def by_id(self, tenant_id: str) -> Tenant | None: ...

    async def all(self) -> list[Tenant]:
        """Every tenant, by slug."""

    async def any_exists(self) -> bool: ...

    async def update(
        self, tenant_id: str, changes: dict[str, Any], removals: Sequence[str] = ()
    ) -> Tenant | None:
        """Sets ``changes`` and removes ``removals`` in one atomic update.

        Keys are field names of :class:`Tenant` or dotted paths into its ``settings`` and ``branding``
        (``"branding.accent_color"``); other fields of those maps keep their value.
        """

    async def set_status(self, slug: str, status: TenantStatus, now: datetime) -> Tenant | None: ...


class UserStore(Protocol):
    async def insert(self, user: User) -> None:
        """Raises :class:`~wschat.errors.Conflict` if the login is taken in the tenant."""

    async def by_id(self, tenant_id: str, user_id: str) -> User | None: ...

    async def by_login(self, tenant_id: str, login: str) -> User | None: ...

    async def all(self, tenant_id: str) -> list[User]:
        """The tenant's users, by login."""

    async def count_active_admins(self, tenant_id: str) -> int: ...

    async def update(self, tenant_id: str, user_id: str, changes: dict[str, Any]) -> User | None:
        """Sets the given fields (names of :class:`User`, values as :func:`user_changes` gives them)."""

    async def set_revoked_sessions(self, user: User, sessions: Iterable[RevokedSession]) -> bool:
        """Replace the user's signed-out sessions, unless they changed since ``user`` was read.

        The stored list is compared as a whole (a compare-and-set), so two sign-outs at the same moment
        cannot lose one another; False tells the caller to read the user again.
        """

    async def delete(self, tenant_id: str, user_id: str) -> bool: ...


def user_changes(**values: Any) -> dict[str, Any]:
    """Field values as stored (enums as their strings)."""
    return {key: getattr(value, "value", value) for key, value in values.items()}
