"""The wiring of an agent's own data (wschat/agent_data): the deleted agents' to-dos and the download."""

from __future__ import annotations

from wschat.agent_data.download import OwnData
from wschat.agent_data.forgetting import FormerAgents
from wschat.agent_data.walk import AgentChats
from wschat.clock import Clock
from wschat.storage import Stores


def agent_data_services(stores: Stores, clock: Clock, *, holder: str) -> tuple[FormerAgents, OwnData]:
    """``stores`` as the runtime uses them (with the caches): a rewrite forgets the records it changed."""
    former_agents = FormerAgents(
        stores.agent_data,
        stores.messages,
        stores.tenants,
        stores.users,
        stores.leases,
        clock,
        compact=stores.tenant_data.compact,
        holder=holder,
    )
    chats = AgentChats(stores.agent_data)
    own_data = OwnData(chats, stores.messages, stores.photos, stores.canned, stores.presence, clock)
    return former_agents, own_data
