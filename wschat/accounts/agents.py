"""An admin manages the tenant's users: list, add, change (role, password, disable) and delete them.

A tenant always keeps one active admin; every change that takes rights away ends the user's sessions.
"""

from __future__ import annotations

import logging

from wschat.accounts.models import (
    AgentCreate,
    AgentPatch,
    Principal,
    Role,
    Tenant,
    User,
    UserDeleted,
    require_admin,
)
from wschat.accounts.service import AccountService
from wschat.errors import Conflict, NotFound

log = logging.getLogger(__name__)


class AgentAdminService:
    def __init__(self, accounts: AccountService) -> None:
        self.accounts = accounts

    async def list_agents(self, admin: Principal) -> list[User]:
        require_admin(admin)
        return await self.accounts.users.all(admin.tenant.id)

    async def get_agent(self, admin: Principal, user_id: str) -> User:
        require_admin(admin)
        return await self._user_of(admin.tenant, user_id)

    async def add_agent(self, admin: Principal, spec: AgentCreate) -> User:
        require_admin(admin)
        return await self.accounts.create_user(admin.tenant, spec)

    async def update_agent(self, admin: Principal, user_id: str, patch: AgentPatch) -> User:
        """Raises Forbidden, NotFound, Conflict (would leave the tenant without an active admin)."""
        require_admin(admin)
        user = await self._user_of(admin.tenant, user_id)
        changes = patch.model_dump(exclude_none=True)
        loses_admin = user.role is Role.ADMIN and (
            changes.get("role", Role.ADMIN) is not Role.ADMIN or changes.get("disabled") is True
        )
        if loses_admin and not user.disabled:
            await self._keep_one_admin(admin.tenant)
        return await self.accounts.change_user(user, changes)

    async def delete_agent(self, admin: Principal, user_id: str) -> None:
        """Raises Forbidden, NotFound, Conflict (the last active admin)."""
        require_admin(admin)
        user = await self._user_of(admin.tenant, user_id)
        if user.role is Role.ADMIN and not user.disabled:
            await self._keep_one_admin(admin.tenant)
        if not await self.accounts.users.delete(admin.tenant.id, user.id):
            raise NotFound("There is no such user.")
        log.info("user %s deleted from tenant %s", user.id, admin.tenant.slug)
        await self.accounts.revoke_user(user.id)
        by = admin.user
        await self.accounts.events.publish(
            UserDeleted(admin.tenant.id, user.id, user.role.value, by.id, by.display_name)
        )

    # -- helpers --------------------------------------------------------------------------------------------

    async def _user_of(self, tenant: Tenant, user_id: str) -> User:
        user = await self.accounts.users.by_id(tenant.id, user_id) if len(user_id) <= 64 else None
        if user is None:
            raise NotFound("There is no such user.")
        return user

    async def _keep_one_admin(self, tenant: Tenant) -> None:
        if await self.accounts.users.count_active_admins(tenant.id) <= 1:
            raise Conflict("A tenant needs at least one active admin.")
