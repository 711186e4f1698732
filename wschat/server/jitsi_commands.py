"""``wschat jitsi env`` and ``wschat jitsi set``: the operator's side of a tenant's Jitsi.

The secret is read from standard input or a prompt, never from argv (every user of the machine can read
a process's arguments), and printed only when asked for with ``--show-secret``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from wschat.errors import ValidationFailed
from wschat.jitsi.env import env_lines
from wschat.server.runtime import Runtime
from wschat.video.models import VideoSettingsPatch
from wschat.wire import parse


def add_parser(commands: Any) -> None:
    jitsi = commands.add_parser("jitsi", help="a tenant's self-hosted Jitsi").add_subparsers(
        dest="action", required=True
    )
    env = jitsi.add_parser("env", help="print the docker-jitsi-meet .env lines for a tenant")
    env.add_argument("--tenant", required=True)
    env.add_argument("--show-secret", action="store_true", help="include JWT_APP_SECRET")
    set_cmd = jitsi.add_parser("set", help="set a tenant's Jitsi (the secret comes from stdin or a prompt)")
    set_cmd.add_argument("--tenant", required=True)
    set_cmd.add_argument("--domain", help="host name of the Jitsi, e.g. meet.example.com")
    set_cmd.add_argument("--app-id", help="JWT_APP_ID (the tokens' iss)")
    set_cmd.add_argument("--audience", help="the tokens' aud (default jitsi)")
    set_cmd.add_argument("--sub", help="the tokens' sub (default meet.jitsi)")
    set_cmd.add_argument("--token-ttl", type=int, help="token lifetime in seconds (60-3600, default 600)")
    set_cmd.add_argument("--secret-stdin", action="store_true", help="read the secret from standard input")
    set_cmd.add_argument("--keep-secret", action="store_true", help="leave the stored secret as it is")


async def run(rt: Runtime, args: argparse.Namespace) -> None:
    tenant = await rt.accounts.tenant(args.tenant)
    if args.action == "set":
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("domain", args.domain),
                ("app_id", args.app_id),
                ("audience", args.audience),
                ("sub", args.sub),
                ("token_ttl_seconds", args.token_ttl),
            )
            if value is not None
        }
        if not args.keep_secret:
            fields["secret"] = _read_secret(args.secret_stdin)
        patch = parse(VideoSettingsPatch, {"jitsi": fields})
        await rt.video.apply(tenant.id, patch, who=f"tenant {tenant.slug} (command line)")
        print(f"stored the Jitsi settings of tenant {tenant.slug}: {', '.join(sorted(fields))}")
    video = await rt.video.get(tenant.id)
    show = args.action == "env" and args.show_secret
    if args.action == "env" or video.jitsi.configured:
        try:
            lines = env_lines(tenant.slug, video.jitsi, show_secret=show)
        except ValueError as e:
            raise ValidationFailed(str(e)) from None
        print("\n".join(lines))


def _read_secret(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    secret = getpass.getpass("Jitsi secret (JWT_APP_SECRET): ")
    if getpass.getpass("Repeat: ") != secret:
        raise ValidationFailed("The secrets do not match.")
    return secret
