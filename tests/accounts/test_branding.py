"""The widget's branding: admins edit it through PATCH /api/tenant, the widget reads it from its config."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import LiveServer
from wschat.accounts.branding import DEFAULT_TEXTS
from wschat.accounts.models import TenantSettingsPatch


async def _patch(server: LiveServer, token: str, branding: dict[str, Any], **other: Any) -> Any:
    return await server.request("PATCH", "/api/tenant", json={"branding": branding, **other}, token=token)


async def test_admin_changes_branding_and_the_widget_gets_it(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    reply = await _patch(
        server,
        tokens["admin"],
        {
            "primary_color": "#12AB34",
            "position": "left",
            "language": "de",
            "logo_url": "/media/logo.webp",
            "texts": {"de": {"greeting": "Moin! Was können wir tun?"}},
        },
    )
    assert reply.status == 200, reply.body
    branding = reply.body["tenant"]["branding"]
    assert branding["primary_color"] == "#12ab34"
    assert branding["text_color"] == "#ffffff"  # untouched: the default
    assert branding["texts"]["de"]["greeting"] == "Moin! Was können wir tun?"
    assert branding["texts"]["de"]["title"] == DEFAULT_TEXTS["de"]["title"]

    config = (await server.request("GET", "/api/widget/acme")).body
    assert config["language"] == "de"
    assert config["branding"] == {
        "primary_color": "#12ab34",
        "text_color": "#ffffff",
        "position": "left",
        "logo_url": "/media/logo.webp",
    }
    assert config["texts"]["de"]["greeting"] == "Moin! Was können wir tun?"
    assert config["texts"]["en"] == DEFAULT_TEXTS["en"]


async def test_empty_text_and_empty_logo_go_back_to_the_defaults(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    await _patch(server, tokens["admin"], {"logo_url": "/x.png", "texts": {"en": {"title": "Talk to Acme"}}})
    reply = await _patch(server, tokens["admin"], {"logo_url": "", "texts": {"en": {"title": "  "}}})
    branding = reply.body["tenant"]["branding"]
    assert branding["logo_url"] is None
    assert branding["texts"]["en"]["title"] == DEFAULT_TEXTS["en"]["title"]


async def test_logo_on_an_allowed_website_is_accepted_and_dropped_when_the_origin_goes(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    reply = await _patch(
        server,
        tokens["admin"],
        {"logo_url": "https://www.acme.example/logo.png"},
        allowed_origins=["https://www.acme.example"],
    )
    assert reply.body["tenant"]["branding"]["logo_url"] == "https://www.acme.example/logo.png"
    await server.request("PATCH", "/api/tenant", json={"allowed_origins": []}, token=tokens["admin"])
    config = (await server.request("GET", "/api/widget/acme")).body
    assert config["branding"]["logo_url"] is None


@pytest.mark.parametrize(
    "branding",
    [
        {"primary_color": "red"},
        {"primary_color": "#12345"},
        {"text_color": "#gggggg"},
        {"position": "top"},
        {"language": "fr"},
        {"logo_url": "javascript:alert(1)"},
        {"logo_url": "//tracker.example/pixel.gif"},
        {"logo_url": "https://tracker.example/pixel.gif"},
        {"texts": {"fr": {"title": "Bonjour"}}},
        {"texts": {"en": {"title": "x" * 61}}},
        {"texts": {"en": {"greeting": "x" * 401}}},
        {"texts": {"en": {"footer": "hi"}}},
        {"font": "Comic Sans"},
        {"primary_color": {"$ne": None}},
    ],
    ids=[
        "colour-name",
        "short-hex",
        "bad-hex",
        "position",
        "language",
        "javascript-logo",
        "protocol-relative-logo",
        "foreign-logo",
        "unknown-language",
        "long-title",
        "long-greeting",
        "unknown-text",
        "unknown-field",
        "operator",
    ],
)
async def test_bad_branding_is_refused_and_nothing_changes(
    server: LiveServer, tokens: dict[str, str], branding: dict[str, Any]
) -> None:
    before = (await server.request("GET", "/api/tenant", token=tokens["admin"])).body
    widget_before = (await server.request("GET", "/api/widget/acme")).body
    reply = await _patch(server, tokens["admin"], branding)
    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert reply.body["error"]["details"]["fields"]
    assert (await server.request("GET", "/api/tenant", token=tokens["admin"])).body == before
    assert (await server.request("GET", "/api/widget/acme")).body == widget_before


async def test_agent_may_not_change_branding(server: LiveServer, tokens: dict[str, str]) -> None:
    reply = await _patch(server, tokens["agent"], {"primary_color": "#000000"})
    assert (reply.status, reply.code) == (403, "FORBIDDEN")
    config = (await server.request("GET", "/api/widget/acme")).body
    assert config["branding"]["primary_color"] == "#0b5fff"


async def test_two_admins_changing_different_fields_at_once_both_keep_theirs(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    """Each change writes only its own fields. Both admins were signed in (their view of the tenant read)
    before either saved: the second save must not put back the colour, text or setting the first replaced."""
    accounts = server.accounts
    anna = await accounts.authenticate(tokens["admin"])
    stale = await accounts.authenticate(tokens["admin"])  # another admin's request, read at the same moment
    await accounts.update_tenant_settings(
        anna,
        TenantSettingsPatch.model_validate(
            {"branding": {"primary_color": "#112233", "texts": {"en": {"title": "Talk to ACME"}}},
             "auto_assign": False}
        ),
    )  # fmt: skip
    await accounts.update_tenant_settings(
        stale,
        TenantSettingsPatch.model_validate(
            {"branding": {"position": "left", "texts": {"en": {"greeting": "Hi there"}}},
             "visitor_timeout_minutes": 45}
        ),
    )  # fmt: skip
    tenant = (await server.request("GET", "/api/tenant", token=tokens["admin"])).body["tenant"]
    branding = tenant["branding"]
    assert (branding["primary_color"], branding["position"]) == ("#112233", "left")
    assert branding["texts"]["en"]["title"] == "Talk to ACME"
    assert branding["texts"]["en"]["greeting"] == "Hi there"
    assert tenant["auto_assign"] is False
    assert tenant["visitor_timeout_minutes"] == 45
