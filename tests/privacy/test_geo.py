"""The visitor's country, looked up locally from the full address before it is truncated."""

from __future__ import annotations

import pytest

from tests.support import LiveServer, stored
from wschat.privacy.geo import country_of


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("193.99.144.80", "DE"),
        ("8.8.8.8", "US"),
        ("127.0.0.1", None),
        ("10.1.2.3", None),
        ("203.0.113.5", None),  # documentation range
        ("::1", None),
        ("not an address", None),
        ("", None),
        (None, None),
    ],
)
def test_country_of(address: str | None, country: str | None) -> None:
    assert country_of(address) == country


async def test_new_visitor_gets_the_country_of_the_full_address(server: LiveServer) -> None:
    tenant = await server.make_tenant("acme")
    session = await server.app.runtime.visitors.open_session(
        tenant, None, ip="193.99.144.80", user_agent="Mozilla/5.0"
    )
    visitor = (await stored(server.app.runtime.db, "visitors", _id=session.visitor.id))[0]
    assert (visitor["ip"], visitor["country"]) == ("193.99.144.0", "DE")
    assert session.visitor.to_wire()["country"] == "DE"
