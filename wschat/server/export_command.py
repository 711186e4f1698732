"""``wschat export``: the operator exports a tenant's archive (JSONL or CSV) to a file or standard output,
streamed like the admin's download, and recorded in the tenant's audit log as the operator's
(``archive.exported``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, BinaryIO

from wschat.accounts.contract import check_export
from wschat.archive.export import ExportQuery
from wschat.audit.models import OPERATOR
from wschat.server.runtime import Runtime
from wschat.wire import parse


def add_parser(commands: Any) -> None:
    export = commands.add_parser("export", help="export a tenant's past chats (streamed)")
    export.add_argument("--tenant", required=True, help="the tenant's slug")
    export.add_argument("--from", dest="since", help="closed from this date or time (ISO 8601, UTC)")
    export.add_argument("--to", dest="until", help="closed before this date or time (ISO 8601, UTC)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--q", help="words the chats must contain")
    export.add_argument("--output", "-o", help="a file to write (default: standard output)")
    export.set_defaults(action=None)


async def run(rt: Runtime, args: argparse.Namespace) -> int:
    tenant = await rt.accounts.tenant(args.tenant)
    check_export(tenant.dates(rt.clock()), rt.clock())  # six months after a contract ended: no more
    fields = {"from": args.since, "to": args.until, "format": args.format, "q": args.q}
    query = parse(ExportQuery, {name: value for name, value in fields.items() if value is not None})
    found = rt.archive.whole_filter(query, None)
    if args.output is None:
        return await _write(rt, tenant.id, query, found, sys.stdout.buffer)
    with open(args.output, "wb") as out:  # noqa: ASYNC230 - one local file, written in the CLI's own loop
        return await _write(rt, tenant.id, query, found, out)


async def _write(rt: Runtime, tenant_id: str, query: ExportQuery, found: Any, out: BinaryIO) -> int:
    async for chunk in rt.archive_export.stream_as(tenant_id, OPERATOR, query, found):
        out.write(chunk)
    out.flush()
    return 0
