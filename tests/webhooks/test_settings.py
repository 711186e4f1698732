"""``WSCHAT_WEBHOOK_ALLOW_NETWORKS``: read once at start-up, a bad entry named; the guard the server builds
from it lets exactly those networks through (wschat/server/webhooks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wschat.config import load_settings
from wschat.errors import ConfigError, WebhookAddressForbidden
from wschat.proxies import parse_networks
from wschat.webhooks.addresses import AddressGuard


def test_allowed_networks_are_empty_by_default(tmp_path: Path) -> None:
    assert load_settings({"WSCHAT_DATA_DIR": str(tmp_path)}).webhook_allow_networks == ""


@pytest.mark.parametrize("value", ["10.0.0.0/8, crm.internal", "10.0.0.0/33", "fd00::/129"])
def test_bad_allowed_network_fails_start_up_naming_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_WEBHOOK_ALLOW_NETWORKS": value})

    assert info.value.variable == "WSCHAT_WEBHOOK_ALLOW_NETWORKS"


async def test_guard_from_the_setting_allows_those_networks_only(tmp_path: Path) -> None:
    settings = load_settings(
        {"WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_WEBHOOK_ALLOW_NETWORKS": "10.20.0.0/16, fd00:1::/64"}
    )
    guard = AddressGuard(parse_networks(settings.webhook_allow_networks))

    assert (await guard.check("http://10.20.1.2/hook")).addresses == ("10.20.1.2",)
    assert (await guard.check("https://[fd00:1::5]/hook")).addresses == ("fd00:1::5",)
    with pytest.raises(WebhookAddressForbidden):
        await guard.check("https://10.21.0.1/hook")
