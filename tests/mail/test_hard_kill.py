"""The outbox across a hard kill: ``wschat serve`` as a process, SIGKILLed after a mail was queued while
the mail server was down (and tried once, in vain); after a restart with the server up, the mail arrives
exactly once."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import aiohttp
import pytest

from tests.mail.smtpd import SmtpServer
from tests.support import wait_for
from tests.test_cli import served


@pytest.mark.slow
@pytest.mark.both_backends
async def test_hard_kill_a_queued_mail_goes_out_once_after_the_restart(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest, smtp_down: SmtpServer
) -> None:
    data_dir = tmp_path / "var"
    env = {
        "WSCHAT_SMTP_URL": smtp_down.url,
        "WSCHAT_MAIL_FROM": "chat@wschat.test",
        # Down for a while: a try every second, and never failed for good within the test.
        "WSCHAT_MAIL_RETRY_DELAYS": ",".join(["1"] * 20),
    }
    if backend == "mongodb":
        env |= {
            "WSCHAT_DATABASE_URL": request.getfixturevalue("mongodb_uri"),
            "WSCHAT_MONGODB_DB": f"kill_{tmp_path.name}"[:60],
        }
    async with served(data_dir, **env) as server, aiohttp.ClientSession() as http:
        token = await _admin(http, server.url, data_dir)
        async with http.post(
            f"{server.url}/api/mail/test", json={"to": "sam@example.com"}, headers=_bearer(token)
        ) as reply:
            assert reply.status == 202, await reply.text()
            queued = (await reply.json())["mail"]

        async def tried_and_waiting() -> bool:
            async with http.get(f"{server.url}/api/mail/outbox?status=queued", headers=_bearer(token)) as r:
                return [m["attempts"] >= 1 for m in (await r.json())["mails"]] == [True]

        # Killed between two tries (a try every second): a kill during a try would leave the mail claimed
        # for the claim's lease (3 minutes, tests/mail/test_workers.py covers that case), longer than this
        # test waits.
        await wait_for(tried_and_waiting, timeout=30)
        server.process.send_signal(signal.SIGKILL)  # no shutdown, no flush
        await server.process.wait()
    assert smtp_down.received == []

    await smtp_down.start()
    async with served(data_dir, **env) as again, aiohttp.ClientSession() as http:
        await wait_for(lambda: len(smtp_down.received) == 1, timeout=30)
        token = await _admin(http, again.url, data_dir)

        async def marked_sent() -> bool:
            async with http.get(f"{again.url}/api/mail/outbox?status=sent", headers=_bearer(token)) as r:
                return [m["id"] for m in (await r.json())["mails"]] == [queued["id"]]

        await wait_for(marked_sent, timeout=30)
    [mail] = smtp_down.received
    assert mail.message["Message-ID"] == queued["message_id"]
    assert mail.recipients == ["sam@example.com"]


async def _admin(http: aiohttp.ClientSession, url: str, data_dir: Path) -> str:
    """Sign in as the demo tenant's admin, with the first run's password (kept in the data dir)."""
    found = re.search(r"^password: (\S+)$", (data_dir / "initial-admin-password").read_text(), re.MULTILINE)
    assert found
    login = {"tenant": "demo", "login": "admin", "password": found.group(1)}
    async with http.post(f"{url}/api/auth/login", json=login) as reply:
        assert reply.status == 200, await reply.text()
        token: str = (await reply.json())["token"]
        return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
