"""The address guard on its own: which URLs and addresses webhooks may go to (wschat/webhooks/addresses.py).
Names resolve through the test's table (:class:`~tests.webhooks.conftest.Names`) or, for ``localhost``,
through the system's resolver."""

from __future__ import annotations

import ipaddress

import pytest

from tests.webhooks.conftest import Names
from wschat.errors import ErrorCode, WebhookAddressForbidden, WebhookUrlInvalid
from wschat.webhooks.addresses import MAX_URL, AddressGuard, parse_url, refusal

PUBLIC = "93.184.215.14"


def _guard(*allowed: str, **names: list[str]) -> AddressGuard:
    table = Names({host.replace("_", "."): addresses for host, addresses in names.items()})
    return AddressGuard(tuple(ipaddress.ip_network(n) for n in allowed), table)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://crm.example.com/hook", "must begin with https://"),
        ("ftp://crm.example.com/hook", "must begin with https://"),
        ("javascript:alert(1)", "must begin with https://"),
        ("https://user:secret@crm.example.com/hook", "user name or password"),
        ("https://token@crm.example.com/hook", "user name or password"),
        ("https:///hook", "no host name"),
        ("https://crm.example.com:99999/", "not a valid address"),
        ("https://crm.example.com/a b", "spaces or control characters"),
        ("https://crm.example.com/\r\nX-Injected: 1", "spaces or control characters"),
        ("https://crm.example.com/hook#part", "#fragment"),
        ("https://crm.example.com/" + "a" * MAX_URL, f"longer than {MAX_URL}"),
    ],
)
async def test_url_that_breaks_a_rule_is_refused_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(WebhookUrlInvalid) as refused:
        await _guard(crm_example_com=[PUBLIC]).check(url)

    assert refused.value.code is ErrorCode.WEBHOOK_URL_INVALID
    assert says in refused.value.message


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, nothing binds it
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.10", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd00:ec2::254", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:a9fe:a9fe::1", "link-local"),
    ],
)
def test_refusal_names_the_kind_of_a_non_public_address(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_address_is_not_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "https://0.0.0.0/hook",
    ],
)
async def test_address_literal_of_a_forbidden_network_is_refused(url: str) -> None:
    with pytest.raises(WebhookAddressForbidden) as refused:
        await _guard().check(url)

    assert refused.value.code is ErrorCode.WEBHOOK_ADDRESS_FORBIDDEN
    assert "wsChat does not send there" in refused.value.message


@pytest.mark.parametrize(
    "addresses", [["127.0.0.1"], ["10.0.0.1"], ["169.254.169.254"], [PUBLIC, "10.0.0.1"], ["::1"]]
)
async def test_name_that_resolves_to_a_forbidden_address_is_refused(addresses: list[str]) -> None:
    guard = _guard(crm_acme_test=addresses)

    with pytest.raises(WebhookAddressForbidden) as refused:
        await guard.check("https://crm.acme.test/hook")

    assert "The host crm.acme.test is a" in refused.value.message


async def test_localhost_through_the_system_resolver_is_refused() -> None:
    with pytest.raises(WebhookAddressForbidden, match="loopback"):
        await _guard().check("https://localhost/hook")


async def test_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(WebhookUrlInvalid, match="cannot be found"):
        await _guard(nowhere_test=[]).check("https://nowhere.test/hook")


async def test_public_name_passes_with_every_address_to_connect_to() -> None:
    checked = await _guard(crm_acme_test=[PUBLIC, "2606:4700:4700::1111"]).check(
        "https://crm.acme.test:8443/hooks?source=chat"
    )

    assert checked.addresses == (PUBLIC, "2606:4700:4700::1111")
    assert (checked.target.host, checked.target.port, checked.target.scheme) == (
        "crm.acme.test",
        8443,
        "https",
    )


async def test_operator_networks_let_their_addresses_through_and_http_only_there() -> None:
    guard = _guard("127.0.0.1/32", "10.20.0.0/16", crm_inside=["10.20.3.4"], crm_outside=[PUBLIC])

    assert (await guard.check("http://127.0.0.1:8080/hook")).addresses == ("127.0.0.1",)
    assert (await guard.check("http://crm.inside/hook")).addresses == ("10.20.3.4",)
    assert (await guard.check("https://[::ffff:127.0.0.1]/hook")).addresses == ("::ffff:7f00:1",)
    with pytest.raises(WebhookAddressForbidden):
        await guard.check("https://127.0.0.2/hook")  # outside the /32
    with pytest.raises(WebhookAddressForbidden):
        await guard.check("https://10.21.0.1/hook")
    with pytest.raises(WebhookUrlInvalid, match="https://"):
        await guard.check("http://crm.outside/hook")  # public, so https


def test_parse_url_keeps_the_default_ports() -> None:
    assert parse_url("https://crm.example.com").port == 443
    assert parse_url("http://crm.example.com").port == 80
