"""``wschat jitsi set`` and ``wschat jitsi env``: the secret goes in through stdin and out only when asked."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.test_cli import wschat

SECRET = "s3cr3t-" + "x" * 40


async def test_jitsi_env_prints_matching_lines_and_the_secret_only_when_asked(
    tmp_path: Path, mongodb_uri: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {"WSCHAT_MONGODB_URI": mongodb_uri, "WSCHAT_MONGODB_DB": f"test_{secrets.token_hex(6)}"}
    code, _, err = await wschat(
        data, "tenant", "create", "--slug", "acme", "--name", "ACME", "--plan", "contract", **env
    )
    assert code == 0, err
    code, out, err = await wschat(data, "jitsi", "env", "--tenant", "acme", **env)
    assert code == 1
    assert "no complete Jitsi settings" in err

    short = ["jitsi", "set", "--tenant", "acme", "--domain", "meet.acme.eu", "--app-id", "wschat-acme"]
    code, out, err = await wschat(data, *short, "--secret-stdin", stdin="too-short\n", **env)
    assert code == 1
    assert "secret" in err
    assert "too-short" not in out + err
    code, _, _ = await wschat(data, "jitsi", "env", "--tenant", "acme", **env)
    assert code == 1, "nothing was stored"
    code, out, err = await wschat(data, *short, "--secret-stdin", stdin=SECRET + "\n", **env)
    assert code == 0, err
    assert SECRET not in out + err
    assert "JWT_APP_ID=wschat-acme" in out.splitlines()

    code, out, err = await wschat(data, "jitsi", "env", "--tenant", "acme", **env)
    assert code == 0, err
    lines = out.splitlines()
    assert SECRET not in out
    for line in ("ENABLE_AUTH=1", "AUTH_TYPE=jwt", "ENABLE_GUESTS=0", "JWT_APP_ID=wschat-acme",
                 "JWT_ACCEPTED_ISSUERS=wschat-acme", "JWT_ACCEPTED_AUDIENCES=jitsi",
                 "PUBLIC_URL=https://meet.acme.eu"):  # fmt: skip
        assert line in lines, line
    code, out, _ = await wschat(data, "jitsi", "env", "--tenant", "acme", "--show-secret", **env)
    assert code == 0
    assert f"JWT_APP_SECRET={SECRET}" in out.splitlines()
