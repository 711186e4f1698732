"""A tenant's own mail server: set by its admin, password sealed at rest and never shown, used instead of
the operator's; and the operator's settings from the environment."""

from __future__ import annotations

import json

import pytest

from tests.mail.conftest import Mailroom
from tests.support import stored, wait_for
from wschat.config import load_settings
from wschat.errors import ConfigError
from wschat.smtp import Security

PASSWORD = "tenant smtp password 42"


async def _settings(room: Mailroom, body: dict[str, object]) -> dict[str, object]:
    reply = await room.call("PUT", "/api/mail/settings", body)
    assert reply.status == 200, reply.body
    mail: dict[str, object] = reply.body["mail"]
    return mail


@pytest.mark.both_backends
async def test_settings_a_tenants_own_server_is_used_and_its_password_never_shown(
    no_mail_server: Mailroom,
) -> None:
    room, own = no_mail_server, no_mail_server.smtp
    await own.start()
    shown = await _settings(
        room, {"smtp_url": own.url, "from_address": "support@acme.example", "password": PASSWORD}
    )
    assert shown == {
        "smtp_url": f"smtp://127.0.0.1:{own.port}?starttls=off",
        "from_address": "support@acme.example",
        "password_set": True,
        "operator_server": False,
    }
    read = await room.call("GET", "/api/mail/settings")
    assert read.body["mail"] == shown
    assert PASSWORD not in json.dumps(read.body)
    [tenant] = await stored(room.server.app.runtime.db, "tenants")
    assert PASSWORD not in json.dumps(tenant, default=str)  # sealed at rest
    assert tenant["mail"]["password"]["sealed"] == 1

    # Changed without a password: the stored one stays.
    kept = await _settings(room, {"smtp_url": own.url, "from_address": "hello@acme.example"})
    assert kept["password_set"] is True

    reply = await room.call("POST", "/api/mail/test", {"to": "sam@example.com"})
    assert reply.status == 202, reply.body
    await wait_for(lambda: len(own.received) == 1)
    assert own.received[0].sender == "hello@acme.example"

    cleared = await _settings(room, {"smtp_url": None})
    assert cleared == {
        "smtp_url": None,
        "from_address": None,
        "password_set": False,
        "operator_server": False,
    }
    refused = await room.call("POST", "/api/mail/test", {"to": "sam@example.com"})
    assert refused.code == "MAIL_NOT_CONFIGURED"


@pytest.mark.parametrize(
    "body",
    [
        {"smtp_url": "smtp://user:secret@mail.example.com"},  # the password belongs in its own field
        {"smtp_url": "smtp://mail.example.com"},  # no sender address
        {"smtp_url": "http://mail.example.com", "from_address": "a@acme.example"},
        {"smtp_url": "smtp://mail.example.com?starttls=maybe", "from_address": "a@acme.example"},
        {"smtp_url": "smtp://mail.example.com", "from_address": "a@acme.example\r\nBcc: b@x.example"},
        {"smtp_url": "smtp://mail.example.com", "from_address": "a@acme.example, b@x.example"},
        {"smtp_url": "smtp://mail.example.com", "from_address": "a@acme.example", "password": ""},
        {"from_address": "a@acme.example"},
    ],
)
async def test_settings_bad_input_is_refused_and_nothing_changes(
    mailroom: Mailroom, body: dict[str, object]
) -> None:
    reply = await mailroom.call("PUT", "/api/mail/settings", body)

    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert "secret" not in json.dumps(reply.body)
    assert (await mailroom.call("GET", "/api/mail/settings")).body["mail"]["smtp_url"] is None


def test_settings_operator_server_from_the_environment() -> None:
    env = {
        "WSCHAT_SECRET_KEY": "k" * 40,
        "WSCHAT_SMTP_URL": "smtps://chat%40ops.example:s3cret@mail.ops.example",
        "WSCHAT_MAIL_FROM": "chat@ops.example",
        "WSCHAT_MAIL_RETRY_DELAYS": "5, 60",
    }
    mail = load_settings(env).mail

    assert mail.smtp_url is not None
    assert (mail.smtp_url.host, mail.smtp_url.port, mail.smtp_url.security) == (
        "mail.ops.example",
        465,
        Security.IMPLICIT_TLS,
    )
    assert mail.smtp_url.username == "chat@ops.example"
    assert "s3cret" not in repr(mail)
    assert mail.retry_delays == (5, 60)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WSCHAT_SMTP_URL": "smtp://u:s3cret@mail.example.com"}, "WSCHAT_MAIL_FROM"),
        ({"WSCHAT_SMTP_URL": "smtp://u:s3cret@mail.example.com:99999"}, "WSCHAT_SMTP_URL"),
        ({"WSCHAT_SMTP_URL": "imap://u:s3cret@mail.example.com"}, "WSCHAT_SMTP_URL"),
        ({"WSCHAT_SMTP_URL": "smtp://u:s3cret@m.example?starttls=opportunistic"}, "WSCHAT_SMTP_URL"),
        ({"WSCHAT_MAIL_FROM": "Chat <chat@ops.example>"}, "WSCHAT_MAIL_FROM"),
        ({"WSCHAT_MAIL_RETRY_DELAYS": "30,soon"}, "WSCHAT_MAIL_RETRY_DELAYS"),
    ],
)
def test_settings_bad_operator_values_stop_start_up_naming_them_without_the_password(
    env: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"WSCHAT_SECRET_KEY": "k" * 40, **env})

    assert refused.value.variable == variable
    assert "s3cret" not in str(refused.value)
